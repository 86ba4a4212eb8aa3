"""A PostgreSQL database of a bench's own (created, then dropped unless kept) with the app's instance folder in
a temporary directory, so a bench never touches a real database or the checkout's `instance/`."""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def scratch_database(prefix: str, *, keep: bool = False) -> Iterator[str]:
    """Yield the SQLAlchemy URL of a new database named after `prefix`; its name is printed."""
    from tests.support import postgres

    name = postgres.new_name(prefix)
    postgres.create_database(name)
    print(f"PostgreSQL database {name}")
    try:
        with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
            os.environ["JIXIAO_INSTANCE_PATH"] = tmp
            os.environ.pop("DATABASE_URL", None)
            yield postgres.sqlalchemy_url(name)
    finally:
        if not keep:
            postgres.drop_database(name)


def seeded_app(url: str):
    """The app on `url`, migrated and seeded with the demo county, its clock held at the suite's start."""
    from flask_migrate import upgrade

    from server import create_app
    from server.clock import ManualClock
    from server.services.demo import seed_demo
    from tests.conftest import START

    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, clock=ManualClock(START))
    with app.app_context():
        upgrade()
        seed_demo()
    return app


def analyze(engine, table: str = "") -> None:
    """Refresh the planner's statistics after a bulk fill, as production's autovacuum keeps them current."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"VACUUM ANALYZE {table}".strip())


def login(app, username: str):
    """A test client logged in through the login form (demo password), as a browser would be."""
    browser = app.test_client()
    page = browser.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    resp = browser.post("/login", data={"username": username, "password": "demo", "csrf_token": token})
    assert resp.status_code == 302, resp.status_code
    return browser


def p95(ordered: list[float]) -> float:
    """The 95th percentile of already sorted timings (nearest rank)."""
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def bench_args(doc: str | None, **defaults: int) -> argparse.Namespace:
    """The common command line: one integer option per default (`rows=1000` → --rows 1000) and --keep."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, value in defaults.items():
        parser.add_argument(f"--{name}", type=int, default=value)
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    return parser.parse_args()


def time_get(browser, path: str, repeat: int, statements: list[str], warmups: int = 2):
    """GET `path` warmups + repeat times: (median ms, p95 ms, the SQL statement counts seen, the last response),
    from the app's own Server-Timing; `statements` is the list an engine listener appends each statement to."""
    times, queries = [], set()
    for i in range(repeat + warmups):
        statements.clear()
        resp = browser.get(path)
        assert resp.status_code == 200, (path, resp.status_code, resp.get_data(as_text=True)[:300])
        if i >= warmups:
            times.append(float(resp.headers["Server-Timing"].split("=")[1]))
            queries.add(len(statements))
    ordered = sorted(times)
    return statistics.median(ordered), p95(ordered), "/".join(map(str, sorted(queries))), resp


@contextmanager
def filled_app(url: str, fills: list, tables: tuple[str, ...]):
    """The seeded app with each `fills(conn)` run in one transaction and the statistics refreshed; prints the
    time it took and the row counts of `tables`. Yields (app, engine); the pool is closed on the way out."""
    from server.db import db

    app = seeded_app(url)
    with app.app_context():
        t0 = time.perf_counter()
        with db.engine.begin() as conn:
            for fill in fills:
                fill(conn)
        analyze(db.engine)
        counts = {t: db.session.scalar(db.text(f"SELECT count(*) FROM {t}")) for t in tables}
        engine = db.engine
    print(f"  filled in {time.perf_counter() - t0:.0f} s: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
    try:
        yield app, engine
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
