"""Fixtures and helpers for walking 事前绩效评估 (workflows/ex_ante) over the HTTP API as the county's users."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.db import db
from server.flows.ex_ante.models import Assessment
from server.models import Project
from server.services.timers import wake_due_instances
from tests.api import helpers
from tests.api.helpers import complete, deploy_folder, start, tasks, workable

FLOW_DIR = Path(__file__).resolve().parents[2] / "workflows" / "ex_ante"
KEY = "ex_ante"


class Users:
    """`users["school1"]` asks `login_as` on each use: the same caller while the clock stands still, a fresh
    login once a test has moved it (tokens expire on the same clock the tests move by days)."""

    def __init__(self, login_as) -> None:
        self.login_as = login_as

    def __getitem__(self, name: str):
        return self.login_as(name)


@pytest.fixture
def users(login_as) -> Users:
    return Users(login_as)


@pytest.fixture
def ex_ante(users) -> dict:
    resp = deploy_folder(users["admin"], KEY, FLOW_DIR)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def application(**over: Any) -> dict[str, Any]:
    """A complete, consistent 申报书 for a new 800,000 元 project of 县第一中学."""
    amount = over.pop("amount", 800000)
    fiscal = over.pop("fiscal_funds", amount)
    other = over.pop("other_funds", amount - fiscal)
    data: dict[str, Any] = {
        "project_name": "县第一中学教学楼维修改造",
        "fiscal_year": 2027,
        "project_type": "new",
        "start_year": 2027,
        "end_year": 2027,
        "amount": amount,
        "fiscal_funds": fiscal,
        "other_funds": other,
        "necessity": "教学楼建于1988年，经鉴定为C级危房，需加固维修以保障师生安全。",
        "implementation_plan": "2027年3月完成设计招标，7月至8月暑期施工，9月开学前竣工验收。",
        "budget_items": [{"item": "结构加固及维修", "basis": "4200平方米 × 标准单价", "amount": amount}],
        "materials": ["申报书", "实施方案", "房屋安全鉴定报告", "预算测算依据"],
        "contact": "刘洋 0000-1234567",
        **draft_goals(),
    }
    data.update(over)
    return data


def draft_goals() -> dict[str, Any]:
    """The application's draft goals: the goal-review fixture's table without quality warnings."""
    from tests.flows_goal_review.conftest import goal_table  # that conftest imports this one

    table = goal_table()
    return {k: table[k] for k in ("long_term_goal", "annual_goal", "indicators")}


SELF_SCORES = {"self_necessity": 19, "self_economy": 16, "self_goals": 17, "self_feasibility": 18,
               "self_compliance": 20, "self_opinion": "项目必要、方案可行，申请予以支持。"}
OFFICE_SCORES = {"office_necessity": 18, "office_economy": 14, "office_goals": 15, "office_feasibility": 16,
                 "office_compliance": 19}


def only(items: list[dict], step: str) -> dict:
    """The one task at this BPMN step (its element id)."""
    found = [t for t in items if t["element_id"] == step]
    assert len(found) == 1, [(t["element_id"], t.get("project_name")) for t in items]
    return found[0]


def open_task(user, step: str, view: str | None = None) -> dict:
    """The one open task at this BPMN step the user can work on (mine or claimable, unless a view is named)."""
    return only(tasks(user, view) if view else workable(user), step)


def do(user, step: str, data: dict, view: str | None = None, expect: int = 200) -> dict:
    """Find the one open task at this BPMN step in the user's list and complete it."""
    return complete(user, open_task(user, step, view)["id"], data, expect=expect)


def apply(users, data: dict | None = None, who: str = "school1") -> dict:
    unit = users[who]
    inst = start(unit, KEY)
    task = only(inst["open_tasks"], "Task_Apply")
    complete(unit, task["id"], data or application())
    return inst


def project_of(app, instance_id: int) -> Project:
    with app.app_context():
        project = db.session.scalar(select(Project).where(Project.instance_id == instance_id))
        assert project is not None
        db.session.expunge(project)
        return project


def assessment_of(app, instance_id: int) -> Assessment | None:
    with app.app_context():
        found = db.session.scalar(select(Assessment).where(Assessment.instance_id == instance_id))
        if found is not None:
            _ = found.opinions  # load them before leaving the session
            db.session.expunge_all()
        return found


def opinions(app, instance_id: int) -> list[tuple[str, int, str, str | None, Decimal | None]]:
    """(stage, round, decision, actor username, total) of each recorded opinion, in order."""
    from server.flows.ex_ante.models import AssessmentOpinion
    from server.models import User

    with app.app_context():
        rows = db.session.execute(
            select(AssessmentOpinion.stage, AssessmentOpinion.round, AssessmentOpinion.decision, User.username,
                   AssessmentOpinion.total)
            .join(Assessment, Assessment.id == AssessmentOpinion.assessment_id)
            .outerjoin(User, User.id == AssessmentOpinion.actor_id)
            .where(Assessment.instance_id == instance_id)
            .order_by(AssessmentOpinion.id)
        ).tuples().all()
        return [(str(s), r, d, u, t) for s, r, d, u, t in rows]


def status_of(users, instance_id: int) -> str:
    return users["perf"].get(f"/api/v1/process-instances/{instance_id}").get_json()["status"]


def travel(app, **delta: float) -> None:
    app.extensions["jixiao.clock"].advance(timedelta(**delta))


def wake(app) -> int:
    with app.app_context():
        return wake_due_instances()


def deploy_variant(users, replace: dict[str, tuple[str, str]]) -> dict:
    """Deploy the shipped flow again with text replaced in some of its files (a new version of the model)."""
    return helpers.deploy_variant(users["admin"], KEY, FLOW_DIR, {name: [pair] for name, pair in replace.items()})

