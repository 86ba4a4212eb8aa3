"""The driver path (server.driver_sql) reads and writes exactly what SQLAlchemy would, on SQLite and PostgreSQL,
and a database refusal still reaches the services as SQLAlchemy's error (their 409 / rollback handling)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from server.db import db
from server.driver_sql import DriverStatement
from server.models import AuditEvent, HumanTask, TaskStatus
from server.services import audit
from tests.api.helpers import FLOWS, deploy_folder, start

_h = HumanTask.__table__


def _started_task(login_as) -> int:
    assert deploy_folder(login_as("admin"), "simple", FLOWS / "simple").status_code == 201
    return start(login_as("school1"), "simple")["open_tasks"][0]["id"]


def test_rows_read_as_sqlalchemy_reads_them(app, login_as):
    task_id = _started_task(login_as)
    with app.app_context():
        conn = db.session.connection()
        conn.execute(
            _h.update().where(_h.c.id == task_id).values(amount=Decimal("1234.50"), due_at=datetime(2026, 3, 1, tzinfo=UTC))
        )
        query = select(_h).where(_h.c.id == bindparam("b_id"))
        expected = conn.execute(query, {"b_id": task_id}).one()
        got = DriverStatement(query).first(conn, {"b_id": task_id})
        assert tuple(got) == tuple(expected)
        assert got.status is TaskStatus.OPEN
        assert got.amount == Decimal("1234.50")
        assert got.due_at == datetime(2026, 3, 1, tzinfo=UTC) and got.created_at.tzinfo is not None
        assert DriverStatement(query).first(conn, {"b_id": task_id + 10_000}) is None
        db.session.rollback()


def test_writes_land_as_sqlalchemy_would_write_them(app, login_as):
    task_id = _started_task(login_as)
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        audit.append("complete", actor_id=None, instance_id=task.instance_id, task=task,
                     data={"金额": 12.5, "说明": "中文", "rows": [{"a": 1}]})
        db.session.commit()
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.task_title == task.title
        assert event.data == {"金额": 12.5, "说明": "中文", "rows": [{"a": 1}]}
        assert event.at.tzinfo is not None


def test_a_refusal_is_sqlalchemys_error_and_the_session_recovers(app, login_as):
    task_id = _started_task(login_as)
    with app.app_context():
        row = {c.key: v for c, v in zip(_h.columns, db.session.connection().execute(select(_h).where(_h.c.id == task_id)).one(), strict=True)}
        row.pop("id")
        row["instance_id"] = 999_999  # no such instance: the foreign key refuses it
        with pytest.raises(IntegrityError):
            DriverStatement(insert(_h).returning(_h.c.id)).rows(db.session.connection(), row)
        db.session.rollback()
        assert db.session.get(HumanTask, task_id).status is TaskStatus.OPEN


def test_in_lists_are_refused_rather_than_mis_bound(app_ctx):
    statement = DriverStatement(select(_h.c.id).where(_h.c.id.in_(bindparam("ids", expanding=True))))
    with pytest.raises(ValueError, match="expanding"):
        statement.rows(db.session.connection(), {"ids": [1, 2]})
