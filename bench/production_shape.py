"""Load run of the production shape: `jixiao serve` ×2 and `jixiao worker` ×2 on one PostgreSQL, driven by a
bounded number of API clients, then a consistency check of what the database holds.

Each client logs in once, then loops: start the `simple` flow (with an Idempotency-Key), complete task A
(x = 50, so task B opens), complete task B; requests alternate between the two servers. Two phases: task work
alone, then the same with login clients logging in without pause (scrypt, bounded by the hashing slots), to show
logins do not starve task work. Prints completions/s, p50/p95/p99 of completions, login latency, and checks:
every answered step is stored, no task row is duplicated, audit 'complete' rows = completed steps.

    .venv/bin/python bench/production_shape.py [--clients 8] [--seconds 40] [--login-clients 4]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

JIXIAO = str(Path(sys.executable).parent / "jixiao")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def prepare(url: str) -> None:
    """Migrate, seed the demo county and deploy the benchmark flow, in this process."""
    from flask_migrate import upgrade

    from server import create_app
    from server.db import db
    from server.services.demo import seed_demo
    from tests.api.helpers import FLOWS, deploy_folder
    from tests.support.api import api_as

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        seed_demo()
    assert deploy_folder(api_as(app.test_client(), "admin"), "simple", FLOWS / "simple").status_code == 201
    with app.app_context():
        db.engine.dispose()


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.completions: list[float] = []  # seconds, answered 200
        self.answered: list[int] = []  # task ids whose completion was answered 200
        self.logins: list[float] = []
        self.login_busy = 0
        self.errors: dict[str, int] = {}

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


def _login(session: requests.Session, base: str) -> dict:
    resp = session.post(f"{base}/api/v1/session", json={"username": "school1", "password": "demo"}, timeout=30)
    resp.raise_for_status()
    return {"Authorization": f"Bearer {resp.json()['token']}"}


def task_client(bases: list[str], stop: threading.Event, stats: Stats, n: int,
                client: tuple[requests.Session, dict]) -> None:
    session, auth = client
    i = n
    while not stop.is_set():
        i += 1
        base = bases[i % 2]
        resp = session.post(f"{base}/api/v1/process-instances", json={"process_key": "simple", "data": {}},
                            headers={**auth, "Idempotency-Key": str(uuid.uuid4())}, timeout=30)
        if resp.status_code != 201:
            stats.error(f"start {resp.status_code}")
            continue
        task_id, data = resp.json()["open_tasks"][0]["id"], {"x": 50}
        while task_id is not None:
            base = bases[(i := i + 1) % 2]
            t0 = time.perf_counter()
            resp = session.post(f"{base}/api/v1/tasks/{task_id}/complete", json={"data": data}, headers=auth,
                                timeout=30)
            elapsed = time.perf_counter() - t0
            if resp.status_code != 200:
                stats.error(f"complete {resp.status_code}")
                break
            with stats.lock:
                stats.completions.append(elapsed)
                stats.answered.append(task_id)
            opened = resp.json()["instance"]["open_tasks"]
            task_id, data = (opened[0]["id"], {"y": "ok"}) if opened else (None, None)


def login_client(bases: list[str], stop: threading.Event, stats: Stats, n: int) -> None:
    session = requests.Session()
    while not stop.is_set():
        t0 = time.perf_counter()
        resp = session.post(f"{bases[n % 2]}/api/v1/session", json={"username": "school1", "password": "demo"},
                            timeout=30)
        elapsed = time.perf_counter() - t0
        with stats.lock:
            if resp.status_code == 201:
                stats.logins.append(elapsed)
            elif resp.status_code == 503:
                stats.login_busy += 1
            else:
                stats.errors[f"login {resp.status_code}"] = stats.errors.get(f"login {resp.status_code}", 0) + 1
        n += 1


def phase(name: str, bases: list[str], clients: list, logins: int, seconds: float) -> Stats:
    stats, stop = Stats(), threading.Event()
    threads = [threading.Thread(target=task_client, args=(bases, stop, stats, n, c)) for n, c in enumerate(clients)]
    threads += [threading.Thread(target=login_client, args=(bases, stop, stats, n)) for n in range(logins)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(60)
    done = stats.completions
    load = os.getloadavg()[0]  # the machine may be shared: say how busy it was
    print(f"\n{name}: {len(clients)} task clients, {logins} login clients, {seconds:.0f} s, load average {load:.1f}")
    print(f"  completions/s {len(done) / seconds:7.1f}   p50 {_pct(done, .5) * 1000:6.1f} ms   "
          f"p95 {_pct(done, .95) * 1000:6.1f} ms   p99 {_pct(done, .99) * 1000:6.1f} ms   ({len(done)} answered)")
    if logins:
        print(f"  logins/s {len(stats.logins) / seconds:5.1f}   p50 {_pct(stats.logins, .5) * 1000:6.1f} ms   "
              f"p95 {_pct(stats.logins, .95) * 1000:6.1f} ms   503 login_busy: {stats.login_busy}")
    if stats.errors:
        print(f"  other answers: {stats.errors}")
    return stats


def check(url: str, answered: list[int]) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        stored = {r[0] for r in conn.execute(text(
            "SELECT id FROM human_tasks WHERE status = 'completed' AND completed_by_id IS NOT NULL"))}
        duplicates = conn.execute(text(
            "SELECT count(*) FROM (SELECT instance_id, spiff_task_id FROM human_tasks "
            "GROUP BY instance_id, spiff_task_id HAVING count(*) > 1) d")).scalar()
        audited = conn.execute(text("SELECT count(*) FROM audit_events WHERE action = 'complete'")).scalar()
    engine.dispose()
    missing = set(answered) - stored
    ok = not missing and duplicates == 0 and audited == len(stored) and len(set(answered)) == len(answered)
    print(f"\nconsistency: {len(answered)} answered steps, {len(stored)} stored, {len(missing)} answered but not "
          f"stored, {duplicates} duplicated tasks, audit 'complete' rows {audited} (= stored steps: "
          f"{audited == len(stored)})  -> {'OK' if ok else 'FAILED'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--login-clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--threads", type=int, default=4, help="threads of each `jixiao serve` process")
    args = parser.parse_args()
    from tests.support import postgres

    name = postgres.new_name("jx_bench_prod")
    postgres.create_database(name)
    url = postgres.sqlalchemy_url(name)
    procs: list[subprocess.Popen] = []
    try:
        with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
            env = {**os.environ, "DATABASE_URL": url, "JIXIAO_INSTANCE_PATH": tmp, "SECRET_KEY": "bench",
                   "JIXIAO_DB_POOL_SIZE": str(args.threads), "JIXIAO_DB_MAX_OVERFLOW": "2"}
            os.environ.update({"JIXIAO_INSTANCE_PATH": tmp, "SECRET_KEY": "bench"})
            prepare(url)
            ports = [_free_port(), _free_port()]
            for port in ports:
                procs.append(subprocess.Popen([JIXIAO, "serve", "--workers", "1", "--threads", str(args.threads),
                                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL))
            for _ in range(2):
                procs.append(subprocess.Popen([JIXIAO, "worker", "--poll", "1"], env=env, stdout=subprocess.DEVNULL))
            bases = [f"http://127.0.0.1:{p}" for p in ports]
            deadline = time.monotonic() + 60
            for base in bases:
                while True:
                    try:
                        requests.get(f"{base}/login", timeout=2).raise_for_status()
                        break
                    except requests.RequestException:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.2)
            print(f"PostgreSQL {name}; jixiao serve x2 (1 process x {args.threads} threads each), jixiao worker x2; "
                  f"{os.cpu_count()} CPUs")
            clients = []
            for n in range(args.clients):  # logged in once, before the clock starts
                session = requests.Session()
                clients.append((session, _login(session, bases[n % 2])))
            answered = phase("task work", bases, clients, 0, args.seconds).answered
            answered += phase("task work + login flood", bases, clients, args.login_clients,
                              args.seconds).answered
            ok = check(url, answered)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        postgres.drop_database(name)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
