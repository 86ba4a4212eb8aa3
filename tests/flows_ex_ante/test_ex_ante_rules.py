"""The rule tables are data: deploying a changed threshold as a new version changes where new applications go,
while instances already running stay on the version they started with."""

from __future__ import annotations

from decimal import Decimal

from server.flows.ex_ante.models import AssessmentStatus
from server.models import ProjectStatus
from tests.api.helpers import complete, tasks
from tests.flows_ex_ante.conftest import (
    SELF_SCORES,
    application,
    apply,
    assessment_of,
    deploy_variant,
    project_of,
    status_of,
)


def continuing(amount: int) -> dict:
    return application(project_type="continuing", period_expired=False, start_year=2025, end_year=2027,
                       amount=amount)


def test_lowering_the_assessment_threshold_in_the_dmn(app, users, ex_ante):
    before = apply(users, continuing(400000))
    assert assessment_of(app, before["id"]).status == AssessmentStatus.EXEMPT
    assert project_of(app, before["id"]).status == ProjectStatus.IN_LIBRARY

    version = deploy_variant(users, {"ex_ante_scope.dmn": ("500000", "300000")})
    assert version["version"] == 2
    after = apply(users, continuing(400000))
    assessment = assessment_of(app, after["id"])
    assert assessment.status == AssessmentStatus.IN_PROGRESS and assessment.basis == "申报金额达到事前评估门槛"
    assert project_of(app, after["id"]).status == ProjectStatus.ASSESSING
    assert [t["element_id"] for t in tasks(users["school1"], "claimable")] == ["Task_SelfAssess"]
    assert status_of(users, before["id"]) == "completed"


def test_lowering_the_major_project_threshold_calls_the_expert_panel(app, users, ex_ante):
    running = apply(users, application(amount=800000))  # started on version 1: ordinary
    deploy_variant(users, {"ex_ante_level.dmn": ("1000000", "500000")})
    major = apply(users, application(amount=800000, project_name="县第一中学实验室设备购置"))
    assert assessment_of(app, running["id"]).major is False
    assert assessment_of(app, major["id"]).major is True
    for inst in (running, major):
        do_self_and_dept(users, inst["id"])
    office = tasks(users["perf"], "claimable")
    assert sorted((t["instance_id"], t["element_id"]) for t in office) == [
        (running["id"], "Task_OfficeAssess"), (major["id"], "Task_SelectExperts")]
    assert project_of(app, major["id"]).requested_amount == Decimal(800000)


def do_self_and_dept(users, instance_id: int) -> None:
    for user, step, data in (("school1", "Task_SelfAssess", SELF_SCORES),
                              ("edu_head", "Task_DeptReview", {"dept_decision": "pass", "dept_opinion": "同意"})):
        (task,) = [t for t in tasks(users[user], "claimable") if t["instance_id"] == instance_id and t["element_id"] == step]
        complete(users[user], task["id"], data)

