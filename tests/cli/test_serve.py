"""`jixiao serve` (gunicorn, several processes, no timers) and the embedded database's one-process rule."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from server import embedded_lock
from tests.conftest import make_app

JIXIAO = str(Path(sys.executable).parent / "jixiao")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def db_url(postgres_url: str) -> str:
    return postgres_url  # several processes: the production shape runs on PostgreSQL


@pytest.mark.own_database
def test_serve_answers_from_several_processes_and_stops_on_sigterm(db_url, instance_path):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "JIXIAO_INSTANCE_PATH": str(instance_path)}
    server = subprocess.Popen([JIXIAO, "serve", "--workers", "2", "--threads", "2", "--port", str(port)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            pytest.fail("jixiao serve did not answer")
        login = requests.post(f"{base}/api/v1/session", json={"username": "school1", "password": "demo"}, timeout=10)
        assert login.status_code == 201, login.text
        auth = {"Authorization": f"Bearer {login.json()['token']}"}
        assert all(requests.get(f"{base}/api/v1/tasks", headers=auth, timeout=10).status_code == 200
                   for _ in range(6))
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=40)[0]
    assert server.returncode == 0, output
    assert "2 个进程" in output and "无计时器" in output


def test_a_second_server_on_the_same_sqlite_file_is_refused(sqlite_url, instance_path):
    app = make_app(sqlite_url)
    embedded_lock.hold(sqlite_url)  # as a running `jixiao run` would
    try:
        second = app.test_cli_runner().invoke(args=["run", "--port", str(_free_port())])
        assert second.exit_code == 1 and "已被另一个 jixiao 进程" in second.output, second.output
        assert f"pid {os.getpid()}" in second.output and "PostgreSQL" in second.output
    finally:
        embedded_lock.release()
    several = app.test_cli_runner().invoke(args=["serve", "--workers", "2"])
    assert several.exit_code == 2 and "只支持一个进程" in several.output
