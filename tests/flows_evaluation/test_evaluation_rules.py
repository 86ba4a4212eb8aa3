"""The grade thresholds and the result application live in the rule tables evaluation_grade and
evaluation_application: an admin deploys a new version and new evaluations follow it, while an evaluation
already running keeps the tables it started with."""

from __future__ import annotations

from decimal import Decimal

from tests.api.helpers import start
from tests.flows_evaluation.conftest import (
    FULL,
    KEY,
    NOTICE,
    REVIEW,
    SELF,
    adjustments,
    county,
    evaluation,
    self_form,
    wake_at,
)
from tests.flows_goal_review.conftest import deploy_variant, do, task_data
from tests.flows_monitoring.conftest import approved_project


def self_evaluate_at_94(users, iid: int) -> None:
    """Every indicator met (90 points) and 40% of the budget spent (4 points): 94."""
    rows = self_form(users["school1"], iid, FULL, 100)
    do(users["school1"], iid, SELF, {"spent": 144000, "indicator_scores": rows, "explanation": "目标全部完成"})
    do(users["perf"], iid, REVIEW, {"review_decision": "accept", "review_opinion": "同意"})


def test_grade_threshold_and_percentage_follow_the_dmn(app, users, flows, clock):
    old = approved_project(users)
    new = approved_project(users, project_name="县第一中学食堂改造")
    wake_at(clock, app, county(2027, 2, 1, 9))
    running = start(users["school1"], KEY, {"project_code": old})["id"]

    # 优 from 95 points instead of 90, and 良 earns +8% instead of +5%.
    version = deploy_variant(users, KEY, {
        "evaluation_grade.dmn": [("<text>&gt;= 90</text>", "<text>&gt;= 95</text>")],
        "evaluation_application.dmn": [('<outputEntry id="OutputEntry_good_percent"><text>5</text>',
                                        '<outputEntry id="OutputEntry_good_percent"><text>8</text>')],
    })
    assert version["version"] == 2
    following = start(users["school1"], KEY, {"project_code": new})["id"]

    self_evaluate_at_94(users, running)
    self_evaluate_at_94(users, following)
    assert (evaluation(app, old).score, evaluation(app, old).grade) == (Decimal(94), "优")
    assert (evaluation(app, new).score, evaluation(app, new).grade) == (Decimal(94), "良")
    assert task_data(users["perf"], following, NOTICE)["adjust_percent"] == 8

    do(users["perf"], running, NOTICE, {"conclusion": "绩效优秀"})
    do(users["perf"], following, NOTICE, {"conclusion": "绩效良好"})
    assert adjustments(app, old) == [(2027, "increase", "10.00", "360000.00", "36000.00", "evaluation")]
    assert adjustments(app, new) == [(2027, "increase", "8.00", "360000.00", "28800.00", "evaluation")]
    assert evaluation(app, new).application_basis.startswith("评价结果为良")
