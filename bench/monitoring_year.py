"""Benchmark: does a year-long monitoring instance get slower as its rounds pile up?

Walks PROJECTS projects (each with approved goals) through the 12 monthly rounds of 绩效运行监控 over the JSON
API in-process on SQLite, moving the injectable clock month by month, and prints per round the median request
time of filing the report (client and Server-Timing) and the size of the stored state. The issue asks that the
cost after the 12th round stays within 1.5x of the first.

    .venv/bin/python bench/monitoring_year.py [--projects 6]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        os.environ["JIXIAO_INSTANCE_PATH"] = tmp
        os.environ.pop("DATABASE_URL", None)
        run(args.projects, Path(tmp))


def run(projects: int, tmp: Path) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from server import create_app
    from server.clock import ManualClock
    from server.db import db
    from server.models import ProcessInstance
    from server.services.demo import seed_demo
    from tests.api.helpers import deploy_folder, start
    from tests.flows_ex_ante.conftest import Users
    from tests.flows_monitoring.conftest import JANUARY, KEY, REPORT, approved_project, month_end, report_rows
    from tests.flows_monitoring.test_monitoring_year import on_track
    from tests.support.api import api_as

    clock = ManualClock(JANUARY)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}"}, clock=clock)
    with app.app_context():
        upgrade()
        seed_demo()
    client = app.test_client()
    users = Users(lambda name: api_as(client, name))
    admin = users["admin"]
    for key in ("ex_ante", "goal_review", KEY):
        assert deploy_folder(admin, key, ROOT / "workflows" / key).status_code == 201
    school = users["school1"]
    instances = [start(school, KEY, {"project_code": approved_project(users)})["id"] for _ in range(projects)]

    print(f"monitoring: {projects} projects through 12 monthly rounds, SQLite, in-process HTTP, milliseconds")
    print(f"{'round':>5}{'client median':>15}{'app median':>12}{'state KB':>10}")
    first = last = 0.0
    for month in range(1, 13):
        month_end(clock, app, month)
        school = users["school1"]  # tokens expire on the moving clock
        client_ms, app_ms = [], []
        for iid in instances:
            task = next(t for t in school.get("/api/v1/tasks", query_string={"view": "claimable", "per_page": 100})
                        .get_json()["items"] if t["instance_id"] == iid and t["title"] == REPORT)
            body = {"spent": 30000 * month, "indicator_reports": report_rows(school, iid, on_track(month))}
            t0 = time.perf_counter()
            resp = school.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": body})
            client_ms.append((time.perf_counter() - t0) * 1000)
            assert resp.status_code == 200, resp.get_json()
            app_ms.append(float(resp.headers["Server-Timing"].split("=")[1]))
        with app.app_context():
            sizes = db.session.scalars(select(ProcessInstance.state).where(ProcessInstance.id.in_(instances))).all()
        median = statistics.median(app_ms)
        first = first or median
        last = median
        print(f"{month:>5}{statistics.median(client_ms):>15.2f}{median:>12.2f}"
              f"{statistics.median(len(s) for s in sizes) / 1024:>10.1f}")
    print(f"round 12 / round 1 (app time): {last / first:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
