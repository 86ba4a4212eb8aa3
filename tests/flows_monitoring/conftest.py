"""Fixtures and helpers for walking 绩效运行监控·纠偏 (workflows/monitoring) over the HTTP API: a 2026 project
enters the library, gets its goals approved through the shipped goal flow, then is monitored through the year."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.db import db
from server.flows.monitoring.models import Correction, KeyAttention, MonitoringReport
from server.flows.monitoring.operators import period_end
from server.models import Notification, Project
from server.services.timers import wake_due_instances
from tests.api.helpers import deploy_folder, start
from tests.flows_ex_ante.conftest import KEY as EX_ANTE
from tests.flows_ex_ante.conftest import Users
from tests.flows_goal_review.conftest import ROOT, do, goal_table, in_library, task_of
from tests.support.api import api_as
from tests.support.snapshot import db_url_walked, walked

KEY = "monitoring"
BUDGET = 360_000
REPORT, EXPLAIN, DECIDE = "Task_Report", "Task_Explain", "Task_Decide"


@pytest.fixture
def users(login_as) -> Users:
    return Users(login_as)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A test that uses `flows` starts from a copy of the demo county with them deployed (tests/support/
    snapshot.py), instead of deploying them anew."""
    with db_url_walked(request, tmp_path, "flows", "flows-monitoring", _deploy_flows) as url:
        yield url


def _deploy_flows(app) -> dict[str, Any]:
    client = app.test_client()
    return _deploy(Users(lambda username: api_as(client, username)))


@pytest.fixture
def flows(request: pytest.FixtureRequest, users) -> dict[str, Any]:
    if (deployed := walked(request, "flows")) is not None:
        return deployed
    return _deploy(users)


def _deploy(users) -> dict[str, Any]:
    out = {}
    for key in (EX_ANTE, "goal_review", KEY):
        resp = deploy_folder(users["admin"], key, ROOT / key)
        assert resp.status_code == 201, resp.get_json()
        out[key] = resp.get_json()
    return out


def approved_project(users, **over: Any) -> str:
    """A 2026 project of 县第一中学 with approved goals (six indicators, see goal_review's INDICATORS)."""
    code = in_library(users, fiscal_year=2026, amount=BUDGET, **over)
    iid = start(users["school1"], "goal_review", {"project_code": code})["id"]
    do(users["school1"], iid, "Task_Fill", goal_table())
    do(users["edu_head"], iid, "Task_DeptReview", {"dept_decision": "pass", "dept_opinion": "同意"})
    do(users["fin_edu"], iid, "Task_FinanceReview", {"grade": "优", "finance_opinion": "目标明确"})
    return code


def month_end(clock, app, month: int, hours: float = 1) -> int:
    """Move the clock just past the end of a 2026 reporting month and fire due timers."""
    clock.set(period_end(2026, month) + timedelta(hours=hours))
    with app.app_context():
        return wake_due_instances()


def later(clock, app, **delta: float) -> int:
    clock.advance(timedelta(**delta))
    with app.app_context():
        return wake_due_instances()


def report_rows(user, iid: int, values: list[str], likelihood: str = "能够完成", cause: str = "") -> list[dict]:
    """The prefilled indicator rows of the open report task with the given current values."""
    task = task_of(user, iid, REPORT)
    rows = user.get(f"/api/v1/tasks/{task['id']}").get_json()["data"]["indicator_reports"]
    out = []
    for row, value in zip(rows, values, strict=True):
        row = dict(row, current_value=value, likelihood=likelihood)
        if cause:
            row["cause"] = cause
        out.append(row)
    return out


def reports(app, code: str) -> list[MonitoringReport]:
    with app.app_context():
        rows = list(db.session.scalars(
            select(MonitoringReport).join(Project, Project.id == MonitoringReport.project_id)
            .where(Project.code == code).order_by(MonitoringReport.month)))
        for row in rows:
            _ = row.indicators
        db.session.expunge_all()
        return rows


def corrections(app, code: str) -> list[tuple[int, str, str | None]]:
    """(month, kind, amount) of every correction, in order."""
    with app.app_context():
        rows = db.session.execute(
            select(MonitoringReport.month, Correction.kind, Correction.amount)
            .join(MonitoringReport, MonitoringReport.id == Correction.report_id)
            .join(Project, Project.id == Correction.project_id)
            .where(Project.code == code).order_by(Correction.id)).tuples().all()
        return [(m, str(k), None if a is None else str(a)) for m, k, a in rows]


def ledger(app, code: str) -> list[tuple[int, str]]:
    with app.app_context():
        return [tuple(r) for r in db.session.execute(
            select(KeyAttention.fiscal_year, KeyAttention.reason)
            .join(Project, Project.id == KeyAttention.project_id).where(Project.code == code)).all()]


def notices(app, code: str, *, outcomes: bool = False) -> list[tuple[str, str, str]]:
    """(role, kind, text) of every notification the monitoring flow sent about the project, in order; with
    `outcomes`, also the reviewers' verdicts every review step tells the unit (services/outcome_notices)."""
    with app.app_context():
        stmt = (select(Notification.role, Notification.kind, Notification.text)
                .join(Project, Project.id == Notification.project_id).where(Project.code == code)
                .order_by(Notification.id))
        if not outcomes:
            stmt = stmt.where(Notification.kind != "outcome")
        return [tuple(r) for r in db.session.execute(stmt).all()]


JANUARY = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
