"""budget.* operators called as a diagram calls them, on a real instance and database: adjustments by
percentage or amount, refusals of impossible input, and suspensions that neither stack nor lift twice."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from server.db import db
from server.engine.operators import OperatorCall
from server.flows.shared.budget import adjust, lift_suspension, suspend_payments
from server.flows.shared.models import BudgetAdjustment, PaymentSuspension
from server.flows.shared.support import OperatorContext
from server.models import ProcessInstance, Project, User
from tests.api.helpers import start
from tests.flows_evaluation.conftest import KEY, county, wake_at
from tests.flows_goal_review.conftest import in_library
from tests.flows_monitoring.conftest import approved_project


@pytest.fixture
def call(app, users, flows, clock):
    """An operator call from a running evaluation of 县第一中学, plus its project and a water project."""
    code = approved_project(users)
    other = in_library(users, who="water1")
    wake_at(clock, app, county(2027, 2, 1, 9))
    iid = start(users["school1"], KEY, {"project_code": code})["id"]
    with app.app_context():
        instance = db.session.get(ProcessInstance, iid)
        actor = db.session.scalar(select(User).where(User.username == "perf"))
        ids = {c: db.session.scalar(select(Project.id).where(Project.code == c)) for c in (code, other)}
        yield OperatorCall(OperatorContext(instance, actor), {}, "Service_Test"), ids[code], ids[other]
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
