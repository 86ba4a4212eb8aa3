"""Migrations build exactly the models' schema on both databases, and the audit trail cannot be rewritten."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from server.db import db
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]


def schema_diffs(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)


def head_revision() -> str:
    from alembic.config import Config

    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def test_flask_db_upgrade_on_an_empty_database_reaches_the_models(empty_db_url, instance_path):
    env = {**os.environ, "DATABASE_URL": empty_db_url, "JIXIAO_INSTANCE_PATH": str(instance_path)}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "server", "db", "upgrade"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr

    app = make_app(empty_db_url)
    assert schema_diffs(app) == []
    with app.app_context():
        version = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        assert version == head_revision()
        db.session.remove()
        db.engine.dispose()


def test_downgrade_to_nothing_and_upgrade_again(empty_db_url, instance_path):
    app = make_app(empty_db_url)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
    assert schema_diffs(app) == []
    with app.app_context():
        db.engine.dispose()


def _insert_audit_event(conn) -> int:
    conn.execute(text("INSERT INTO audit_events (at, action) VALUES (CURRENT_TIMESTAMP, 'deploy')"))
    return conn.execute(text("SELECT max(id) FROM audit_events")).scalar_one()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET action = 'forged' WHERE id = :id",
    "DELETE FROM audit_events WHERE id = :id",
])
def test_database_refuses_to_change_or_delete_audit_events(app, statement):
    # Plain SQL on a raw connection: this is what code bypassing the ORM (or a DBA's console) would do.
    with app.app_context():
        with db.engine.begin() as conn:
            event_id = _insert_audit_event(conn)
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement), {"id": event_id})
        with db.engine.connect() as conn:
            action = conn.execute(text("SELECT action FROM audit_events WHERE id = :id"), {"id": event_id})
            assert action.scalar_one() == "deploy"


@pytest.mark.postgres
@pytest.mark.own_database  # TRUNCATE locks the whole table
def test_postgres_refuses_truncating_audit_events(postgres_url, instance_path):
    app = make_app(postgres_url)
    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_events CASCADE"))
        db.engine.dispose()
