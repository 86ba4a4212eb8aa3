"""budget.* operators called as a diagram calls them, on a real instance and database: adjustments by
percentage or amount, refusals of impossible input, and suspensions that neither stack nor lift twice."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from server.db import db
from server.engine.operators import OperatorCall
from server.flows.shared.budget import adjust, lift_suspension, suspend_payments
from server.flows.shared.models import BudgetAdjustment, PaymentSuspension
from server.flows.shared.support import OperatorContext
from server.models import ProcessInstance, Project, User
from tests.api.helpers import deploy_folder, start
from tests.flows_evaluation.conftest import KEY, county, wake_at
from tests.flows_ex_ante.conftest import KEY as EX_ANTE
from tests.flows_goal_review.conftest import ROOT, in_library
from tests.flows_monitoring.conftest import approved_project
from tests.support.snapshot import Snapshot, copy_of, snapshot


def _running_evaluation(app) -> dict[str, int]:
    """The flows deployed, 县第一中学's 2026 project approved and a water project in the library; on
    2027-02-01 the office starts the project's evaluation. Every test here starts from this state."""
    from tests.flows_ex_ante.conftest import Users
    from tests.support.api import api_as

    client = app.test_client()
    users = Users(lambda username: api_as(client, username))
    for key in (EX_ANTE, "goal_review", "monitoring", KEY):
        resp = deploy_folder(users["admin"], key, ROOT / key)
        assert resp.status_code == 201, resp.get_json()
    code = approved_project(users)
    other = in_library(users, who="water1")
    wake_at(app.extensions["jixiao.clock"], app, county(2027, 2, 1, 9))
    iid = start(users["school1"], KEY, {"project_code": code})["id"]
    with app.app_context():
        ids = {c: db.session.scalar(select(Project.id).where(Project.code == c)) for c in (code, other)}
    return {"instance": iid, "project": ids[code], "other": ids[other]}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def running(request: pytest.FixtureRequest) -> Snapshot:
    return snapshot(request, request.param, "budget-operators", _running_evaluation)


@pytest.fixture
def db_url(running: Snapshot, tmp_path: Path) -> Iterator[str]:
    """This module's tests run on a copy of the running evaluation (walked once per backend, not per test)."""
    with copy_of(running, tmp_path) as url:
        yield url


@pytest.fixture
def call(app, clock, running: Snapshot):
    """An operator call from a running evaluation of 县第一中学, plus its project and a water project."""
    clock.set(running.clock_now)
    with app.app_context():
        instance = db.session.get(ProcessInstance, running.info["instance"])
        actor = db.session.scalar(select(User).where(User.username == "perf"))
        yield (OperatorCall(OperatorContext(instance, actor), {}, "Service_Test"), running.info["project"],
               running.info["other"])
        db.session.rollback()


def test_adjust_by_percentage_or_signed_amount(call):
    op, project, _other = call
    up = adjust(op, project_id=project, fiscal_year=2027, percent=7.5, reason="良")
    down = adjust(op, project_id=project, fiscal_year=2027, amount="-12000.50", kind="recover",
                  reason="收回结余", source_flow="monitoring", source_id=7)
    assert up["amount"] == "27000.00" and down["amount"] == "-12000.50"
    assert adjust(op, project_id=project, fiscal_year=2027, amount=0, reason="无")["adjustment_id"] is None
    rows = db.session.scalars(select(BudgetAdjustment).order_by(BudgetAdjustment.id)).all()
    assert [(r.kind, r.percent, r.base_amount, r.amount, r.source_flow, r.source_id) for r in rows] == [
        ("increase", Decimal("7.50"), Decimal(360000), Decimal(27000), "evaluation", None),
        ("recover", None, None, Decimal("-12000.50"), "monitoring", 7)]
    assert {r.actor_id for r in rows} == {op.context.actor.id}


REFUSALS = [
    ({"percent": 10, "amount": 100}, "须填写且只填写一项"),
    ({}, "须填写且只填写一项"),
    ({"percent": 150}, "调整比例（%）应在 -100 到 100 之间"),
    ({"percent": True}, "不是数字"),
    ({"amount": "一万"}, "不是数字"),
    ({"amount": "NaN"}, "应在"),
    ({"amount": -100, "kind": "increase"}, "调增的金额应为正数"),
    ({"amount": 100, "fiscal_year": 1900}, "预算年度不正确"),
]


def test_adjust_refuses_impossible_input(call):
    op, project, _other = call
    for params, message in REFUSALS:
        with pytest.raises(ValueError, match=message):
            adjust(op, **{"project_id": project, "fiscal_year": 2027, "reason": "测试", **params})
    assert db.session.scalars(select(BudgetAdjustment)).all() == []


def test_another_units_project_is_out_of_reach(call):
    op, _project, other = call
    with pytest.raises(ValueError, match="本流程没有该项目"):
        adjust(op, project_id=other, fiscal_year=2027, percent=10, reason="越权")
    with pytest.raises(ValueError, match="本流程没有该项目"):
        suspend_payments(op, project_id=other, reason="越权")


def test_suspensions_do_not_stack_and_lift_once(call):
    op, project, _other = call
    first = suspend_payments(op, project_id=project, reason="整改期间暂缓拨付", source_id=1)
    again = suspend_payments(op, project_id=project, reason="重复", source_id=1)
    assert first == again
    assert lift_suspension(op, project_id=project, reason="整改到位", source_id=1) == first
    assert lift_suspension(op, project_id=project, reason="再次", source_id=1) == {"suspension_id": None}
    later = suspend_payments(op, project_id=project, reason="再次整改", source_id=1)
    assert later != first
    rows = db.session.scalars(select(PaymentSuspension).order_by(PaymentSuspension.id)).all()
    assert [(r.source_flow, r.lifted_at is not None, r.lift_reason) for r in rows] == [
        ("evaluation", True, "整改到位"), ("evaluation", False, None)]
