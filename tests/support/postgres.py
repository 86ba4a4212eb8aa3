"""Throwaway PostgreSQL databases for tests: one per test, cloned from a migrated template.

The server is the one at 127.0.0.1:5432 with trust auth (user postgres or root), or JIXIAO_TEST_PG_URL
(a libpq URL to any database we may connect to, used for CREATE/DROP DATABASE).
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from functools import cache

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


def new_name(prefix: str) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"{prefix}_{worker}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


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


def drop_stale() -> None:
    """Drop test databases left behind by runs that were killed (their pid, in the name, is gone)."""
    with _admin() as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'jx\\_%'")]
    for name in names:
        parts = name.split("_")
        if len(parts) >= 4 and parts[-2].isdigit() and not _alive(int(parts[-2])):
            drop_database(name)
