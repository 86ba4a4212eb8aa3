"""The counties' variants DOMAIN §4 names, made by editing the rule tables and deploying (no code): one province
grades 80/70/60 (evaluation_grade), 临朐 (seed 001) cuts next year's budget by 10% below 良 (evaluation_application),
a county asks for rectification reports within 20 days instead of 30 (evaluation_rules).
An evaluation started before the deploy keeps the shipped tables. Each project scores 78.42 (中 by default).
Walked over HTTP on SQLite and PostgreSQL with the ManualClock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.api.helpers import start, tasks
from tests.flows_evaluation.conftest import (
    KEY,
    NOTICE,
    RECTIFY,
    REVIEW,
    SELF,
    adjustments,
    county,
    evaluation,
    self_form,
    suspensions,
    wake_at,
)
from tests.flows_evaluation.test_evaluation_year import REASONS
from tests.flows_goal_review.conftest import deploy_variant, do, status_of, task_data
from tests.flows_monitoring.conftest import approved_project

REQUIREMENTS = {"conclusion": "项目进度滞后", "requirements": "倒排工期，报送整改报告"}


def self_evaluate_at_78(users, iid: int) -> None:
    """5 (half the budget spent) + 73.42 points of indicators = 78.42; the office accepts it."""
    rows = self_form(users["school1"], iid, ["3000", "95", "部分达成", "2400", "30", "80"], 70, REASONS)
    do(users["school1"], iid, SELF, {"spent": 180000, "indicator_scores": rows, "explanation": "工期延误"})
    do(users["perf"], iid, REVIEW, {"review_decision": "accept", "review_opinion": "自评属实"})


def two_projects(app, users, clock) -> tuple[str, str, int]:
    """Two approved 2026 projects after the year; the first one's evaluation starts before the deploy."""
    old = approved_project(users)
    new = approved_project(users, project_name="县第一中学食堂改造")
    wake_at(clock, app, county(2027, 2, 1, 9))
    return old, new, start(users["school1"], KEY, {"project_code": old})["id"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a rule table's effect, not the database's: the walks run on both
def test_a_province_grades_80_70_60_by_editing_the_table(app, users, flows, clock):
    old, new, running = two_projects(app, users, clock)
    version = deploy_variant(users, KEY, {"evaluation_grade.dmn": [
        ('<inputEntry id="InputEntry_excellent"><text>&gt;= 90', '<inputEntry id="InputEntry_excellent"><text>&gt;= 80'),
        ('<inputEntry id="InputEntry_good"><text>&gt;= 80', '<inputEntry id="InputEntry_good"><text>&gt;= 70'),
    ]})
    assert version["version"] == 2
    following = start(users["school1"], KEY, {"project_code": new})["id"]
    self_evaluate_at_78(users, running)
    self_evaluate_at_78(users, following)
    assert (evaluation(app, old).score, evaluation(app, old).grade) == (Decimal("78.42"), "中")
    assert (evaluation(app, new).score, evaluation(app, new).grade) == (Decimal("78.42"), "良")

    # The result notice is due 20 days after grading (public rule), whatever the grade.
    for code in (old, new):
        (notice,) = [t for t in tasks(users["perf"], "claimable", q=code) if t["element_id"] == NOTICE]
        assert notice["due_at"].startswith("2027-02-21T01:00"), notice["due_at"]

    # 良 under the province's table: +5%, nothing to rectify, no suspension; 中 under the shipped one: suspended.
    assert task_data(users["perf"], following, NOTICE)["adjust_percent"] == 5
    do(users["perf"], following, NOTICE, {"conclusion": "绩效良好"})
    assert adjustments(app, new) == [(2027, "increase", "5.00", "360000.00", "18000.00", "evaluation")]
    assert suspensions(app, new) == [] and status_of(users, following) == "completed"
    do(users["perf"], running, NOTICE, REQUIREMENTS)
    assert adjustments(app, old) == [] and len(suspensions(app, old)) == 1
    assert evaluation(app, old).rectify_due_at == county(2027, 3, 4)  # measures within 30 days


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a rule table's effect, not the database's: the walks run on both
def test_linqu_cuts_below_good_by_ten_percent_by_editing_the_table(app, users, flows, clock):
    old, new, running = two_projects(app, users, clock)
    deploy_variant(users, KEY, {"evaluation_application.dmn": [
        ('<outputEntry id="OutputEntry_fair_percent"><text>0</text>',
         '<outputEntry id="OutputEntry_fair_percent"><text>-10</text>'),
        ("评价结果为中，提出整改意见并跟踪落实，整改期间暂缓拨付", "评价结果为良以下，调减 10%（临朐 001），整改期间暂缓拨付"),
    ]})
    following = start(users["school1"], KEY, {"project_code": new})["id"]
    self_evaluate_at_78(users, running)
    self_evaluate_at_78(users, following)
    assert evaluation(app, old).grade == evaluation(app, new).grade == "中"
    assert task_data(users["perf"], following, NOTICE)["adjust_percent"] == -10
    assert task_data(users["perf"], running, NOTICE)["adjust_percent"] == 0

    do(users["perf"], following, NOTICE, REQUIREMENTS)
    do(users["perf"], running, NOTICE, REQUIREMENTS)
    assert adjustments(app, new) == [(2027, "decrease", "-10.00", "360000.00", "-36000.00", "evaluation")]
    assert evaluation(app, new).application_basis.startswith("评价结果为良以下，调减 10%")
    assert adjustments(app, old) == []  # the shipped table: 中 changes no budget
    assert len(suspensions(app, new)) == len(suspensions(app, old)) == 1  # both rectify with payments held


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a rule table's effect, not the database's: the walks run on both
def test_a_shorter_rectification_deadline_in_the_rules_table(app, users, flows, clock):
    old, new, running = two_projects(app, users, clock)
    deploy_variant(users, KEY, {"evaluation_rules.dmn": [
        ('<outputEntry id="OutputEntry_rectify_within"><text>"P30D"', '<outputEntry id="OutputEntry_rectify_within"><text>"P20D"')]})
    following = start(users["school1"], KEY, {"project_code": new})["id"]
    for iid in (running, following):
        self_evaluate_at_78(users, iid)
        do(users["perf"], iid, NOTICE, REQUIREMENTS)
    assert evaluation(app, old).rectify_due_at == county(2027, 3, 4)  # 30 days: the shipped table
    assert evaluation(app, new).rectify_due_at == county(2027, 2, 22)  # 20 days: the county's
    (task,) = [t for t in tasks(users["school1"], "claimable", q=new) if t["element_id"] == RECTIFY]
    assert task["due_at"].startswith("2027-02-21T16:00")  # the end of 21 February in the county
