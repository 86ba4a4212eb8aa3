"""预算安排 in the demo year: in April, once last year's result notices are out, the office arranges this year's
budgets from them — 教育 reviewed and confirmed (units read their lines; 县教育局 its 部门公用经费 line, moved by
its department evaluation of February: dept_performance's demo plays that first); 水利, started once its 中 results
were noticed, waits for 农业农村股's review."""

from __future__ import annotations

from datetime import date

from server.services.demo_year.calendar import YearPlan, local, workday_on_or_after
from server.services.demo_year.story import Story

KEY = "budget_arrangement"
SECTION, CONFIRM = "财政业务股室审核预算安排", "绩效管理股确认预算安排"


def stories(plan: YearPlan) -> list[Story]:
    def on(month: int, day: int, hour: int = 10):
        return local(workday_on_or_after(date(plan.year, month, day)), hour)

    edu = Story(f"{plan.year} 年度预算安排（教育）")
    edu.start(on(4, 8), "perf", KEY, {"fiscal_year": plan.year, "sector": "教育"})
    edu.act(on(4, 14), "fin_edu", KEY, SECTION, {"section_opinion": "已逐项核对调整依据和来源评价。"})
    edu.act(on(4, 16), "perf", KEY, CONFIRM, {"office_decision": "confirm", "office_opinion": "同意按评价结果安排。"})
    water = Story(f"{plan.year} 年度预算安排（水利）")
    # late in the year, after the 中 results' notices: its draft shows them (payments suspended, no priority)
    water.start(plan.before(2, 10), "perf", KEY, {"fiscal_year": plan.year, "sector": "水利"})
    return [edu, water]
