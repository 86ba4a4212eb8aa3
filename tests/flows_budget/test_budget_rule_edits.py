"""预算安排's rule tables edited by a county and deployed (tests/flows_budget/test_budget_arrangement_years.py walks
the shipped ones): seed 002's "no new budget for a unit that skipped its self-evaluation" is budget_new_demands,
and a county that does not apply it sets “不予考虑新增需求” to false; the base of the percentage (the unit's
previous-year 年初预算项目经费, seed 004) is budget_arrangement_rules, and 临朐 (001) takes the project's own amount.
Over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.flows_budget.conftest import KEY, SECTION, arrangement, codes, water_project
from tests.flows_budget.test_budget_arrangement_years import FULL, evaluate, start_arrangement
from tests.flows_evaluation.conftest import county
from tests.flows_ex_ante.conftest import application, apply
from tests.flows_goal_review.conftest import deploy_variant, steps
from tests.flows_monitoring.conftest import approved_project


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a rule table's effect, not the database's: the walks run on both
def test_a_county_may_consider_new_demands_of_a_unit_that_skipped_its_self_evaluation(app, users, flows, clock):
    skipped = water_project(users, project_name="县水利工程站渠道维护")
    clock.set(county(2027, 1, 20, 9))  # the year is over; the station never self-evaluates
    apply(users, application(project_name="县水利工程站泵站新建", contact="赵工 0000-7654321"), who="water1")
    version = deploy_variant(users, KEY, {"budget_new_demands.dmn": [
        ('<outputEntry id="OutputEntry_skipped_refuse"><text>True', '<outputEntry id="OutputEntry_skipped_refuse"><text>False')]})
    assert version["version"] == 2

    clock.set(county(2027, 2, 10, 9))
    iid = start_arrangement(users, "水利")
    assert steps(users["fin_agri"], iid) == [SECTION]
    lines = arrangement(users["fin_agri"])
    (demand,) = [code for code, line in lines.items() if line["new_demand"]]
    assert (lines[skipped]["amount"], lines[skipped]["reasons"]) == ("300000.00", [])
    assert codes(lines[demand]) == ["not_admitted"]  # considered: waits only for its assessment (先评估后入库)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a rule table's effect, not the database's: the walks run on both
def test_a_county_may_apply_the_percentage_to_the_project_instead_of_the_unit(app, users, flows, clock):
    a = approved_project(users)
    approved_project(users, project_name="县第一中学食堂改造")  # the school's 2026 project budget: 720,000
    clock.set(county(2027, 1, 20, 9))
    evaluate(users, a, FULL, 95, 360000, {"conclusion": "全部完成"})
    deploy_variant(users, KEY, {"budget_arrangement_rules.dmn": [
        ('<outputEntry id="OutputEntry_excellent_base"><text>"单位"', '<outputEntry id="OutputEntry_excellent_base"><text>"项目"')]})
    clock.set(county(2027, 2, 10, 9))
    start_arrangement(users, "教育")
    line = arrangement(users["fin_edu"])[a]
    assert (line["base"], line["adjustment"], line["amount"], line["priority"]) == ("360000.00", "36000.00", "396000.00", True)
    reason = line["reasons"][0]
    assert (reason["grade"], reason["percent_base"], reason["base"], reason["change"]) == ("优", "project", "360000.00", "36000.00")
