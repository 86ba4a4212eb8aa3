"""Fixtures and helpers for walking 绩效目标编审 (workflows/goal_review) and 绩效目标调整 (workflows/goal_adjust)
over the HTTP API as the county's users. Projects enter the library through the shipped 先评估后入库 flow."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.db import db
from server.flows.goal_review.models import GoalReview, GoalVersion
from server.models import Project, User
from tests.api import helpers
from tests.api.helpers import complete, deploy_folder, start, tasks, workable
from tests.flows_ex_ante.conftest import KEY as EX_ANTE
from tests.flows_ex_ante.conftest import Users, application, only
from tests.support.api import api_as
from tests.support.snapshot import db_url_walked, walked

ROOT = Path(__file__).resolve().parents[2] / "workflows"
REVIEW, ADJUST = "goal_review", "goal_adjust"

INDICATORS: list[dict[str, Any]] = [
    {"level1": "产出", "level2": "数量", "name": "完成结构加固面积", "operator": "≥", "value": "4200", "unit": "平方米",
     "basis": "计划标准", "weight": 30},
    {"level1": "产出", "level2": "质量", "name": "竣工验收合格率", "operator": "=", "value": "100", "unit": "%",
     "basis": "行业标准", "weight": 20},
    {"level1": "产出", "level2": "时效", "name": "开学前完工", "operator": "定性", "value": "9月1日前竣工交付", "unit": "",
     "basis": "计划标准", "weight": 10},
    {"level1": "效益", "level2": "社会效益", "name": "受益师生人数", "operator": "≥", "value": "3200", "unit": "人",
     "basis": "历史标准", "weight": 20},
    {"level1": "效益", "level2": "可持续影响", "name": "校舍安全使用年限", "operator": "≥", "value": "30", "unit": "年",
     "basis": "行业标准", "weight": 10},
    {"level1": "满意度", "level2": "服务对象满意度", "name": "师生满意度", "operator": "≥", "value": "90", "unit": "%",
     "basis": "历史标准", "weight": 10},
]


def goal_table(**over: Any) -> dict[str, Any]:
    """A complete goal table without quality warnings for the 教学楼维修改造 project."""
    data: dict[str, Any] = {
        "contact": "刘洋 0000-1234567",
        "long_term_goal": "通过维修改造消除县第一中学教学楼安全隐患，教学用房全部达到安全标准，保障3200名师生的教学安全。",
        "annual_goal": "2027年暑期完成教学楼4200平方米结构加固，开学前竣工验收合格，师生满意度不低于90%。",
        "indicators": copy.deepcopy(INDICATORS),
    }
    data.update(over)
    return data


def vague_table() -> dict[str, Any]:
    """The seed-004 defects the form cannot refuse: work itself as the goal (“按计划完成”), no quantified
    output, no benefit and no satisfaction indicator."""
    rows = [
        {"level1": "产出", "level2": "数量", "name": "维修教学楼", "operator": "定性", "value": "完成维修", "unit": "",
         "basis": "计划标准", "weight": 100},
    ]
    return goal_table(annual_goal="按计划完成", indicators=rows)


@pytest.fixture
def users(login_as) -> Users:
    return Users(login_as)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A test that uses `flows` starts from a copy of the demo county with them deployed (tests/support/
    snapshot.py), instead of deploying them anew."""
    with db_url_walked(request, tmp_path, "flows", "flows-goal-review", _deploy_flows) as url:
        yield url


def _deploy_flows(app) -> dict[str, Any]:
    client = app.test_client()
    return _deploy(Users(lambda username: api_as(client, username)))


@pytest.fixture
def flows(request: pytest.FixtureRequest, users) -> dict[str, Any]:
    """The three shipped flows, deployed by the admin."""
    if (deployed := walked(request, "flows")) is not None:
        return deployed
    return _deploy(users)


def _deploy(users) -> dict[str, Any]:
    out = {}
    for key in (EX_ANTE, REVIEW, ADJUST):
        resp = deploy_folder(users["admin"], key, ROOT / key)
        assert resp.status_code == 201, resp.get_json()
        out[key] = resp.get_json()
    return out


def in_library(users, who: str = "school1", **over: Any) -> str:
    """A continuing project under the assessment threshold: admitted at once. Returns its code."""
    data = application(project_type="continuing", period_expired=False, start_year=2025, end_year=2027,
                       amount=over.pop("amount", 300000), **over)
    inst = start(users[who], EX_ANTE)
    complete(users[who], only(inst["open_tasks"], "Task_Apply")["id"], data)
    listing = users[who].get("/api/v1/projects").get_json()["items"]
    return max(listing, key=lambda p: p["id"])["code"]


def start_goals(users, code: str, who: str = "school1", key: str = REVIEW) -> dict:
    return start(users[who], key, {"project_code": code})


def refused_start(users, data: dict, who: str = "school1", key: str = REVIEW) -> str:
    resp = users[who].post("/api/v1/process-instances", json={"process_key": key, "data": data})
    assert resp.status_code == 422, resp.get_json()
    return resp.get_json()["message"]


def task_of(user, instance_id: int, step: str, view: str | None = None) -> dict:
    """The open task at this BPMN step the user can work on (mine or claimable, unless a view is named)."""
    listed = tasks(user, view) if view else workable(user)
    found = [t for t in listed if t["instance_id"] == instance_id and t["element_id"] == step]
    assert len(found) == 1, [(t["instance_id"], t["element_id"]) for t in listed]
    return found[0]


def do(user, instance_id: int, step: str, data: dict, expect: int = 200) -> dict:
    return complete(user, task_of(user, instance_id, step)["id"], data, expect=expect)


def task_data(user, instance_id: int, step: str) -> dict:
    task = task_of(user, instance_id, step)
    return user.get(f"/api/v1/tasks/{task['id']}").get_json()["data"]


def steps(user, instance_id: int) -> list[str]:
    """The BPMN element ids of the instance's open tasks this user can work on."""
    return [t["element_id"] for t in workable(user) if t["instance_id"] == instance_id]


def project(app, code: str) -> Project:
    with app.app_context():
        found = db.session.scalar(select(Project).where(Project.code == code))
        assert found is not None
        db.session.expunge(found)
        return found


def versions(app, code: str) -> list[GoalVersion]:
    """Every goal version of the project, oldest first, with indicators and reviews loaded."""
    with app.app_context():
        rows = list(db.session.scalars(
            select(GoalVersion).join(Project, Project.id == GoalVersion.project_id)
            .where(Project.code == code).order_by(GoalVersion.version)
        ))
        for row in rows:
            _ = row.indicators, row.reviews
        db.session.expunge_all()
        return rows


def reviews(app, code: str) -> list[tuple[int, str, int, str, str | None, str | None]]:
    """(version, stage, round, decision, outcome, reviewer) of every review, in order."""
    with app.app_context():
        rows = db.session.execute(
            select(GoalVersion.version, GoalReview.stage, GoalReview.round, GoalReview.decision, GoalReview.outcome,
                   User.username)
            .join(GoalVersion, GoalVersion.id == GoalReview.goal_id)
            .join(Project, Project.id == GoalVersion.project_id)
            .outerjoin(User, User.id == GoalReview.actor_id)
            .where(Project.code == code).order_by(GoalReview.id)
        ).tuples().all()
        return [(v, str(s), r, d, o, u) for v, s, r, d, o, u in rows]


def travel(app, **delta: float) -> None:
    app.extensions["jixiao.clock"].advance(timedelta(**delta))


def status_of(users, instance_id: int) -> str:
    return users["perf"].get(f"/api/v1/process-instances/{instance_id}").get_json()["status"]


def deploy_variant(users, key: str, replace: dict[str, list[tuple[str, str]]]) -> dict:
    """Deploy the shipped flow again with text replaced in some of its files (a new version of the model)."""
    return helpers.deploy_variant(users["admin"], key, ROOT / key, replace)
