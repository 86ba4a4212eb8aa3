"""绩效运行监控·纠偏 walked month by month through fiscal year 2026 over HTTP, on SQLite and PostgreSQL: green,
yellow and red rounds with the unit's cause and measures and the finance section's decisions, the June reminder,
an overdue report's reminder and escalation, the year-end recovery; a project that never spends enters the
October key-attention ledger. The domain tables are checked after each step."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from server.db import db
from server.flows.monitoring.models import Colour
from server.models import ProcessInstance
from tests.api.helpers import start
from tests.flows_evaluation.conftest import adjustments, suspensions
from tests.flows_goal_review.conftest import do, refused_start, status_of, steps, task_data
from tests.flows_monitoring.conftest import (
    BUDGET,
    DECIDE,
    EXPLAIN,
    JANUARY,
    KEY,
    REPORT,
    approved_project,
    corrections,
    later,
    ledger,
    month_end,
    notices,
    report_rows,
    reports,
)

TARGETS = (4200, 100, None, 3200, 30, 90)  # goal_review's INDICATORS; None: 定性


def on_track(month: int, qualitative: str = "达成") -> list[str]:
    return [qualitative if t is None else f"{t * month / 12:.2f}" for t in TARGETS]


def file(users, iid: int, month: int, spent: float, values: list[str] | None = None, **extra) -> None:
    rows = report_rows(users["school1"], iid, values or on_track(month), **{
        k: extra.pop(k) for k in ("likelihood", "cause") if k in extra})
    do(users["school1"], iid, REPORT, {"spent": spent, "indicator_reports": rows, **extra})


def in_force(users, code: str) -> tuple[str, str]:
    """(approved amount, budget in force) as the project library's detail shows them."""
    school = users["school1"]
    (row,) = [p for p in school.get("/api/v1/projects", query_string={"q": code}).get_json()["items"]]
    detail = school.get(f"/api/v1/projects/{row['id']}").get_json()
    return detail["amount"], detail["budget_in_force"]


def state_tasks(app, iid: int) -> int:
    """How many SpiffWorkflow tasks the stored state holds."""
    with app.app_context():
        state = json.loads(db.session.scalar(select(ProcessInstance.state).where(ProcessInstance.id == iid)))
        return len(state["tasks"])


def data_keys(app, iid: int) -> set[str]:
    with app.app_context():
        state = json.loads(db.session.scalar(select(ProcessInstance.state).where(ProcessInstance.id == iid)))
        return set(state["data"])


def test_a_year_of_monitoring(app, users, flows, clock):
    clock.set(JANUARY)
    code = approved_project(users)
    assert "未找到本单位的项目" in refused_start(users, {"project_code": code}, who="water1", key=KEY)
    iid = start(users["school1"], KEY, {"project_code": code})["id"]
    assert steps(users["school1"], iid) == []  # waits for the end of January

    # January: on track — green, no explanation asked.
    month_end(clock, app, 1)
    assert steps(users["school1"], iid) == [REPORT]
    file(users, iid, 1, 30000)
    (jan,) = reports(app, code)
    assert (jan.month, jan.spent, jan.execution_ratio, jan.colour) == (1, 30000, 1, Colour.GREEN)
    assert [i.colour for i in jan.indicators] == [Colour.GREEN] * 6 and jan.goal_id is not None
    assert steps(users["school1"], iid) == [] and status_of(users, iid) != "completed"
    keys = data_keys(app, iid)
    tree = state_tasks(app, iid)
    assert "运行监控已在进行中" in refused_start(users, {"project_code": code}, key=KEY)

    # February: 75% of the pace — yellow; the cause is required; finance accepts.
    month_end(clock, app, 2)
    file(users, iid, 2, 45000)
    feb = reports(app, code)[-1]
    assert (feb.execution_colour, feb.goal_colour, feb.colour) == (Colour.YELLOW, Colour.GREEN, Colour.YELLOW)
    resp = do(users["school1"], iid, EXPLAIN, {"measures": "加快施工"}, expect=422)
    assert set(resp["fields"]) == {"cause"}
    do(users["school1"], iid, EXPLAIN, {"cause": "设计招标延期", "measures": "3月完成招标后加快施工"})
    assert steps(users["fin_edu"], iid) == [DECIDE]
    do(users["fin_edu"], iid, DECIDE, {"decision": "accept", "finance_opinion": "原因属实，措施可行"})
    assert corrections(app, code) == [(2, "accept", None)]
    assert notices(app, code, outcomes=True)[-1] == (  # the unit hears the verdict on its warning
        "unit_staff", "outcome", f"县第一中学教学楼维修改造（{code}）：财政纠偏决定（2026年2月） 结果为“认可原因和措施”（教科文股 王强）")
    assert reports(app, code)[-1].cause == "设计招标延期"

    # March: overdue — a reminder to the unit after 10 days, escalation to the office after 20.
    month_end(clock, app, 3)
    assert notices(app, code) == []
    later(clock, app, days=9, hours=23)
    assert notices(app, code) == []
    later(clock, app, hours=2)
    assert notices(app, code)[-1][:2] == ("unit_staff", "reminder")
    later(clock, app, days=10)
    assert notices(app, code)[-1][:2] == ("performance_office", "escalation")
    assert "3月绩效监控报告经提醒仍未报送" in notices(app, code)[-1][2]
    assert steps(users["school1"], iid) == [REPORT]  # the report task is still the same one
    # The form refuses bad input field by field; the flow refuses what the form cannot know (the budget).
    rows = report_rows(users["school1"], iid, on_track(3, "未达成"), likelihood="无法完成")
    resp = do(users["school1"], iid, REPORT, {"spent": -1, "indicator_reports": rows}, expect=422)
    assert set(resp["fields"]) == {"spent", *(f"indicator_reports.{i}.cause" for i in range(6))}
    # Above the budget: the flow's own check refuses it before anything is recorded, naming the field (and not
    # a confusing "unpayable above a negative balance" on top).
    over = report_rows(users["school1"], iid, on_track(3))
    resp = do(users["school1"], iid, REPORT, {"spent": BUDGET + 1, "indicator_reports": over,
                                               "unpayable_amount": 1000}, expect=422)
    assert set(resp["fields"]) == {"spent"} and "不能超过预算" in resp["fields"]["spent"]
    assert "report_errors" not in task_data(users["school1"], iid, REPORT) or \
        not task_data(users["school1"], iid, REPORT)["report_errors"]
    assert len(reports(app, code)) == 2
    # Red: a third of the pace, and the qualitative indicator 未达成.
    file(users, iid, 3, 30000, on_track(3, "未达成"), likelihood="无法完成", cause="施工队伍未进场")
    mar = reports(app, code)[-1]
    assert (mar.execution_colour, mar.goal_colour, mar.colour) == (Colour.RED, Colour.RED, Colour.RED)
    assert mar.indicators[2].colour == Colour.RED and mar.indicators[2].cause == "施工队伍未进场"
    do(users["school1"], iid, EXPLAIN, {"cause": "施工队伍未进场", "measures": "更换施工单位"})
    resp = do(users["fin_edu"], iid, DECIDE, {"decision": "adjust_budget", "finance_opinion": "调减预算"},
              expect=422)
    assert set(resp["fields"]) == {"decision_amount"}
    do(users["fin_edu"], iid, DECIDE, {"decision": "adjust_budget", "finance_opinion": "调减预算",
                                       "decision_amount": 300000})
    assert corrections(app, code)[-1] == (3, "adjust_budget", "300000.00")
    assert in_force(users, code) == ("360000.00", "300000.00")  # approved amount kept; budget in force
    assert adjustments(app, code, "monitoring") == [(2026, "decrease", None, None, "-60000.00", "monitoring")]

    # April: still red → payment suspended; May: green against the adjusted budget of 300,000.
    month_end(clock, app, 4)
    file(users, iid, 4, 50000)
    assert reports(app, code)[-1].budget == 300000 and reports(app, code)[-1].colour == Colour.RED
    do(users["school1"], iid, EXPLAIN, {"cause": "新施工单位刚进场", "measures": "倒排工期"})
    do(users["fin_edu"], iid, DECIDE, {"decision": "suspend_payment", "finance_opinion": "暂缓拨付"})
    assert corrections(app, code)[-1] == (4, "suspend_payment", None)
    (held,) = suspensions(app, code)
    assert held.lifted_at is None and held.reason == "暂缓拨付"
    assert notices(app, code)[-1][:2] == ("unit_staff", "correction")
    month_end(clock, app, 5)
    file(users, iid, 5, 125000)
    assert reports(app, code)[-1].colour == Colour.GREEN
    (held,) = suspensions(app, code)  # the correction worked: payments resume
    assert held.lifted_at is not None and held.lift_reason == "5月监控恢复正常"
    assert "恢复拨付资金" in notices(app, code)[-1][2]

    # June: spending slow (67% of the pace) → the calendar reminder; finance asks for adjusted goals.
    month_end(clock, app, 6)
    file(users, iid, 6, 100000)
    assert notices(app, code)[-1][:2] == ("unit_staff", "calendar")
    assert "6月底支出进度不理想" in notices(app, code)[-1][2]
    do(users["school1"], iid, EXPLAIN, {"cause": "材料价格上涨", "measures": "调整采购计划"})
    do(users["fin_edu"], iid, DECIDE, {"decision": "adjust_goals", "finance_opinion": "请调整绩效目标"})
    assert corrections(app, code)[-1] == (6, "adjust_goals", None)

    # July to November: on track; no ledger row (the project has spent).
    for month in range(7, 12):
        month_end(clock, app, month)
        file(users, iid, month, 300000 * month / 12)
        assert reports(app, code)[-1].colour == Colour.GREEN
    assert ledger(app, code) == []
    assert data_keys(app, iid) == keys  # the instance does not grow with the rounds:
    assert state_tasks(app, iid) == tree  # neither its data nor its task tree

    # December: 20,000 cannot be paid this year → recovered by finance; the year's monitoring ends.
    month_end(clock, app, 12)
    file(users, iid, 12, 280000, on_track(12), unpayable_amount=20000)
    dec = reports(app, code)[-1]
    assert (dec.month, dec.unpayable_amount, dec.colour) == (12, 20000, Colour.GREEN)
    assert corrections(app, code)[-1] == (12, "recover_balance", "20000.00")
    assert in_force(users, code) == ("360000.00", "280000.00")
    assert adjustments(app, code, "monitoring")[-1] == (2026, "recover", None, None, "-20000.00", "monitoring")
    assert status_of(users, iid) == "completed"
    assert [r.month for r in reports(app, code)] == list(range(1, 13))


def test_a_project_still_at_zero_in_october_enters_the_ledger(app, users, flows, clock):
    clock.set(datetime(2026, 9, 15, 1, 0, tzinfo=UTC))
    code = approved_project(users, project_name="县第一中学食堂改造")
    iid = start(users["school1"], KEY, {"project_code": code})["id"]
    month_end(clock, app, 8)
    assert steps(users["school1"], iid) == []  # started in September: the first report is September's
    for month in (9, 10):
        month_end(clock, app, month)
        file(users, iid, month, 0)
        assert reports(app, code)[-1].colour == Colour.RED
        do(users["school1"], iid, EXPLAIN, {"cause": "项目尚未开工", "measures": "尽快开工"})
        if month == 9:
            assert ledger(app, code) == []
            do(users["fin_edu"], iid, DECIDE, {"decision": "suspend_payment", "finance_opinion": "暂缓拨付"})
    assert ledger(app, code) == [(2026, "10月底支出仍未破零")]
    assert notices(app, code)[-1][:2] == ("finance_section", "calendar")
    do(users["fin_edu"], iid, DECIDE, {"decision": "recover_balance", "finance_opinion": "收回统筹",
                                       "decision_amount": 200000})
    assert corrections(app, code) == [(9, "suspend_payment", None), (10, "recover_balance", "200000.00")]
    month_end(clock, app, 11)
    file(users, iid, 11, 0)
    assert reports(app, code)[-1].budget == BUDGET - 200000
