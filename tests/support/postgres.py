"""Throwaway PostgreSQL databases for tests, cloned from a migrated template with the demo county, and the
rolled-back connection most tests run on instead of a database of their own.

The server is the one at 127.0.0.1:5432 with trust auth (user postgres or root), or JIXIAO_TEST_PG_URL
(a libpq URL to any database we may connect to, used for CREATE/DROP DATABASE).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import psycopg
from psycopg import sql

HOST, PORT = "127.0.0.1", 5432


class PostgresUnavailable(RuntimeError):
    pass


def _candidates() -> list[str]:
    if url := os.environ.get("JIXIAO_TEST_PG_URL"):
        return [url]
    users = [u for u in (os.environ.get("PGUSER"), "postgres", "root") if u]
    return [f"postgresql://{user}@{HOST}:{PORT}/{db}" for user in dict.fromkeys(users) for db in ("test", "postgres")]


@cache
def admin_url() -> str:
    """The first candidate URL that answers; raises PostgresUnavailable with every reason otherwise."""
    reasons = []
    for url in _candidates():
        try:
            with psycopg.connect(url, connect_timeout=3):
                return url
        except psycopg.Error as err:
            reasons.append(f"{url}: {str(err).strip().splitlines()[0] if str(err).strip() else err!r}")
    raise PostgresUnavailable("; ".join(reasons))


@contextmanager
def _admin():
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        yield conn


def sqlalchemy_url(database: str) -> str:
    """A SQLAlchemy (psycopg 3) URL for `database` on the admin server, same user."""
    info = psycopg.conninfo.conninfo_to_dict(admin_url())
    user = info.get("user") or os.environ.get("PGUSER") or "postgres"
    host, port = info.get("host", HOST), info.get("port", PORT)
    password = f":{info['password']}" if info.get("password") else ""
    return f"postgresql+psycopg://{user}{password}@{host}:{port}/{database}"


def new_name(prefix: str, *, shared: bool = False) -> str:
    """A database name that says whose it is: the worker and the pid that must be alive while it is used
    (`drop_stale` reads it). `shared`: every xdist worker of the run uses it, so it lives as long as the
    controller (tests/support/shared.py)."""
    from tests.support.shared import run_pid, worker

    if shared:
        return f"{prefix}_run_{run_pid()}_{uuid.uuid4().hex[:8]}"
    return f"{prefix}_{worker() or 'main'}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def create_database(name: str, template: str | None = None) -> None:
    with _admin() as conn:
        stmt = sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template or "template0")
        )
        conn.execute(stmt)


def drop_database(name: str) -> None:
    # FORCE ends connections a test left open (PostgreSQL 13+), so teardown never hangs.
    with _admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner(name: str) -> int | None:
    parts = name.split("_")
    return int(parts[-2]) if len(parts) >= 4 and parts[-2].isdigit() else None


def _test_databases() -> list[str]:
    with _admin() as conn:
        return [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'jx\\_%'")]


def drop_stale() -> None:
    """Drop test databases left behind by runs that were killed (their pid, in the name, is gone). Another
    worker's or another run's databases name a live pid and stay."""
    for name in _test_databases():
        if (pid := _owner(name)) is not None and not _alive(pid):
            drop_database(name)


def drop_owned_by(pid: int) -> None:
    """Drop the databases named for `pid` (the shared ones of a run that is ending)."""
    for name in _test_databases():
        if _owner(name) == pid:
            drop_database(name)


# ---------------------------------------------------------------- one rolled-back transaction per test


class OneTransaction(psycopg.Connection):
    """A connection whose transaction the app can never end: its commit and rollback act on a savepoint
    inside it, opened at the next statement. The fixture rolls the whole transaction back after the test,
    so the shared database is as the template left it, and no test pays for CREATE/DROP DATABASE (each
    DROP forces a PostgreSQL checkpoint: seconds on a busy machine).

    Every engine of the test's apps hands out this one connection, so all sessions see each other's work at
    once and a commit is final for the rest of the test — as with a real database, as long as the test does
    not interleave two open transactions. A second thread would share the transaction; that is refused.
    """

    _SAVEPOINT = "jx_test_commit"

    def _statement(self, sql_text: str) -> None:
        psycopg.Connection.cursor(self).execute(sql_text)

    def _begin(self) -> None:
        if threading.get_ident() != self.jx_thread:
            raise RuntimeError(
                "a second thread used the test's rolled-back PostgreSQL connection: "
                "mark the test @pytest.mark.own_database (see tests/conftest.py)"
            )
        if not self.jx_open:
            self._statement(f"SAVEPOINT {self._SAVEPOINT}")
            self.jx_open = True

    def cursor(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        self._begin()
        return super().cursor(*args, **kwargs)

    def commit(self) -> None:
        if self.jx_open:
            self._statement(f"RELEASE SAVEPOINT {self._SAVEPOINT}")
            self.jx_open = False

    def rollback(self) -> None:
        if self.jx_open:
            self._statement(f"ROLLBACK TO SAVEPOINT {self._SAVEPOINT}")
            self._statement(f"RELEASE SAVEPOINT {self._SAVEPOINT}")
            self.jx_open = False

    def close(self) -> None:
        pass  # engines dispose their pools; the fixture ends the connection after rolling it back

    def end(self) -> None:
        psycopg.Connection.rollback(self)
        psycopg.Connection.close(self)


# The URL a test's apps use -> the connection they share (make_app asks engine_options for it).
_ROLLED_BACK: dict[str, OneTransaction] = {}


@contextmanager
def rolled_back(database: str) -> Iterator[str]:
    """A URL of `database` whose engines all use one connection, rolled back when the block ends."""
    from sqlalchemy.engine import make_url

    url = sqlalchemy_url(database)
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = OneTransaction.connect(libpq)
    conn.jx_thread, conn.jx_open = threading.get_ident(), False
    _ROLLED_BACK[url] = conn
    try:
        yield url
    finally:
        del _ROLLED_BACK[url]
        conn.end()


def engine_options(url: str) -> dict[str, Any]:
    """SQLAlchemy engine options for a rolled-back URL (none for any other): one shared connection."""
    conn = _ROLLED_BACK.get(url)
    if conn is None:
        return {}
    from sqlalchemy.pool import StaticPool

    return {"poolclass": StaticPool, "creator": lambda: conn}
