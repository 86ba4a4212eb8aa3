"""Two fiscal years of 县第一中学 and 县水利工程站 over HTTP, on SQLite and PostgreSQL: 2026 ends with an 优 (A), a 中 (B)
and a 差 (C) project at the school, each evaluated and noticed through the shipped evaluation flow, while the
water station never self-evaluates its project (W). Both units apply for a new 2027 project. The office then
arranges 2027 per sector, and the API shows every consequence with its reason and source evaluation:

- A 优: +10% of the school's 2026 年初预算项目经费 (3 × 360,000; the rule table's default base, seed 004), priority;
- B 中: no change, no priority, payments suspended while rectifying — until the office verifies the rectification;
- C 差: −10% of the same base;
- the water station's new demand is not considered (it skipped its self-evaluation, seed 002); the school's is
  shown but not yet funded (先评估后入库);
- units see nothing until the office confirms, then their own lines and a notice.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from server.db import db
from server.flows.budget_arrangement.arrange import Rule, arrange
from server.flows.budget_arrangement.models import BudgetArrangement
from server.models import Notification
from tests.api.helpers import start
from tests.flows_budget.conftest import CONFIRM, KEY, SECTION, arrangement, codes, water_project
from tests.flows_evaluation.conftest import (
    NOTICE,
    RECTIFY,
    REVIEW,
    SELF,
    VERIFY,
    county,
    evaluation,
    self_form,
)
from tests.flows_evaluation.test_evaluation_year import REASONS
from tests.flows_ex_ante.conftest import application, apply
from tests.flows_goal_review.conftest import do, refused_start, status_of, steps
from tests.flows_monitoring.conftest import approved_project
from tests.web.conftest import Browser

FULL = ["4200", "100", "达成", "3200", "30", "90"]


def evaluate(users, code: str, values: list[str], degree: float, spent: int, notice: dict) -> int:
    """The unit self-evaluates after the year, the office accepts it and sends the result notice."""
    iid = start(users["school1"], "evaluation", {"project_code": code})["id"]
    rows = self_form(users["school1"], iid, values, degree, REASONS)
    do(users["school1"], iid, SELF, {"spent": spent, "indicator_scores": rows, "explanation": "见自评报告"})
    do(users["perf"], iid, REVIEW, {"review_decision": "accept", "review_opinion": "自评属实"})
    do(users["perf"], iid, NOTICE, notice)
    return iid


def year_one(app, users, clock) -> tuple[str, str, str, str, int, int]:
    a = approved_project(users)
    b = approved_project(users, project_name="县第一中学食堂改造")
    c = approved_project(users, project_name="县第一中学运动场改造")
    w = water_project(users, project_name="县水利工程站渠道维护")
    clock.set(county(2027, 1, 20, 9))  # the year is over; W's unit never self-evaluates
    evaluate(users, a, FULL, 95, 360000, {"conclusion": "全部完成"})
    b_iid = evaluate(users, b, ["3000", "95", "部分达成", "2400", "30", "80"], 70, 180000,
                     {"conclusion": "进度滞后", "requirements": "倒排工期，报送整改报告"})
    c_iid = evaluate(users, c, ["1000", "60", "未达成", "1000", "10", "50"], 40, 100000,
                     {"conclusion": "绩效差", "requirements": "查明原因"})
    assert [evaluation(app, p).grade for p in (a, b, c)] == ["优", "中", "差"]
    return a, b, c, w, b_iid, c_iid


def never_rectified(users, iid: int) -> None:
    for round_ in (1, 2, 3):
        do(users["school1"], iid, RECTIFY, {"measures": f"第{round_}次整改", "results": "仍在推进", "completion": "部分完成"})
        do(users["perf"], iid, VERIFY, {"verify_decision": "send_back", "verify_opinion": "未整改到位"})


def new_demands(users) -> None:
    apply(users, application(project_name="县第一中学实验室建设"))
    apply(users, application(project_name="县水利工程站泵站新建", contact="赵工 0000-7654321"), who="water1")


def start_arrangement(users, sector: str) -> int:
    inst = start(users["perf"], KEY, {"fiscal_year": 2027, "sector": sector})
    assert inst["status"] == "running"
    return inst["id"]


def test_next_years_budget_reads_last_years_results(app, users, flows, clock):
    a, b, c, w, b_iid, c_iid = year_one(app, users, clock)
    new_demands(users)
    clock.set(county(2027, 2, 10, 9))
    edu, water = start_arrangement(users, "教育"), start_arrangement(users, "水利")
    assert "已在进行中" in refused_start(users, {"fiscal_year": 2027, "sector": "教育"}, who="perf", key=KEY)
    assert steps(users["fin_edu"], edu) == [SECTION] and steps(users["fin_agri"], water) == [SECTION]
    assert steps(users["fin_agri"], edu) == [] and steps(users["fin_edu"], water) == []

    lines = arrangement(users["fin_edu"])  # the section sees its sector's draft, nothing of 水利
    demand = next(code for code, line in lines.items() if line["new_demand"])
    assert set(lines) == {a, b, c, demand}
    eva, evb, evc = (evaluation(app, p).id for p in (a, b, c))
    la, lb, lc = lines[a], lines[b], lines[c]
    assert (la["base"], la["adjustment"], la["amount"], la["priority"]) == ("360000.00", "108000.00", "468000.00", True)
    adj = la["reasons"][0]
    assert (adj["code"], adj["evaluation_id"], adj["source_year"], adj["grade"], adj["percent_base"], adj["base"],
            adj["change"]) == ("adjustment", eva, 2026, "优", "unit", "1080000.00", "108000.00")
    assert adj["text"].startswith("2026 年度绩效评价等次为优：按该单位上一年度年初预算项目经费 1,080,000.00 元的 10% 调增 108,000.00 元")
    assert "004" in adj["text"] and codes(la) == ["adjustment", "priority"]
    assert (lb["adjustment"], lb["amount"], lb["priority"], lb["payments_suspended"]) == ("0.00", "360000.00", False, True)
    assert codes(lb) == ["priority_lost", "payments_suspended"]
    assert all(r["evaluation_id"] == evb for r in lb["reasons"])
    assert "整改期间暂缓拨付（自 2027年1月20日 起" in lb["reasons"][1]["text"]
    assert (lc["adjustment"], lc["amount"], codes(lc)) == ("-108000.00", "252000.00", ["adjustment"])
    assert lc["reasons"][0]["evaluation_id"] == evc and "调减 108,000.00 元" in lc["reasons"][0]["text"]
    assert (lines[demand]["amount"], codes(lines[demand])) == ("0.00", ["not_admitted"])  # allowed, not yet assessed

    wlines = arrangement(users["fin_agri"])
    wnew = next(code for code, line in wlines.items() if line["new_demand"])
    assert (wlines[w]["amount"], wlines[w]["reasons"]) == ("300000.00", [])
    refused = wlines[wnew]
    assert (refused["amount"], codes(refused)) == ("0.00", ["demand_refused", "not_admitted"])
    assert refused["reasons"][0]["text"].startswith("新增需求不予考虑：本单位未开展 2026 年度绩效自评（县水利工程站渠道维护）")
    assert arrangement(users["school1"]) == {} and arrangement(users["edu_head"]) == {}  # drafts stay in finance

    # Meanwhile C's third rectification report fails; the office sends the arrangement back and the redraft
    # reads it: C's execution stops (差 and not rectified, 002) and the school's new demand is not considered.
    never_rectified(users, c_iid)
    do(users["fin_edu"], edu, SECTION, {"section_opinion": "已逐项核对"})
    assert steps(users["perf"], edu) == [CONFIRM]
    do(users["perf"], edu, CONFIRM, {"office_decision": "send_back", "office_opinion": "运动场项目整改不到位，重新测算"})
    assert steps(users["fin_edu"], edu) == [SECTION]
    lines = arrangement(users["fin_edu"])
    assert (lines[c]["amount"], lines[c]["execution_stopped"], codes(lines[c])) == ("0.00", True, ["adjustment", "stopped"])
    assert "中止预算执行" in lines[c]["reasons"][1]["text"]
    assert codes(lines[demand]) == ["demand_refused", "not_admitted"]
    assert lines[demand]["reasons"][0]["text"].startswith("新增需求不予考虑：本单位 2026 年度评价结果整改不到位（县第一中学运动场改造）")
    assert lines[a]["amount"] == "468000.00" and {line["status"] for line in lines.values()} == {"draft"}

    # 教育: the section reviews, the office confirms; the school sees its lines and is told.
    do(users["fin_edu"], edu, SECTION, {"section_opinion": "已重新核对"})
    do(users["perf"], edu, CONFIRM, {"office_decision": "confirm", "office_opinion": "同意"})
    assert status_of(users, edu) == "completed"
    own = arrangement(users["school1"])
    assert set(own) == {a, b, c, demand} and {line["status"] for line in own.values()} == {"confirmed"}
    assert arrangement(users["water1"]) == {}  # 水利 is not confirmed, and never the school's
    with app.app_context():
        told = db.session.scalars(select(Notification.text).where(Notification.kind == "arrangement")).all()
    assert len(told) == 1 and told[0].startswith("2027 年度预算安排已确认：") and "468,000.00 元" in told[0]
    assert "已经确认" in refused_start(users, {"fiscal_year": 2027, "sector": "教育"}, who="perf", key=KEY)
    section = Browser(app.test_client())
    section.login("fin_edu")
    page = section.get("/budget-arrangements").get_data(as_text=True)  # opens on the newest year it may see
    assert "2027 年度预算安排" in page and f'data-project="{a}" data-status="confirmed"' in page
    sheet = load_workbook(BytesIO(section.client.get("/budget-arrangements?fiscal_year=2027&format=xlsx").data)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[a][4:7] == (360000, 108000, 468000) and "调增 108,000.00 元" in rows[a][10]
    assert rows["合计"][1] == "4 个项目" and rows["合计"][6] == 468000 + 360000 + 0 + 0  # C stopped, demand refused

    # B's payments stay suspended through the confirmed arrangement until its rectification is verified.
    clock.set(county(2027, 2, 25, 9))
    do(users["school1"], b_iid, RECTIFY, {"measures": "完成剩余工程", "results": "已验收", "completion": "已完成"})
    assert arrangement(users["school1"])[b]["payments_suspended"] is True
    do(users["perf"], b_iid, VERIFY, {"verify_decision": "verified", "verify_opinion": "整改到位"})
    lb = arrangement(users["school1"])[b]
    assert (lb["payments_suspended"], codes(lb)) == (False, ["priority_lost", "payments_resumed"])
    assert "整改已核查到位，2027年2月25日 恢复拨付" in lb["reasons"][1]["text"]

    # The base is the rule table's choice: with "project" A gets 10% of its own 360,000 instead.
    with app.app_context():
        rule = Rule("优", "any", "project", "priority", False, "按项目")
        (line,) = [x for x in arrange(2027, "教育", [rule], {}) if x.project.code == a]
        assert (line.adjustment, line.amount) == (Decimal("36000.00"), Decimal("396000.00"))
        assert db.session.scalar(select(BudgetArrangement.amount).join(BudgetArrangement.project)
                                 .where(BudgetArrangement.project.has(code=a))) == Decimal("468000.00")
