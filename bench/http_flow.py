"""HTTP benchmark: start -> user task A -> gateway -> user task B -> end against a real `jixiao run` on SQLite.

Prints median and p95 (ms) of each request as the client sees it, beside the pure in-memory SpiffWorkflow
time for the same flow measured in the same run, and their ratio.

    .venv/bin/python bench/http_flow.py [--n 300]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engine_only import measure as measure_engine  # noqa: E402

JIXIAO = [sys.executable, "-c", "from server.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def _wait_ready(base: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if requests.get(f"{base}/healthz", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise SystemExit("server did not answer in time")


def run_http(n: int, workdir: Path) -> dict[str, list[float]]:
    env = {
        **os.environ,
        "JIXIAO_INSTANCE_PATH": str(workdir),
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
    }
    subprocess.run([*JIXIAO, "init", "--demo"], env=env, check=True, capture_output=True)
    subprocess.run(
        [*JIXIAO, "deploy", str(ROOT / "tests/flows/simple")], env=env, check=True, capture_output=True
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [*JIXIAO, "run", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_ready(base, proc)
        http = requests.Session()
        token = http.post(f"{base}/api/v1/session", json={"username": "school1", "password": "demo"}).json()[
            "token"
        ]
        http.headers["Authorization"] = f"Bearer {token}"
        http.cookies.clear()
        times: dict[str, list[float]] = {"start": [], "complete A": [], "complete B": []}
        for i in range(n + 20):  # the first 20 warm caches and connections and are not counted
            t0 = time.perf_counter()
            resp = http.post(f"{base}/api/v1/process-instances", json={"process_key": "simple"})
            t1 = time.perf_counter()
            assert resp.status_code == 201, resp.text
            task_a = resp.json()["open_tasks"][0]["id"]
            resp = http.post(f"{base}/api/v1/tasks/{task_a}/complete", json={"data": {"x": 20}})
            t2 = time.perf_counter()
            assert resp.status_code == 200, resp.text
            task_b = resp.json()["instance"]["open_tasks"][0]["id"]
            resp = http.post(f"{base}/api/v1/tasks/{task_b}/complete", json={"data": {}})
            t3 = time.perf_counter()
            assert resp.status_code == 200 and resp.json()["instance"]["status"] == "completed", resp.text
            if i >= 20:
                times["start"].append((t1 - t0) * 1000)
                times["complete A"].append((t2 - t1) * 1000)
                times["complete B"].append((t3 - t2) * 1000)
        return times
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        http = run_http(args.n, Path(tmp))
    engine = measure_engine(args.n)
    print(f"HTTP against `jixiao run` (waitress) on SQLite, n={args.n}, milliseconds")
    print(
        f"{'step':<12}{'http median':>12}{'http p95':>10}{'engine median':>15}{'engine+state':>14}{'ratio':>8}"
    )
    for step in ("start", "complete A", "complete B"):
        med, p95 = _stats(http[step])
        eng = engine[step]
        ratio = med / eng["roundtrip_median"] if eng["roundtrip_median"] else float("nan")
        print(
            f"{step:<12}{med:>12.2f}{p95:>10.2f}{eng['median']:>15.2f}{eng['roundtrip_median']:>14.2f}{ratio:>8.1f}"
        )
    completes = http["complete A"] + http["complete B"]
    print(f"median completion (A and B together): {statistics.median(completes):.2f} ms (target <= 3.5 ms)")


if __name__ == "__main__":
    main()
