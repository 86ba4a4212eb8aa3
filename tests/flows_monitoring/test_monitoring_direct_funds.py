"""Issue 16.5 (seed 002 "尤其对直达资金进行重点监控"): the rule table monitoring_rules reads the project's fund
source; a 直达资金 project still at zero at the end of June enters the key-attention ledger, four months before
the October rule that applies to the other projects."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.api.helpers import start
from tests.flows_goal_review.conftest import do
from tests.flows_monitoring.conftest import EXPLAIN, KEY, approved_project, ledger, month_end, notices
from tests.flows_monitoring.test_monitoring_year import file


def test_direct_funds_at_zero_in_june_enter_the_ledger_others_do_not(app, users, flows, clock):
    clock.set(datetime(2026, 6, 10, 1, 0, tzinfo=UTC))
    direct = approved_project(users, project_name="县实验小学学生营养改善计划", fund_source="direct")
    local = approved_project(users, project_name="县第一中学食堂改造")
    runs = {code: start(users["school1"], KEY, {"project_code": code})["id"] for code in (direct, local)}
    month_end(clock, app, 6)
    for iid in runs.values():
        file(users, iid, 6, 0)
        do(users["school1"], iid, EXPLAIN, {"cause": "项目尚未开工", "measures": "尽快开工"})
    assert ledger(app, direct) == [(2026, "6月底支出仍未破零（直达资金重点监控）")]
    assert ("finance_section", "calendar") in [n[:2] for n in notices(app, direct)]
    assert ledger(app, local) == []
