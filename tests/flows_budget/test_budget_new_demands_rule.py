"""Seed 002's rule that a unit which skipped its self-evaluation gets no new budget is the table
budget_new_demands: a county that does not apply it sets “不予考虑新增需求” to false and deploys, and the next
arrangement shows the unit's new demand like any other (tests/flows_budget/test_budget_arrangement_years.py
walks the shipped table refusing it). Over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.flows_budget.conftest import KEY, SECTION, arrangement, codes, water_project
from tests.flows_budget.test_budget_arrangement_years import start_arrangement
from tests.flows_evaluation.conftest import county
from tests.flows_ex_ante.conftest import application, apply
from tests.flows_goal_review.conftest import deploy_variant, steps


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
