"""Fixtures and helpers for walking 绩效评价·反馈整改·结果应用 (workflows/evaluation) over the HTTP API: 2026
projects get approved goals through the shipped flows (and monitoring reports where a test wants them), then
are evaluated after the year, as the county's users would do it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.clock import COUNTY_TZ
from server.db import db
from server.flows.evaluation.models import Evaluation, KeyEvaluationDraw, KeyEvaluationScore
from server.flows.shared.models import BudgetAdjustment, PaymentSuspension
from server.models import OrgKind, Project, Role, User
from server.services.demo import create_org, create_user
from server.services.timers import wake_due_instances
from tests.api.helpers import deploy_folder
from tests.flows_ex_ante.conftest import KEY as EX_ANTE
from tests.flows_ex_ante.conftest import Users
from tests.flows_goal_review.conftest import ROOT, task_of
from tests.support.api import api_as
from tests.support.snapshot import db_url_walked, walked

KEY = "evaluation"
SELF, REVIEW, KEY_SCORE = "Task_Self", "Task_Review", "Task_KeyScore"
NOTICE, RECTIFY, VERIFY = "Task_Notice", "Task_Rectify", "Task_Verify"
# goal_review's INDICATORS: 产出 weights 30/20/10 share 50 points, 效益 20/10 share 30, 满意度 10 has 10.
FULL = ["4200", "100", "达成", "3200", "30", "90"]


@pytest.fixture
def users(login_as) -> Users:
    return Users(login_as)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A test that uses `flows` starts from a copy of the demo county with them deployed (tests/support/
    snapshot.py), instead of deploying them anew."""
    with db_url_walked(request, tmp_path, "flows", "flows-evaluation", _deploy_flows) as url:
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
    for key in (EX_ANTE, "goal_review", "monitoring", KEY):
        resp = deploy_folder(users["admin"], key, ROOT / key)
        assert resp.status_code == 201, resp.get_json()
        out[key] = resp.get_json()
    return out


def county(*args: int) -> datetime:
    """A moment in the county (UTC+8) as aware UTC."""
    return datetime(*args, tzinfo=COUNTY_TZ).astimezone(UTC)


def wake_at(clock, app, moment: datetime) -> int:
    clock.set(moment)
    with app.app_context():
        return wake_due_instances()


def register_firm(app, code: str, name: str, experts: list[str]) -> None:
    """A third-party firm registered with the bureau, with its expert accounts (password demo)."""
    with app.app_context():
        firm = create_org(code, name, OrgKind.THIRD_PARTY)
        for username in experts:
            create_user(username, firm, [Role.EXPERT], display_name=f"{name} {username}")
        db.session.commit()


def self_form(user, iid: int, values: list[str], degree: float | None = None,
              reasons: dict[int, str] | None = None) -> list[dict]:
    """The prefilled indicator rows of the open self-evaluation with these actual values (rows in goal order)."""
    rows = task_of(user, iid, SELF)
    data = user.get(f"/api/v1/tasks/{rows['id']}").get_json()["data"]["indicator_scores"]
    out = []
    for i, (row, value) in enumerate(zip(data, values, strict=True)):
        row = dict(row, actual_value=value)
        if row["operator"] == "定性" and degree is not None:
            row["degree"] = degree
        if reasons and i in reasons:
            row["deviation_reason"] = reasons[i]
        out.append(row)
    return out


def evaluation(app, code: str) -> Evaluation:
    """The project's newest evaluation with its indicator scores and rectification rounds loaded."""
    with app.app_context():
        found = db.session.scalar(
            select(Evaluation).join(Project, Project.id == Evaluation.project_id)
            .where(Project.code == code).order_by(Evaluation.id.desc()).limit(1))
        assert found is not None
        _ = found.indicators, found.rectifications
        db.session.expunge_all()
        return found


def adjustments(app, code: str, flow: str = "evaluation") -> list[tuple[int, str, str | None, str | None, str, str]]:
    """(fiscal year, kind, percent, base, amount, source flow) of the project's budget adjustments made by a flow."""
    with app.app_context():
        rows = db.session.execute(
            select(BudgetAdjustment.fiscal_year, BudgetAdjustment.kind, BudgetAdjustment.percent,
                   BudgetAdjustment.base_amount, BudgetAdjustment.amount, BudgetAdjustment.source_flow)
            .join(Project, Project.id == BudgetAdjustment.project_id)
            .where(Project.code == code, BudgetAdjustment.source_flow == flow)
            .order_by(BudgetAdjustment.id)).tuples().all()
        return [(y, str(k), None if p is None else str(p), None if b is None else str(b), str(a), f)
                for y, k, p, b, a, f in rows]


def suspensions(app, code: str) -> list[PaymentSuspension]:
    with app.app_context():
        rows = list(db.session.scalars(
            select(PaymentSuspension).join(Project, Project.id == PaymentSuspension.project_id)
            .where(Project.code == code).order_by(PaymentSuspension.id)))
        db.session.expunge_all()
        return rows


def draw_of(app, code: str) -> KeyEvaluationDraw | None:
    with app.app_context():
        found = db.session.scalar(
            select(KeyEvaluationDraw).join(Evaluation, Evaluation.id == KeyEvaluationDraw.evaluation_id)
            .join(Project, Project.id == Evaluation.project_id).where(Project.code == code))
        db.session.expunge_all()
        return found


def key_scores(app, code: str) -> list[tuple[str, str]]:
    """(expert, total) of every key-evaluation score sheet of the project."""
    with app.app_context():
        rows = db.session.execute(
            select(User.username, KeyEvaluationScore.total)
            .join(User, User.id == KeyEvaluationScore.expert_id)
            .join(Evaluation, Evaluation.id == KeyEvaluationScore.evaluation_id)
            .join(Project, Project.id == Evaluation.project_id).where(Project.code == code)
            .order_by(User.username)).tuples().all()
        return [(u, str(t)) for u, t in rows]
