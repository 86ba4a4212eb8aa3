"""Benchmark: the 已办 (done) list and its search cost what a page costs, however long the history.

Two finance reviewers on one PostgreSQL database: fin_edu has completed 100,000 tasks, fin_agri 100 (and
200,000 other rows belong to other people). For each, the 已办 page (the whole page, as a browser gets it),
the API's done list, and searches of 4 characters (a project-name word), 2 characters (trigrams need 3) and a
project code, newest first. Prints the app's own time (Server-Timing) per request and the ratio big / small;
the target is within 1.5x.

    .venv/bin/python bench/done_history.py [--big 100000] [--small 100] [--others 200000] [--repeat 30]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import analyze, bench_args, login, scratch_database, seeded_app  # noqa: E402

NAMES = ["县第一中学食堂改造", "县水利工程站堤防加固", "乡村道路硬化工程", "中小学校舍维修", "农田灌溉渠道修缮",
         "县医院设备购置", "文化站图书更新", "科技示范园建设"]
REQUESTS = {
    "已办 page": "/inbox?view=done",
    "已办 page 10": "/inbox?view=done&page=10",
    "search 4 chars (堤防加固)": "/inbox?view=done&q=堤防加固",
    "search 2 chars (食堂)": "/inbox?view=done&q=食堂",
    "search 2 chars, no match (堤坝)": "/inbox?view=done&q=堤坝",
    "search 4 chars, no match (水库除险)": "/inbox?view=done&q=水库除险",
    "search code (P-{code})": "/inbox?view=done&q=P-{code}",
    "API done list": "/api/v1/tasks?view=done",
    "API search (校舍维修)": "/api/v1/tasks?view=done&q=校舍维修",
    "API keyset, mid-history": "/api/v1/tasks?view=done&after={cursor}",
}


def _exec(conn, statement: str):
    return conn.exec_driver_sql(statement.replace("%", "%%"))


def fill(conn, big: int, small: int, others: int) -> dict[str, int]:
    """Done rows for fin_edu (big), fin_agri (small) and school1 (others), generated in SQL; returns a code
    in each user's history to search for."""
    ids = {n: conn.exec_driver_sql(f"SELECT id FROM users WHERE username = '{n}'").scalar()
           for n in ("fin_edu", "fin_agri", "school1")}
    org = conn.exec_driver_sql("SELECT id FROM organisations WHERE code = 'jyj_yz'").scalar()
    names = "ARRAY[" + ",".join(f"'{n}'" for n in NAMES) + "]"
    total = big + small + others
    _exec(conn, f"""
        INSERT INTO human_tasks (instance_id, spiff_task_id, task_name, title, role, organisation_id,
            department_id, sector, assignee_id, status, due_at, process_key, project_name, project_code, amount,
            created_at, completed_at, completed_by_id)
        SELECT (SELECT min(id) FROM process_instances), md5(n::text)::uuid::text, 'Task_Review', '财政审核',
            'finance_section', {org}, NULL, '教育', u, 'completed', NULL, 'review',
            ({names})[1 + n % {len(NAMES)}] || ' ' || n, 'P-' || n, (n % 1000) * 1000 + 500,
            timestamptz '2020-01-01 00:00+00' + n * interval '10 minutes',
            timestamptz '2020-01-01 01:00+00' + n * interval '10 minutes', u
        FROM (SELECT n, CASE WHEN n <= {big} THEN {ids['fin_edu']} WHEN n <= {big + small} THEN {ids['fin_agri']}
                             ELSE {ids['school1']} END AS u
              FROM generate_series(1, {total}) AS n) AS g
    """)
    return {"fin_edu": big // 2, "fin_agri": big + small // 2}


def cursors(conn, codes: dict[str, int]) -> dict[str, str]:
    """A keyset cursor at each user's code row (half-way through their history)."""
    from types import SimpleNamespace

    from server.services.inbox import Tab, cursor_after

    found = {}
    for user, code in codes.items():
        row = conn.exec_driver_sql(f"SELECT id, completed_at FROM human_tasks WHERE project_code = 'P-{code}'").one()
        found[user] = cursor_after(SimpleNamespace(id=row.id, completed_at=row.completed_at), Tab.DONE)
    return found



def _measure(calls: dict[str, tuple], repeat: int) -> dict[str, tuple[float, str]]:
    """Median app time of each call; the users' requests alternate, so both meet the same machine load
    (the bench shares its cores with other work)."""
    times: dict[str, list[float]] = {user: [] for user in calls}
    bodies: dict[str, str] = {}
    for i in range(repeat + 3):
        for user, (client, path, headers) in calls.items():
            resp = client.get(path, headers=headers or {})
            assert resp.status_code == 200, (path, resp.status_code, resp.get_data(as_text=True)[:300])
            if i >= 3:
                times[user].append(float(resp.headers["Server-Timing"].split("=")[1]))
            bodies[user] = resp.get_data(as_text=True)
    return {user: (statistics.median(t), bodies[user]) for user, t in times.items()}


def run(url: str, big: int, small: int, others: int, repeat: int) -> float:

    from server.db import db
    from tests.api.helpers import FLOWS, deploy_folder, start
    from tests.support.api import api_as

    app = seeded_app(url)
    client = app.test_client()
    assert deploy_folder(api_as(client, "admin"), "review", FLOWS / "review").status_code == 201
    start(api_as(client, "school1"), "review")
    t0 = time.perf_counter()
    with app.app_context():
        with db.engine.begin() as conn:
            codes = fill(conn, big, small, others)
            keyset = cursors(conn, codes)
        analyze(db.engine, "human_tasks")
    print(f"  filled {big + small + others:,} done rows in {time.perf_counter() - t0:.0f} s")

    results: dict[str, dict[str, float]] = {}
    users = {"fin_edu": big, "fin_agri": small}
    browsers = {user: login(app, user) for user in users}
    tokens = {user: {"Authorization": f"Bearer {api_as(client, user).token}"} for user in users}
    api_client = app.test_client()
    for name, path in REQUESTS.items():
        calls = {}
        for user in users:
            is_api = path.startswith("/api/")
            calls[user] = (api_client if is_api else browsers[user], path.format(code=codes[user], cursor=keyset[user]),
                           tokens[user] if is_api else None)
        for user, (ms, body) in _measure(calls, repeat).items():
            results.setdefault(name, {})[user] = ms
            if name.startswith("search code"):
                assert f"P-{codes[user]}" in body, "the code search found nothing"
    print(f"\n{'request':<34}{'100,000 done ms':>16}{'100 done ms':>13}{'ratio':>8}")
    worst = 0.0
    for name, by_user in results.items():
        ratio = by_user["fin_edu"] / by_user["fin_agri"]
        worst = max(worst, ratio)
        print(f"{name:<34}{by_user['fin_edu']:>16.1f}{by_user['fin_agri']:>13.1f}{ratio:>7.2f}x")
    print(f"\nworst ratio {worst:.2f}x (target <= 1.5x)")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return worst


def main() -> None:
    args = bench_args(__doc__, big=100_000, small=100, others=200_000, repeat=30)
    with scratch_database("jx_bench_done", keep=args.keep) as url:
        run(url, args.big, args.small, args.others, args.repeat)


if __name__ == "__main__":
    main()
