"""Fixtures shared by the whole suite.

- `db_url`: a fresh, migrated database per test, once on SQLite (a real file) and once on PostgreSQL.
  Both are cloned from a template that `flask_migrate.upgrade` built once per session, so every test runs
  against the migrated schema (never `create_all`) without paying for the migrations each time.
  When PostgreSQL does not answer the postgres variants skip, except with CI=true, where they fail.
- `app`: the app on that database, with the demo county seeded and a ManualClock at 2026-01-05 09:00 Beijing.
- `client`, `login_as("school1")` (API caller with a bearer token), `app_ctx`, `clock`.

Do not hold `app_ctx` while calling `client`: a request would reuse the test's app context and its
database session. Wrap direct database work in `with app.app_context():` instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import postgres, sqlite
from tests.support.api import ApiUser, api_as

START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # a Monday morning in the county, fiscal year 2026


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def make_app(db_url: str, clock=None, **config) -> Flask:
    from server import create_app
    from server.clock import ManualClock

    return create_app(
        {"SQLALCHEMY_DATABASE_URI": db_url, "TESTING": True, **config}, clock=clock or ManualClock(START)
    )


def migrate(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


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
    base = tmp_path_factory.mktemp("sqlite-template")
    path = base / "template.sqlite3"
    with instance_env(base / "instance"):
        app = make_app(sqlite.url(path))
        migrate(app)
        dispose(app)
    return path


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    postgres_or_skip()
    postgres.drop_stale()
    name = postgres.new_name("jx_tpl")
    postgres.create_database(name)
    try:
        with instance_env(tmp_path_factory.mktemp("pg-template") / "instance"):
            app = make_app(postgres.sqlalchemy_url(name))
            migrate(app)
            dispose(app)
        yield name
    finally:
        postgres.drop_database(name)


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated SQLite database file of this test's own."""
    return sqlite.clone(sqlite_template, tmp_path / "jixiao.sqlite3")


@pytest.fixture
def postgres_url(postgres_template: str) -> Iterator[str]:
    """A migrated PostgreSQL database of this test's own, dropped afterwards."""
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
    from server.services.demo import seed_demo

    app = make_app(db_url)
    migrate(app)  # already at head from the template; proves the test database is the migrated schema
    with app.app_context():
        seed_demo()
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
    """`login_as("school1")` -> an API caller sending that demo user's bearer token."""

    def _login(username: str, password: str = "demo") -> ApiUser:
        return api_as(client, username, password)

    return _login
