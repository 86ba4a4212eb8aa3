"""The one SQLAlchemy handle, with typed declarative models (SQLAlchemy 2.0 style)."""

from __future__ import annotations

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
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
