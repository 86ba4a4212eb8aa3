"""The demo county's fiscal year (`jixiao init --demo`, clock at 2026-11-23 09:30 in the county) seeded once per
session and backend, for list pages that need real projects, monitoring reports, decisions and open tasks.

Bind the fixtures in a test module: `year_db, year_url, app = demo_year_db.year_db, demo_year_db.year_url,
demo_year_db.app`.
`app` then runs on a copy of that year (SQLite: a file copy; PostgreSQL: a rolled-back transaction on the
seeded database), so `client`, `browser`, `login_as`, `clock` from the conftests work on it unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from server.clock import ManualClock
from tests.conftest import dispose, instance_env, make_app
from tests.support import postgres, sqlite

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # Monday 09:30 in the county


@dataclass(frozen=True)
class YearDb:
    backend: str
    location: str  # SQLite: the seeded file; PostgreSQL: the seeded database's name


# The year seeded per backend, for the whole session. pytest keeps only one parameter of a parametrized session
# fixture alive at a time, so `year_db` alone would seed again each time the test order switches backend.
_SEEDED: dict[str, YearDb] = {}


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def year_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> YearDb:
    if request.param not in _SEEDED:
        year = _SEEDED[request.param] = _seed(request.param, tmp_path_factory)
        if year.backend == "postgres":  # dropped when the session ends, not when the parameter switches
            request.config.add_cleanup(lambda: postgres.drop_database(year.location))
    return _SEEDED[request.param]


def _seed(backend: str, tmp_path_factory: pytest.TempPathFactory) -> YearDb:
    base = tmp_path_factory.mktemp(f"year-{backend}")
    if backend == "sqlite":
        path = base / "year.sqlite3"
        url, name = sqlite.url(path), None
    else:
        from tests.conftest import postgres_or_skip

        postgres_or_skip()
        name = postgres.new_name("jx_year")
        postgres.create_database(name)
        url = postgres.sqlalchemy_url(name)
    year = YearDb(backend, str(path) if name is None else name)
    try:
        with instance_env(base / "instance"):
            app = make_app(url, clock=ManualClock(NOW))
            result = app.test_cli_runner().invoke(args=["init", "--demo"])
            assert result.exit_code == 0, result.output
            dispose(app)
    except BaseException:
        if name:
            postgres.drop_database(name)
        raise
    return year


@pytest.fixture
def year_url(year_db: YearDb, tmp_path: Path) -> Iterator[str]:
    if year_db.backend == "sqlite":
        yield sqlite.clone(Path(year_db.location), tmp_path / "year.sqlite3")
        return
    with postgres.rolled_back(year_db.location) as url:
        yield url


@pytest.fixture
def app(year_url: str, instance_path: Path) -> Iterator[Flask]:
    app = make_app(year_url, clock=ManualClock(NOW))
    yield app
    dispose(app)
