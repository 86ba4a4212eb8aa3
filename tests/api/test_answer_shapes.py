"""The task hot path builds its answer and reads its input without marshmallow: the results must be exactly
what the schemas (which also define the OpenAPI contract) give."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from server.api.schemas import CompleteIn, InstanceOut
from server.api.tasks import _complete_data
from server.api.views import _task_row_json, outcome_json
from server.models import InstanceStatus, TaskStatus
from server.services.persistence import InstanceSummary, Outcome
from server.services.task_sync import TaskRow

NOW = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)


def _row(**kw) -> TaskRow:
    values = dict(id=7, title="填写 B", task_name="b", process_key="simple", instance_id=3, role="unit_staff",
                  status=TaskStatus.OPEN, assignee_id=None, due_at=None, created_at=NOW, completed_at=None,
                  project_name=None, project_code=None, amount=None)
    return TaskRow(**{**values, **kw})


@pytest.mark.parametrize("row", [
    _row(),
    _row(due_at=NOW + timedelta(days=3), project_name="校舍维修", project_code="P-2026-001",
         amount=Decimal("1234567.50")),
    _row(amount=Decimal("0.10"), completed_at=NOW, status=TaskStatus.COMPLETED),
    _row(amount=Decimal("1E+3"), due_at=datetime(2026, 3, 1, 8, 30)),
])
@pytest.mark.parametrize("assignee", [None, "school1"])
def test_task_rows_serialize_as_task_out_does(row, assignee):
    expected = InstanceOut().dump({"open_tasks": [{**row.__dict__, "assignee": assignee}]})["open_tasks"][0]
    assert _task_row_json(row, assignee) == expected


@pytest.mark.parametrize("completed_at", [None, NOW])
def test_outcomes_serialize_as_instance_out_does(app, completed_at):
    summary = InstanceSummary(3, "simple", 2, InstanceStatus.COMPLETED if completed_at else InstanceStatus.RUNNING,
                              "简单流程", None, NOW, completed_at)
    rows = [_row(), _row(id=8, project_name="甲")]
    expected = InstanceOut().dump({**summary.__dict__, "open_tasks": [{**r.__dict__, "assignee": None} for r in rows],
                                   "history": []})
    with app.app_context():
        assert outcome_json(Outcome(summary, rows)) == expected


@pytest.mark.parametrize("body", [
    {"data": {"x": 20}},
    {"data": {}, "other": 1},
    {"data": {"a" * 100: [1, {"b": None}]}},
])
def test_well_formed_complete_bodies_read_as_the_schema_reads_them(body):
    assert _complete_data(body) == CompleteIn().load(body)["data"]


@pytest.mark.parametrize("body", [{}, {"data": None}, {"data": [1]}, {"data": "x"}, {"data": {"a" * 101: 1}}])
def test_malformed_complete_bodies_raise_the_schema_error(body):
    with pytest.raises(ValidationError) as fast:
        _complete_data(body)
    with pytest.raises(ValidationError) as schema:
        CompleteIn().load(body)
    assert fast.value.messages == schema.value.messages
