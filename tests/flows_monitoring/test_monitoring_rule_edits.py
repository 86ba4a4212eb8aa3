"""DOMAIN §3's warning colours beyond green (blue from 120% of the pace, 部分达成 yellow, the goal's colour its worst
indicator), and the rule table monitoring_rules deciding the rest of the calendar: an admin moves the reminder,
the escalation, the slow-spending month, the ledger month and the blue line, and a new monitoring follows them.
Walked over HTTP on SQLite and PostgreSQL with the ManualClock."""

from __future__ import annotations

import pytest

from server.flows.monitoring.models import Colour
from tests.api.helpers import start
from tests.flows_goal_review.conftest import deploy_variant, do, steps
from tests.flows_monitoring.conftest import (
    DECIDE,
    EXPLAIN,
    JANUARY,
    KEY,
    REPORT,
    approved_project,
    later,
    ledger,
    month_end,
    notices,
    reports,
)
from tests.flows_monitoring.test_monitoring_year import file, on_track


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a rule table's effect, not the database's: the walks run on both
def test_over_target_is_blue_partial_is_yellow_and_the_goal_takes_the_worst(app, users, flows, clock):
    clock.set(JANUARY)
    code = approved_project(users)
    iid = start(users["school1"], KEY, {"project_code": code})["id"]
    month_end(clock, app, 1)
    values = on_track(1, "部分达成")
    values[0] = "525.00"  # 150% of January's share of 4,200 平方米
    file(users, iid, 1, 30000, values)
    (jan,) = reports(app, code)
    assert [i.colour for i in jan.indicators] == [Colour.BLUE, Colour.GREEN, Colour.YELLOW] + [Colour.GREEN] * 3
    assert (jan.execution_colour, jan.goal_colour, jan.colour) == (Colour.GREEN, Colour.YELLOW, Colour.YELLOW)
    assert steps(users["school1"], iid) == [EXPLAIN]  # a yellow month asks the unit why


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a rule table's effect, not the database's: the walks run on both
def test_deadlines_calendar_months_and_blue_follow_the_dmn(app, users, flows, clock):
    clock.set(JANUARY)
    version = deploy_variant(users, KEY, {"monitoring_rules.dmn": [
        ('<outputEntry id="OutputEntry_remind_after"><text>"P10D"', '<outputEntry id="OutputEntry_remind_after"><text>"P3D"'),
        ('<outputEntry id="OutputEntry_escalate_after"><text>"P20D"',
         '<outputEntry id="OutputEntry_escalate_after"><text>"P5D"'),
        ('<outputEntry id="OutputEntry_slow_month"><text>6', '<outputEntry id="OutputEntry_slow_month"><text>2'),
        ('<outputEntry id="OutputEntry_ledger_month"><text>10', '<outputEntry id="OutputEntry_ledger_month"><text>2'),
        ('<outputEntry id="OutputEntry_blue_from"><text>1.2', '<outputEntry id="OutputEntry_blue_from"><text>1.1')]})
    assert version["version"] == 2
    code = approved_project(users)
    iid = start(users["school1"], KEY, {"project_code": code})["id"]

    # January: nothing spent (red); 115% of the pace is blue from 110%.
    month_end(clock, app, 1)
    values = on_track(1)
    values[0] = "402.50"
    file(users, iid, 1, 0, values)
    (jan,) = reports(app, code)
    assert (jan.indicators[0].colour, jan.execution_colour) == (Colour.BLUE, Colour.RED)
    assert ledger(app, code) == []  # January is not the ledger month
    do(users["school1"], iid, EXPLAIN, {"cause": "项目尚未开工", "measures": "尽快开工"})
    do(users["fin_edu"], iid, DECIDE, {"decision": "accept", "finance_opinion": "认可"})

    # February's report is late: the unit is reminded after 3 days, the office told after 5.
    month_end(clock, app, 2)
    later(clock, app, days=2, hours=23)
    assert notices(app, code) == []
    later(clock, app, hours=2)
    assert notices(app, code)[-1][:2] == ("unit_staff", "reminder")
    later(clock, app, days=2)
    assert notices(app, code)[-1][:2] == ("performance_office", "escalation")
    assert steps(users["school1"], iid) == [REPORT]

    # Still nothing spent at the end of February: the slow-spending reminder and the ledger, eight months early.
    file(users, iid, 2, 0)
    kinds = [n[:2] for n in notices(app, code)]
    assert ("unit_staff", "calendar") in kinds and ("finance_section", "calendar") in kinds
    assert any("2月底支出进度不理想" in n[2] for n in notices(app, code))
    assert ledger(app, code) == [(2026, "2月底支出仍未破零")]
