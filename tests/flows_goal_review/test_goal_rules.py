"""The round limit for 中 lives in the rule table: an admin lowers it to 1 by deploying a new version and new
instances follow it, while an instance already running keeps the table it started with."""

from __future__ import annotations

from server.flows.goal_review.models import GoalVersionStatus
from server.models import GoalStatus
from tests.flows_goal_review.conftest import (
    REVIEW,
    deploy_variant,
    do,
    goal_table,
    in_library,
    project,
    reviews,
    start_goals,
    status_of,
    steps,
    versions,
)

FAIR = {"grade": "中", "finance_opinion": "需修改", "fixes": "指标值设定依据不足"}
PASS = {"dept_decision": "pass", "dept_opinion": "同意"}


def submit_and_grade(users, iid: int, grade: dict) -> None:
    do(users["school1"], iid, "Task_Fill", goal_table())
    do(users["edu_head"], iid, "Task_DeptReview", PASS)
    do(users["fin_edu"], iid, "Task_FinanceReview", grade)


def test_lowering_the_round_limit_in_the_dmn(app, users, flows):
    running = start_goals(users, in_library(users))["id"]  # version 1: three rounds

    new = deploy_variant(users, REVIEW, {"goal_review_outcome.dmn": [
        ("<text>&lt; 3</text>", "<text>&lt; 1</text>"), ("<text>&gt;= 3</text>", "<text>&gt;= 1</text>"),
        ("多次修改后审核等次仍为中", "审核等次为中，不再退回修改")]})
    assert new["version"] == 2
    code = in_library(users, project_name="县第一中学食堂改造")
    strict = start_goals(users, code)["id"]

    submit_and_grade(users, strict, FAIR)
    assert status_of(users, strict) == "completed"
    (version,) = versions(app, code)
    assert (version.status, version.outcome_basis) == (GoalVersionStatus.REFUSED, "审核等次为中，不再退回修改，不得安排预算")
    assert reviews(app, code)[-1][3:5] == ("中", "refuse")
    assert project(app, code).goal_status == GoalStatus.REFUSED

    submit_and_grade(users, running, FAIR)
    assert steps(users["school1"], running) == ["Task_Fill"]
    assert status_of(users, running) == "running"
