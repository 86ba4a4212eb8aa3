"""Benchmark: the project library (/projects) and the warnings board (/warnings) on PostgreSQL with 200,000
projects and 2,000,000 monitoring reports, and the 20,000-row .xlsx export's time and memory.

Creates a throwaway database on the PostgreSQL at 127.0.0.1:5432 (dropped afterwards), migrates it, seeds the
demo county, then generates 1,000 units in 10 sectors, the projects (five fiscal years, every stage, the
denormalised colour/grade/budget columns as the operators keep them) and ten monthly reports per project
(about 12% yellow, 8% red, with a finance decision on every warning but the latest month) with generate_series.
It logs in through the login form and reports the app's own time per request (Server-Timing): median and p95
over --repeat requests after warm-ups, and the SQL statements per request. Targets: under 100 ms median for
the first pages; the 20,000-row export under 5 s with flat memory (its tracemalloc peak is compared with a
2,000-row export's).

    .venv/bin/python bench/project_library.py [--projects 200000] [--repeat 20] [--keep]
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import bench_args, filled_app, login, scratch_database, time_get  # noqa: E402

SECTORS = ("教育", "科技", "文化", "农业", "水利", "卫生", "交通", "环保", "民政", "城建")
UNITS = 1000
PAGES = {
    "perf": {
        "library: first page (all 200k)": "/projects",
        "library: year + red": "/projects?year=2026&colour=red",
        "library: sector, by amount": "/projects?sector=水利&sort=amount_desc",
        "library: grade 优, by score": "/projects?grade=优&sort=score_desc",
        "library: amount 50–80 万元 + goal": "/projects?min=50&max=80&goal=approved",
        "library: unit + year": "/projects?organisation={org}&year=2025",
        "library: search name": "/projects?q=项目 1234",
        "library: page 500": "/projects?page=500",
        "warnings: first page (all)": "/warnings",
        "warnings: red, month": "/warnings?colour=red&month=2026-09",
        "warnings: sector + unit": "/warnings?sector=水利&organisation={org}",
    },
    "fin_edu": {
        "library: first page (3 sectors)": "/projects",
        "warnings: first page (3 sectors)": "/warnings",
        "warnings: yellow": "/warnings?colour=yellow",
    },
}


def _exec(conn, statement: str):
    return conn.exec_driver_sql(statement.replace("%", "%%"))  # psycopg reads a lone % as a placeholder


def fill(conn, projects: int) -> None:
    """Units, projects and reports in SQL. Foreign keys to flow tables (goal versions) are not checked while
    loading (session_replication_role): the pages never read those rows."""
    _exec(conn, "SET session_replication_role = replica")
    _exec(conn, f"""
        INSERT INTO organisations (code, name, kind, parent_id, sector)
        SELECT 'bench_dept_' || s, '县' || sector || '局（基准）', 'department', NULL, sector
        FROM unnest(ARRAY{list(SECTORS)}::text[]) WITH ORDINALITY AS t(sector, s)
    """)
    _exec(conn, f"""
        INSERT INTO organisations (code, name, kind, parent_id, sector)
        SELECT 'bench_unit_' || u, '基准单位 ' || u, 'unit', d.id, d.sector
        FROM generate_series(0, {UNITS - 1}) AS u
        JOIN organisations d ON d.code = 'bench_dept_' || (u % 10 + 1)
    """)
    # Project n: unit n % 1000 (so sector = its department's), year 2022 + (n / 7) % 5 (every unit has
    # every year), amount 10–99.9 万元.
    _exec(conn, f"""
        INSERT INTO projects (code, name, organisation_id, department_id, sector, fiscal_year, project_type,
            requested_amount, amount, status, goal_status, created_at, admitted_at,
            monitoring_colour, monitoring_month, last_grade, last_score, budget_now)
        SELECT 'BX-' || lpad(n::text, 7, '0'), '基准项目 ' || n || ' 号（' || u.sector || '）', u.id, u.parent_id, u.sector,
               2022 + (n / 7) % 5, 'new', 100000 + (n * 7919 % 900) * 1000, 100000 + (n * 7919 % 900) * 1000,
               (ARRAY['applied','assessing','in_library','in_library','in_library','in_library','rejected'])[1 + n % 7],
               CASE WHEN n % 7 BETWEEN 2 AND 5 THEN
                 (ARRAY['awaiting','drafting','reviewing','approved','approved','approved','adjusting'])[1 + n % 11 % 7]
               END,
               timestamptz '2022-01-01 00:00+00' + n * interval '7 minutes',
               timestamptz '2022-02-01 00:00+00' + n * interval '7 minutes',
               NULL, NULL,
               CASE WHEN n % 5 < 3 THEN (ARRAY['优','良','中','差'])[1 + n % 4] END,
               CASE WHEN n % 5 < 3 THEN 95 - (n % 4) * 10 - n % 7 END,
               CASE WHEN n % 13 = 0 THEN 100000 + (n * 7919 % 900) * 1000 - 50000 END
        FROM generate_series(1, {projects}) AS n
        JOIN organisations u ON u.code = 'bench_unit_' || (n % {UNITS})
    """)
    # Ten monthly reports per project of its fiscal year: about 12% yellow, 8% red, the rest green or blue.
    _exec(conn, """
        INSERT INTO monitoring_reports (project_id, goal_id, instance_id, fiscal_year, month, budget, spent,
            execution_ratio, execution_colour, goal_colour, colour, cause, measures, created_at, explained_at)
        SELECT p.id, 1, NULL, p.fiscal_year, m, p.amount, p.amount * m / 15, 0.8,
               c.colour, c.colour, c.colour,
               CASE WHEN c.colour IN ('yellow', 'red') THEN '基准：支出进度滞后，第 ' || m || ' 月' END,
               CASE WHEN c.colour IN ('yellow', 'red') THEN '基准：加快支付进度' END,
               make_timestamptz(p.fiscal_year, m, 28, 2, 0, 0, 'UTC'),
               CASE WHEN c.colour IN ('yellow', 'red') THEN make_timestamptz(p.fiscal_year, m, 28, 8, 0, 0, 'UTC') END
        FROM projects p
        CROSS JOIN generate_series(1, 10) AS m
        CROSS JOIN LATERAL (SELECT CASE WHEN (p.id * 31 + m * 17) % 100 < 8 THEN 'red'
                                        WHEN (p.id * 31 + m * 17) % 100 < 20 THEN 'yellow'
                                        WHEN (p.id * 31 + m * 17) % 100 < 25 THEN 'blue'
                                        ELSE 'green' END AS colour) AS c
        WHERE p.code LIKE 'BX-%'
    """)
    _exec(conn, """
        INSERT INTO monitoring_corrections (project_id, report_id, kind, amount, opinion, created_at)
        SELECT project_id, id, (ARRAY['accept','suspend_payment','adjust_goals'])[1 + id % 3], NULL,
               '基准：财政决定', created_at + interval '3 days'
        FROM monitoring_reports WHERE colour IN ('yellow', 'red') AND month < 10
    """)
    _exec(conn, """
        UPDATE projects p SET monitoring_colour = r.colour, monitoring_month = r.fiscal_year * 100 + r.month
        FROM monitoring_reports r WHERE r.project_id = p.id AND r.month = 10
    """)
    _exec(conn, "SET session_replication_role = DEFAULT")



def measure_pages(app, engine, org: int, repeat: int) -> float:
    from sqlalchemy import event

    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    print(f"\n{'page':<44}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'rows':>6}")
    worst = 0.0
    for username, pages in PAGES.items():
        browser = login(app, username)
        print(f"-- as {username}")
        for name, path in pages.items():
            path = path.format(org=org)
            median, tail, queries, resp = time_get(browser, path, repeat, statements)
            html = resp.get_data(as_text=True)
            shown = html.count('<tr data-report=') or html.count('<td data-label="项目"><a')
            if "search" not in name:
                worst = max(worst, median)
            print(f"{name:<44}{median:>10.1f}{tail:>9.1f}{queries:>9}{shown:>6}")
    return worst


def measure_export(app) -> None:
    import io

    import openpyxl

    browser = login(app, "perf")
    print("\n.xlsx export (perf)")
    for label, path in (("~2,000 rows", "/projects?format=xlsx&sector=教育&max=20"),
                        ("20,000 rows", "/projects?format=xlsx&sector=教育")):
        t0 = time.perf_counter()
        resp = browser.get(path)
        body = resp.get_data()  # the streamed body, read to its end
        seconds = time.perf_counter() - t0
        assert resp.status_code == 200, resp.status_code
        tracemalloc.start()
        resp = browser.get(path, buffered=False)
        size = sum(len(chunk) for chunk in resp.response)  # consumed chunk by chunk, as a WSGI server sends it
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows = sum(1 for _ in openpyxl.load_workbook(io.BytesIO(body), read_only=True).active.iter_rows()) - 2
        print(f"  {label:<12} {rows:>7,} rows  {seconds:6.2f} s  {size / 1e6:5.1f} MB  "
              f"peak Python memory while streaming {peak / 1e6:5.1f} MB")


def run(url: str, projects: int, repeat: int) -> None:
    from server.db import db

    tables = ("projects", "monitoring_reports", "monitoring_corrections")
    with filled_app(url, [lambda conn: fill(conn, projects)], tables) as (app, engine):
        with app.app_context():
            org = db.session.scalar(db.text("SELECT id FROM organisations WHERE code = 'bench_unit_4'"))
        worst = measure_pages(app, engine, org, repeat)
        print(f"\nworst median (search excluded) {worst:.1f} ms (target < 100 ms server time)")
        measure_export(app)


def main() -> None:
    args = bench_args(__doc__, projects=200_000, repeat=20)
    with scratch_database("jx_bench_library", keep=args.keep) as url:
        run(url, args.projects, args.repeat)


if __name__ == "__main__":
    main()
