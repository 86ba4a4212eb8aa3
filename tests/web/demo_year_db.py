"""The demo county's fiscal year (`jixiao init --demo`, clock at 2026-11-23 09:30 in the county) seeded once per
run and backend (with xdist too: tests/support/shared.py), for list pages that need real projects, monitoring reports, decisions and open tasks.

Bind the fixtures in a test module: `year_db, year_url, app = demo_year_db.year_db, demo_year_db.year_url,
demo_year_db.app`.
`app` then runs on a copy of that year (SQLite: a file copy; PostgreSQL: a rolled-back transaction on the
seeded database), so `client`, `browser`, `login_as`, `clock` from the conftests work on it unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from server.clock import ManualClock
from tests.conftest import dispose, instance_env, make_app
from tests.support import postgres, shared, sqlite

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # Monday 09:30 in the county


@dataclass(frozen=True)
class YearDb:
    backend: str
    location: str  # SQLite: the seeded file; PostgreSQL: the seeded database's name
    output: str = ""  # what `jixiao init --demo` printed while seeding it


# The year seeded per backend, for the whole session. pytest keeps only one parameter of a parametrized session
# fixture alive at a time, so `year_db` alone would seed again each time the test order switches backend.
_SEEDED: dict[str, YearDb] = {}


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def year_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> YearDb:
    if request.param not in _SEEDED:
        if request.param == "postgres":
            from tests.conftest import postgres_or_skip

            postgres_or_skip()
        seeded = shared.once(tmp_path_factory, f"year-{request.param}", lambda base: _seed(request.param, base),
                             wait=False)
        if seeded is None:  # another worker is seeding this backend's year: seed the other one meanwhile
            if (other := _other_needed(request)) is not None:
                shared.once(tmp_path_factory, f"year-{other}", lambda base: _seed(other, base), wait=False)
            seeded = shared.once(tmp_path_factory, f"year-{request.param}", lambda base: _seed(request.param, base))
        year = YearDb(**json.loads(seeded))
        if year.backend == "postgres" and shared.worker():
            # Every xdist worker has its own copy: rolled-back transactions of two workers on one database
            # would wait for each other's row locks. The controller drops the original and the copies (a
            # worker may be ended before its config cleanups run).
            name = postgres.new_name("jx_year", shared=True)
            postgres.create_database(name, template=year.location)
            year = YearDb(year.backend, name, year.output)
        _SEEDED[request.param] = year
        if year.backend == "postgres":  # dropped when the session ends, not when the parameter switches
            request.config.add_cleanup(lambda: postgres.drop_database(year.location))
    return _SEEDED[request.param]


def _other_needed(request: pytest.FixtureRequest) -> str | None:
    """The other backend, if some test of this run needs its year (and, for PostgreSQL, the server answers)."""
    other = "postgres" if request.param == "sqlite" else "sqlite"
    if not any(getattr(item, "callspec", None) and item.callspec.params.get("year_db") == other
               for item in request.session.items):
        return None
    if other == "postgres":
        try:
            postgres.admin_url()
        except postgres.PostgresUnavailable:
            return None
    return other


def _seed(backend: str, base: Path) -> str:
    """`jixiao init --demo` on an empty database, as a newcomer runs it; the YearDb as JSON."""
    if backend == "sqlite":
        path = base / "year.sqlite3"
        url, name = sqlite.url(path), None
    else:
        name = postgres.new_name("jx_year", shared=True)
        postgres.create_database(name)
        url = postgres.sqlalchemy_url(name)
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
    return json.dumps(asdict(YearDb(backend, str(path) if name is None else name, result.output)))


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
