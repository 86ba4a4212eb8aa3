"""HTTP benchmark: start -> user task A -> gateway -> user task B -> end against a real `jixiao run` on SQLite.

Prints median and p95 (ms) of each request as the client sees it, the app's own median (its Server-Timing
header: the rest is HTTP server and transport), beside the pure in-memory SpiffWorkflow time for the same
flow, and their ratio. The engine runs in this process between the HTTP iterations (the server is idle
then), so both figures come from the same minutes of a machine whose speed drifts.

    .venv/bin/python bench/http_flow.py [--n 300]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests  # only to poll for readiness

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engine_only import EngineFlow  # noqa: E402

JIXIAO = [sys.executable, "-c", "from server.console import main; main()"]


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


def run_http(n: int, workdir: Path, engine: EngineFlow) -> dict[str, list[float]]:
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
        # http.client with one kept-alive connection: the lightest honest client, so the figures are the server's.
        conn = http.client.HTTPConnection("127.0.0.1", port)

        def post(path: str, body: dict, headers: dict | None = None) -> tuple[int, dict, float]:
            conn.request(
                "POST",
                path,
                body=json.dumps(body),
                headers={"Content-Type": "application/json", **(headers or {})},
            )
            resp = conn.getresponse()
            timing = resp.getheader("Server-Timing", "app;dur=nan")
            return resp.status, json.loads(resp.read() or b"{}"), float(timing.partition("dur=")[2])

        _, login, _ = post("/api/v1/session", {"username": "school1", "password": "demo"})
        auth = {"Authorization": f"Bearer {login['token']}"}
        steps = ("start", "complete A", "complete B")
        times: dict[str, list[float]] = {key: [] for step in steps for key in (step, f"{step} app")}
        for i in range(n + 20):  # the first 20 warm caches and connections and are not counted
            t0 = time.perf_counter()
            status, body, app_start = post("/api/v1/process-instances", {"process_key": "simple"}, auth)
            t1 = time.perf_counter()
            assert status == 201, body
            status, body, app_a = post(
                f"/api/v1/tasks/{body['open_tasks'][0]['id']}/complete", {"data": {"x": 20}}, auth
            )
            t2 = time.perf_counter()
            assert status == 200, body
            task_b = body["instance"]["open_tasks"][0]["id"]
            status, body, app_b = post(f"/api/v1/tasks/{task_b}/complete", {"data": {"note": "ok"}}, auth)
            t3 = time.perf_counter()
            assert status == 200 and body["instance"]["status"] == "completed", body
            if i >= 20:
                times["start"].append((t1 - t0) * 1000)
                times["complete A"].append((t2 - t1) * 1000)
                times["complete B"].append((t3 - t2) * 1000)
                for step, app_ms in zip(steps, (app_start, app_a, app_b), strict=True):
                    times[f"{step} app"].append(app_ms)
            engine.run_once()
        conn.close()
        return times
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    flow = EngineFlow()
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        http = run_http(args.n, Path(tmp), flow)
    engine = flow.stats(skip=20)  # the same warm-up as the HTTP side
    print(f"HTTP against `jixiao run` (waitress) on SQLite, n={args.n}, milliseconds")
    print("app = Server-Timing; engine = pure in-memory SpiffWorkflow; +state adds load/dump of the state; ratio = http / engine")
    print(f"{'step':<12}{'http median':>12}{'http p95':>10}{'app median':>12}{'engine median':>15}{'+state':>8}"
          f"{'ratio':>8}")
    for step, key in (("start", "start"), ("complete A", "complete_a"), ("complete B", "complete_b")):
        med, p95 = _stats(http[step])
        memory, state = engine[f"memory.{key}"]["median_ms"], engine[f"roundtrip.{key}"]["median_ms"]
        app_med = statistics.median(http[f"{step} app"])
        print(f"{step:<12}{med:>12.2f}{p95:>10.2f}{app_med:>12.2f}{memory:>15.2f}{state:>8.2f}{med / memory:>8.1f}")
    completes = http["complete A"] + http["complete B"]
    app_completes = http["complete A app"] + http["complete B app"]
    completion = statistics.median(completes)
    engine_completion = statistics.median(
        s * 1000 for key in ("memory.complete_a", "memory.complete_b") for s in flow.samples[key][20:]
    )
    print(f"median completion (A and B together): {completion:.2f} ms (target <= 3.5 ms); "
          f"in the app {statistics.median(app_completes):.2f} ms")
    print(f"against the engine's median completion {engine_completion:.2f} ms: {completion / engine_completion:.1f}x "
          f"(target <= 4x)")


if __name__ == "__main__":
    main()
