"""The installed `jixiao` command, as a newcomer runs it from the README (SQLite, separate processes)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def jixiao(tmp_path) -> tuple[str, dict[str, str]]:
    exe = shutil.which("jixiao", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("the `jixiao` console script is missing: run `pip install -e '.[test]'`")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "JIXIAO_INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("DATABASE_URL", None)  # the embedded default: a SQLite file under the instance folder
    return exe, env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_init_then_run_serves_the_demo_county(jixiao, tmp_path):
    exe, env = jixiao
    init = subprocess.run([exe, "init", "--demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert init.returncode == 0, init.stdout + init.stderr
    assert (tmp_path / "instance" / "jixiao.sqlite3").exists()

    port = free_port()
    server = subprocess.Popen([exe, "run", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        resp = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                resp = requests.post(f"http://127.0.0.1:{port}/api/v1/session",
                                     json={"username": "school1", "password": "demo"}, timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert resp is not None, f"jixiao run did not answer on port {port}"
        assert resp.status_code in (200, 201)
        me = requests.get(f"http://127.0.0.1:{port}/api/v1/me",
                          headers={"Authorization": f"Bearer {resp.json()['token']}"}, timeout=5)
        assert me.json()["organisation"]["name"] == "县第一中学"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            output, _ = server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    assert "绩效 Jixiao 正在运行" in output
    assert "绩效 Jixiao 已停止" in output, output
    assert server.returncode == 0


def test_worker_runs_until_sigterm(jixiao):
    exe, env = jixiao
    assert subprocess.run([exe, "init"], cwd=ROOT, env=env, capture_output=True, timeout=180).returncode == 0
    worker = subprocess.Popen([exe, "worker", "--poll", "0.2"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # On the embedded SQLite default the worker first warns that it is meant for one process.
        opening = [worker.stdout.readline(), worker.stdout.readline()]
        assert "只适合一个进程" in opening[0] and "worker 已启动" in opening[1], opening
        time.sleep(0.5)  # a few passes
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=15)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "worker 已退出" in output


def test_jixiao_lists_its_commands(jixiao):
    exe, env = jixiao
    result = subprocess.run([exe, "--help"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for command in ("init", "run", "worker", "deploy", "db"):
        assert f"  {command} " in result.stdout
