"""Fixtures shared by the whole suite.

- `db_url`: a migrated database with the demo county, once on SQLite and once on PostgreSQL. Both come from
  a template that `flask_migrate.upgrade` built and `seed_demo` filled once per session, so every test runs
  against the migrated schema (never `create_all`) without paying for migrations or seeding each time.
  SQLite: a copy of the template file of the test's own. PostgreSQL: one transaction on a database shared by
  the session, rolled back after the test (tests/support/postgres.py: the app's commits are savepoints in it).
  When PostgreSQL does not answer the postgres variants skip, except with CI=true, where they fail.
- `app`: the app on that database with a ManualClock at 2026-01-05 09:00 Beijing.
- `client`, `login_as("school1")` (API caller with a bearer token, reused until the clock moves),
  `fresh_login`, `app_ctx`, `clock`.

Markers (registered in pyproject.toml):
- `@pytest.mark.own_database`: the test gets a real PostgreSQL database of its own (CREATE DATABASE from the
  template, dropped afterwards) instead of the rolled-back transaction. Use it when the test
  * runs app code in more than one thread (races, load, parallel workers, a live server): threads cannot
    share the one transaction (the connection refuses a second thread with a message naming this marker);
  * needs what a transaction cannot show: several connections that must not see each other's uncommitted
    work, locks between them, `db.engine` connections of its own, DDL/TRUNCATE, migrations;
  * starts the `jixiao` command or another process on the database.
  SQLite tests always have a file of their own; the marker changes nothing for them.
- `postgres`: set by `db_url`'s postgres variant; `browser`: tests under tests/browser.

Speed (the whole suite must stay well under 10 minutes on two cores): scripts/test.sh runs two pytest-xdist
workers; the templates and the demo year are built once per run for all workers (tests/support/shared.py);
tests that each walk the same flows to the same point start from a copy of one walk instead
(tests/support/snapshot.py: the web `county`, the flow directories' `flows`). `pytest tests/x.py` runs in one
process as before.

Do not hold `app_ctx` while calling `client`: a request would reuse the test's app context and its
database session. Wrap direct database work in `with app.app_context():` instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import postgres, shared, sqlite
from tests.support.api import ApiUser, api_as, login
from tests.support.config import TEST_CONFIG

START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # a Monday morning in the county, fiscal year 2026


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def make_app(db_url: str, clock=None, **config) -> Flask:
    from server import create_app
    from server.clock import ManualClock

    engine = postgres.engine_options(db_url)  # the shared connection, on a rolled-back URL
    settings = {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": db_url, **config}
    if engine:
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {**settings.get("SQLALCHEMY_ENGINE_OPTIONS", {}), **engine}
    return create_app(settings, clock=clock or ManualClock(START))


def migrate(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


def seed(app: Flask) -> None:
    from server.services.demo import seed_demo

    with app.app_context():
        seed_demo()


def dispose(app: Flask) -> None:
    """Close the app's connections, so the database can be copied or dropped."""
    from server.db import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@contextmanager
def instance_env(path: Path) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JIXIAO_INSTANCE_PATH", str(path))
        mp.delenv("DATABASE_URL", raising=False)
        yield


def postgres_or_skip() -> None:
    try:
        postgres.admin_url()
    except postgres.PostgresUnavailable as err:
        message = f"PostgreSQL did not answer ({err})"
        if on_ci():
            pytest.fail(f"{message}; CI=true requires PostgreSQL", pytrace=False)
        pytest.skip(f"{message}; start it to run the postgres tests (with CI=true they fail instead)")


def pytest_unconfigure(config: pytest.Config) -> None:
    """The xdist controller drops the databases its workers shared (tests/support/shared.py)."""
    if config.pluginmanager.hasplugin("dsession"):
        with suppress(postgres.PostgresUnavailable):
            postgres.drop_owned_by(os.getpid())


def pytest_report_header(config) -> str:
    try:
        return f"postgres: {postgres.admin_url()}"
    except postgres.PostgresUnavailable:
        return "postgres: not answering (postgres tests " + ("fail)" if on_ci() else "skip)")


# ---------------------------------------------------------------- databases


@pytest.fixture
def instance_path(tmp_path: Path) -> Iterator[Path]:
    """JIXIAO_INSTANCE_PATH for this test (secret key, SQLite default, attachments)."""
    path = tmp_path / "instance"
    with instance_env(path):
        yield path


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrated schema with the demo county, in a file each SQLite test copies (built once per run, also
    with xdist workers: tests/support/shared.py)."""

    def build(base: Path) -> str:
        path = base / "template.sqlite3"
        with instance_env(base / "instance"):
            app = make_app(sqlite.url(path))
            migrate(app)
            seed(app)
            dispose(app)
        return str(path)

    return Path(shared.once(tmp_path_factory, "sqlite-template", build))


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    postgres_or_skip()

    def build(base: Path) -> str:
        postgres.drop_stale()
        name = postgres.new_name("jx_tpl", shared=True)
        postgres.create_database(name)
        try:
            with instance_env(base / "instance"):
                app = make_app(postgres.sqlalchemy_url(name))
                migrate(app)
                seed(app)
                dispose(app)
        except BaseException:
            postgres.drop_database(name)
            raise
        return name

    name = shared.once(tmp_path_factory, "pg-template", build)
    if shared.worker():
        yield name  # other workers may still clone it: the controller drops it when the run ends
        return
    try:
        yield name
    finally:
        postgres.drop_database(name)


@pytest.fixture(scope="session")
def postgres_shared(postgres_template: str) -> Iterator[str]:
    """The copy of the template that rolled-back tests share (the template itself must stay unconnected,
    so own_database tests can still be cloned from it)."""
    name = postgres.new_name("jx_shared")
    postgres.create_database(name, template=postgres_template)
    try:
        yield name
    finally:
        postgres.drop_database(name)


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated SQLite database file of this test's own, with the demo county."""
    return sqlite.clone(sqlite_template, tmp_path / "jixiao.sqlite3")


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest, postgres_template: str) -> Iterator[str]:
    """A migrated PostgreSQL database with the demo county: one rolled-back transaction on the shared
    database, or with `@pytest.mark.own_database` a database of this test's own, dropped afterwards."""
    if request.node.get_closest_marker("own_database") is None:
        with postgres.rolled_back(request.getfixturevalue("postgres_shared")) as url:
            yield url
        return
    name = postgres.new_name("jx_t")
    postgres.create_database(name, template=postgres_template)
    try:
        yield postgres.sqlalchemy_url(name)
    finally:
        postgres.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def empty_sqlite_url(tmp_path: Path) -> str:
    """A SQLite file with no tables at all (for migration tests)."""
    return sqlite.url(tmp_path / "empty.sqlite3")


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """An empty PostgreSQL database (for migration tests), dropped afterwards."""
    postgres_or_skip()
    name = postgres.new_name("jx_empty")
    postgres.create_database(name)
    try:
        yield postgres.sqlalchemy_url(name)
    finally:
        postgres.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(f"empty_{request.param}_url")


# ---------------------------------------------------------------- the app


@pytest.fixture
def app(db_url: str, instance_path: Path) -> Iterator[Flask]:
    app = make_app(db_url)
    yield app
    dispose(app)


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


@pytest.fixture
def clock(app: Flask):
    """The app's ManualClock; `clock.advance(...)`/`clock.set(...)` travel through the fiscal year."""
    return app.extensions["jixiao.clock"]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login_as(client: FlaskClient) -> Callable[..., ApiUser]:
    """`login_as("school1")` -> an API caller sending that demo user's bearer token. Asking again returns the
    same caller until the clock moves or its token is revoked (tests/support/api.py); `fresh_login` always
    logs in anew."""

    def _login(username: str, password: str = "demo") -> ApiUser:
        return api_as(client, username, password)

    return _login


@pytest.fixture
def fresh_login(client: FlaskClient) -> Callable[..., ApiUser]:
    """`fresh_login("school1")` -> a caller with a token of its own, for tests about tokens themselves."""

    def _login(username: str, password: str = "demo") -> ApiUser:
        return login(client, username, password)

    return _login
