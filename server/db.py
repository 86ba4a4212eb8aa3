"""The one SQLAlchemy handle, with typed declarative models (SQLAlchemy 2.0 style)."""

from __future__ import annotations

from collections.abc import Mapping

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Objects stay readable after commit: a request renders what it just saved without reloading every row.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


# A checkpoint copies the WAL into the database file and syncs the disk twice, inside whichever commit sets it
# off: a 10-50 ms stall for one unlucky request. The background pass of `jixiao run` checkpoints instead
# (checkpoint_wal); connections still do it themselves past this many pages (16 MB), so a process without
# that pass (CLI, tests, a bare WSGI server) keeps the WAL bounded.
WAL_AUTOCHECKPOINT_PAGES = 4000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers run beside the writer; NORMAL sync is durable at checkpoints and far faster.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        # Statement journals (every write to a table with foreign keys opens one) stay in memory, not temp files.
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
        cur.close()


def checkpoint_wal() -> tuple[int, int] | None:
    """On SQLite, copy what the WAL holds into the database file without waiting for readers or writers
    (PASSIVE); returns (WAL frames, frames copied). Other databases: None."""
    if db.engine.dialect.name != "sqlite":
        return None
    with db.engine.connect() as conn:
        _busy, frames, copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    return frames, copied


# --- a database that goes away ----------------------------------------------------------------------

# Words the drivers use when the database refused one transaction for another's sake (a lock, a stale
# snapshot, a deadlock, a serialization failure): that is a race, answered 409. Any other operational
# error (connection lost, server restarting, pool exhausted) means the database is away: 503, retry later.
_RACE_WORDS = ("locked", "busy", "deadlock", "could not serialize")


def lost_race(err: Exception) -> bool:
    """True when a database error means another transaction won (409), False when the database is away."""
    if isinstance(err, DBAPIError) and err.connection_invalidated:
        return False
    text = str(getattr(err, "orig", err)).lower()
    return any(word in text for word in _RACE_WORDS)


def safe_rollback() -> None:
    """Roll the session back; if even that fails (the connection died unnoticed), drop the connection so the
    next request starts on a healthy one instead of failing on the same dead one."""
    try:
        db.session.rollback()
    except DBAPIError:
        db.session.invalidate()


def engine_options(url: str, env: Mapping[str, str]) -> dict:
    """Pool settings for a server database (none for SQLite's file): every checkout is pinged so a
    connection cut while idle is replaced before a request uses it, connections are recycled before a
    firewall or PgBouncer drops them, and the pool size is bounded (README: max_connections arithmetic)."""
    if url.startswith("sqlite"):
        return {}
    return {
        "pool_pre_ping": env.get("JIXIAO_DB_PRE_PING", "1") not in ("0", "false", "no"),
        "pool_recycle": int(env.get("JIXIAO_DB_POOL_RECYCLE", 1800)),
        "pool_size": int(env.get("JIXIAO_DB_POOL_SIZE", 10)),
        "max_overflow": int(env.get("JIXIAO_DB_MAX_OVERFLOW", 5)),
        "pool_timeout": float(env.get("JIXIAO_DB_POOL_TIMEOUT", 10)),
    }
