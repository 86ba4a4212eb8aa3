"""绩效评价·反馈整改·结果应用 walked from November 2026 to mid 2027 over HTTP, on SQLite and PostgreSQL, with three
projects of 县第一中学 side by side:

- A (教学楼维修改造) is monitored in November and December, waits for the year end, is self-evaluated with data
  prefilled from the December report, sent back once, selected for a key evaluation, drawn to a third-party
  firm by lot, scored 良 by its two experts → next year's budget +5%, no rectification;
- B (食堂改造) self-evaluates to 中, the office accepts it → payments suspended while rectifying; the report is
  late (reminder, then escalation), sent back once, then verified → suspension lifted;
- C (运动场改造) self-evaluates to 差 → next year's budget −10%; three rectification reports all insufficient →
  not rectified.

Every result is marked for publication. The domain tables are checked after each step.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from server.flows.evaluation.models import EvaluationStatus
from server.flows.evaluation.result import lot
from tests.api.helpers import start, tasks
from tests.flows_evaluation.conftest import (
    KEY,
    KEY_SCORE,
    NOTICE,
    RECTIFY,
    REVIEW,
    SELF,
    VERIFY,
    adjustments,
    county,
    draw_of,
    evaluation,
    key_scores,
    register_firm,
    self_form,
    suspensions,
    wake_at,
)
from tests.flows_goal_review.conftest import do, refused_start, status_of, steps, task_data
from tests.flows_monitoring.conftest import approved_project, month_end, notices, reports
from tests.flows_monitoring.test_monitoring_year import file, on_track

REASONS = {i: "受工期和招生人数影响未完成，已调整明年计划" for i in range(6)}


def walk_a_to_the_key_evaluation(app, users, clock, a: str) -> int:
    """November: A is monitored and its evaluation started early; it opens 15 days after the year end."""
    clock.set(datetime(2026, 11, 15, 1, 0, tzinfo=UTC))
    monitored = start(users["school1"], "monitoring", {"project_code": a})["id"]
    iid = start(users["school1"], KEY, {"project_code": a})["id"]
    assert steps(users["school1"], iid) == [] and evaluation(app, a).status == EvaluationStatus.WAITING
    assert "已在进行中" in refused_start(users, {"project_code": a}, key=KEY)
    assert "未找到本单位的项目" in refused_start(users, {"project_code": a}, who="water1", key=KEY)

    month_end(clock, app, 11)
    file(users, monitored, 11, 300000)
    month_end(clock, app, 12)  # the year is over, but the self-evaluation waits for the December report
    file(users, monitored, 12, 330000, on_track(12), unpayable_amount=20000)
    assert reports(app, a)[-1].month == 12 and status_of(users, monitored) == "completed"
    wake_at(clock, app, county(2027, 1, 15, 23))
    assert steps(users["school1"], iid) == []
    wake_at(clock, app, county(2027, 1, 16, 0, 30))
    assert steps(users["school1"], iid) == [SELF]
    task = tasks(users["school1"], "claimable", q=a)[0]
    assert task["due_at"].startswith("2027-03-16")  # sixty days to self-evaluate

    # Prefilled: the budget after the year-end recovery, December's spending and indicator values.
    data = task_data(users["school1"], iid, SELF)
    assert (data["budget"], data["spent"]) == (340000, 330000)
    assert [r["actual_value"] for r in data["indicator_scores"]] == ["4200.00", "100.00", "达成", "3200.00",
                                                                     "30.00", "90.00"]
    prefilled = [r["actual_value"] for r in data["indicator_scores"]]
    rows = self_form(users["school1"], iid, prefilled, 95)
    resp = do(users["school1"], iid, SELF, {"spent": 350000, "indicator_scores": rows, "explanation": "全部完成"},
              expect=422)
    assert "全年执行数不能超过全年预算数 340000.00 元" in resp["message"]
    assert evaluation(app, a).self_score is None  # nothing half-saved
    do(users["school1"], iid, SELF, {"spent": 330000, "indicator_scores": rows, "explanation": "全部完成"})
    ev = evaluation(app, a)
    # 执行 10 × 330000/340000 = 9.71; 产出 25 + 16.67 + 8.33 × 95% = 49.58; 效益 30; 满意度 10.
    assert (ev.status, ev.budget, ev.spent, ev.execution_rate) == ("reviewing", 340000, 330000, Decimal("0.9706"))
    assert [(i.points, i.score) for i in ev.indicators] == [
        (Decimal("25.00"), Decimal("25.00")), (Decimal("16.67"), Decimal("16.67")),
        (Decimal("8.33"), Decimal("7.91")), (Decimal("20.00"), Decimal("20.00")),
        (Decimal("10.00"), Decimal("10.00")), (Decimal("10.00"), Decimal("10.00"))]
    assert (ev.self_score, ev.self_grade, ev.self_round) == (Decimal("99.29"), "优", 1)

    # The office doubts the satisfaction survey and sends the self-evaluation back.
    do(users["perf"], iid, REVIEW, {"review_decision": "send_back", "review_opinion": "满意度调查样本不足，请据实填报"})
    assert steps(users["school1"], iid) == [SELF] and evaluation(app, a).status == "self"
    assert notices(app, a)[-1][:2] == ("unit_staff", "returned")
    values = prefilled[:5] + ["88"]
    rows = self_form(users["school1"], iid, values, 95)
    resp = do(users["school1"], iid, SELF, {"spent": 330000, "indicator_scores": rows, "explanation": "据实修正"},
              expect=422)
    assert "指标“师生满意度”未完成年度目标，请填写偏差原因" in resp["message"]
    rows = self_form(users["school1"], iid, values, 95, {5: "食堂就餐高峰排队时间较长"})
    do(users["school1"], iid, SELF, {"spent": 330000, "indicator_scores": rows, "explanation": "据实修正"})
    ev = evaluation(app, a)
    assert (ev.self_score, ev.self_grade, ev.self_round) == (Decimal("99.07"), "优", 2)
    assert ev.indicators[5].deviation_reason == "食堂就餐高峰排队时间较长"
    return iid


def key_evaluation_of_a(app, users, iid: int, a: str) -> None:
    """The office selects A for a key evaluation; the lot picks 第三方评价机构, whose two experts score it 良."""
    register_firm(app, "dsf_zx", "县正信绩效评价事务所", ["zx_expert"])
    resp = do(users["perf"], iid, REVIEW, {"review_decision": "key", "review_opinion": "资金量大，列入重点评价"},
              expect=422)
    assert set(resp["fields"]) == {"key_reason"}
    do(users["perf"], iid, REVIEW, {"review_decision": "key", "review_opinion": "资金量大，列入重点评价",
                                     "key_reason": "县级重点民生项目", "draw_seed": "2027-002"})
    draw = draw_of(app, a)
    assert [c["code"] for c in draw.candidates] == ["dsf", "dsf_zx"]
    assert draw.chosen_index == lot("2027-002", 2) == 0  # anyone can recompute the lot
    assert (draw.seed, draw.experts) == ("2027-002", ["expert1", "expert2"])
    assert tasks(users["zx_expert"], "claimable") == [] and tasks(users["school1"], "claimable") == []
    assert evaluation(app, a).status == "key"

    e1, e2 = tasks(users["expert1"], "mine"), tasks(users["expert2"], "mine")
    assert [t["element_id"] for t in e1 + e2] == [KEY_SCORE, KEY_SCORE]
    sheet = {"execution": 9, "output": 42, "benefit": 25, "satisfaction": 9, "findings": "验收资料不全",
             "opinion": "总体较好"}
    resp = users["expert1"].post(f"/api/v1/tasks/{e1[0]['id']}/complete",
                                 json={"data": {"key_review": dict(sheet, output=51)}})
    assert resp.status_code == 422 and set(resp.get_json()["fields"]) == {"key_review.output"}
    users["expert1"].post(f"/api/v1/tasks/{e1[0]['id']}/complete", json={"data": {"key_review": sheet}})
    assert evaluation(app, a).key_score is None  # recorded when the firm's experts have all scored
    users["expert2"].post(f"/api/v1/tasks/{e2[0]['id']}/complete", json={
        "data": {"key_review": dict(sheet, output=40, benefit=26, satisfaction=8)}})
    assert key_scores(app, a) == [("expert1", "85.00"), ("expert2", "83.00")]
    ev = evaluation(app, a)
    assert (ev.key_score, ev.score, ev.grade, ev.status) == (Decimal(84), Decimal(84), "良", "graded")

    # 良: next year's budget +5% of the 2026 approved amount; no rectification asked.
    assert steps(users["perf"], iid) == [NOTICE]
    assert task_data(users["perf"], iid, NOTICE)["adjust_percent"] == 5
    do(users["perf"], iid, NOTICE, {"conclusion": "项目完成较好，验收资料需完善", "problems": "验收资料不全"})
    assert adjustments(app, a) == [(2027, "increase", "5.00", "360000.00", "18000.00", "evaluation")]
    ev = evaluation(app, a)
    assert (ev.status, ev.rectify_required, ev.publish, ev.adjust_percent) == ("completed", False, True, 5)
    assert notices(app, a)[-2][:2] == ("unit_staff", "result") and "等次为良" in notices(app, a)[-2][2]
    assert status_of(users, iid) == "completed" and suspensions(app, a) == []
    assert "已经完成" in refused_start(users, {"project_code": a}, key=KEY)


def b_is_fair_and_late(app, users, clock, b: str) -> int:
    """B: 中 → requirements are compulsory, payments suspended; a late report is reminded, then escalated."""
    iid = start(users["school1"], KEY, {"project_code": b})["id"]
    assert steps(users["school1"], iid) == [SELF]  # started after the opening: no waiting
    assert "spent" not in task_data(users["school1"], iid, SELF)  # not monitored: nothing to prefill
    rows = self_form(users["school1"], iid, ["3000", "95", "部分达成", "2400", "30", "80"], 70, REASONS)
    do(users["school1"], iid, SELF, {"spent": 180000, "indicator_scores": rows, "explanation": "工期延误"})
    ev = evaluation(app, b)
    # 5.00 + 25 × 3000/4200 + 16.67 × 95% + 8.33 × 70% + 20 × 75% + 10 + 10 × 80/90 = 78.42 → 中
    assert (ev.self_score, ev.self_grade, ev.execution_rate) == (Decimal("78.42"), "中", Decimal("0.5000"))
    do(users["perf"], iid, REVIEW, {"review_decision": "accept", "review_opinion": "自评属实"})
    assert evaluation(app, b).grade == "中" and steps(users["perf"], iid) == [NOTICE]

    clock.set(county(2027, 2, 1, 10))
    resp = do(users["perf"], iid, NOTICE, {"conclusion": "项目进度滞后"}, expect=422)
    assert "须在结果通知中提出整改要求" in resp["message"]
    assert evaluation(app, b).noticed_at is None and suspensions(app, b) == []
    do(users["perf"], iid, NOTICE, {"conclusion": "项目进度滞后", "problems": "资金支付慢",
                                     "requirements": "倒排工期，3 月底前完成剩余工程并报送整改报告"})
    ev = evaluation(app, b)
    assert (ev.status, ev.rectify_due_at) == ("rectifying", county(2027, 3, 4))  # 30 days: by 3 March
    (held,) = suspensions(app, b)
    assert (held.lifted_at, held.source_flow, held.source_id) == (None, "evaluation", ev.id)
    assert adjustments(app, b) == []  # 中: no budget change
    assert "请按整改要求于 2027年3月3日 前报送整改报告" in notices(app, b)[-2][2]
    assert notices(app, b)[-1][:2] == ("finance_section", "result")
    assert tasks(users["school1"], "claimable", q=b)[0]["due_at"].startswith("2027-03-03T16:00")

    count = len(notices(app, b))
    wake_at(clock, app, county(2027, 3, 3, 23))
    assert len(notices(app, b)) == count
    wake_at(clock, app, county(2027, 3, 4, 0, 30))
    assert notices(app, b)[-1][:2] == ("unit_staff", "reminder")
    wake_at(clock, app, county(2027, 3, 13, 23))
    assert len(notices(app, b)) == count + 1
    wake_at(clock, app, county(2027, 3, 14, 0, 30))
    assert notices(app, b)[-1][:2] == ("performance_office", "escalation")
    assert "整改报告逾期经提醒仍未报送" in notices(app, b)[-1][2]
    assert steps(users["school1"], iid) == [RECTIFY]  # still the same open report

    resp = do(users["school1"], iid, RECTIFY, {"measures": "x", "completion": "全部"}, expect=422)
    assert set(resp["fields"]) == {"measures", "results", "completion"}
    do(users["school1"], iid, RECTIFY, {"measures": "增加施工班组", "results": "完成 80%", "completion": "部分完成"})
    (first,) = evaluation(app, b).rectifications
    assert (first.round, first.overdue, first.completion, first.decision) == (1, True, "部分完成", None)
    return iid


def b_is_sent_back_then_verified(app, users, clock, iid: int, b: str) -> None:
    clock.set(county(2027, 3, 20, 9))
    do(users["perf"], iid, VERIFY, {"verify_decision": "send_back", "verify_opinion": "剩余工程未完工"})
    ev = evaluation(app, b)
    assert [r.decision for r in ev.rectifications] == ["send_back"]
    assert ev.rectify_due_at == county(2027, 4, 5)  # 15 more days
    assert "于 2027年4月4日 前重新报送" in notices(app, b)[-1][2]
    count = len(notices(app, b))
    wake_at(clock, app, county(2027, 4, 1, 9))
    do(users["school1"], iid, RECTIFY, {"measures": "已完工", "results": "通过验收", "completion": "已完成"})
    wake_at(clock, app, county(2027, 4, 20, 9))  # the old deadlines no longer fire
    assert len(notices(app, b)) == count
    do(users["perf"], iid, VERIFY, {"verify_decision": "verified", "verify_opinion": "整改到位"})
    ev = evaluation(app, b)
    assert [(r.round, r.overdue, r.decision) for r in ev.rectifications] == [(1, True, "send_back"),
                                                                             (2, False, "verified")]
    assert (ev.status, ev.publish) == ("rectified", True)
    (held,) = suspensions(app, b)
    assert held.lifted_at == county(2027, 4, 20, 9) and held.lift_reason == "整改到位，恢复拨付"
    assert status_of(users, iid) == "completed"


def c_is_poor_and_never_rectified(app, users, clock, c: str) -> None:
    """C: 差 → −10% next year, rectification without suspension; three insufficient reports → not rectified."""
    iid = start(users["school1"], KEY, {"project_code": c})["id"]
    rows = self_form(users["school1"], iid, ["1000", "60", "未达成", "1000", "10", "50"], 40, REASONS)
    do(users["school1"], iid, SELF, {"spent": 100000, "indicator_scores": rows, "explanation": "项目停滞"})
    assert (evaluation(app, c).self_score, evaluation(app, c).self_grade) == (Decimal("37.20"), "差")
    do(users["perf"], iid, REVIEW, {"review_decision": "accept", "review_opinion": "自评属实"})
    do(users["perf"], iid, NOTICE, {"conclusion": "绩效差", "requirements": "查明原因，追究责任"})
    assert adjustments(app, c) == [(2027, "decrease", "-10.00", "360000.00", "-36000.00", "evaluation")]
    assert suspensions(app, c) == [] and evaluation(app, c).status == "rectifying"
    for round_ in (1, 2, 3):
        do(users["school1"], iid, RECTIFY, {"measures": f"第{round_}次整改", "results": "仍在推进",
                                            "completion": "部分完成"})
        do(users["perf"], iid, VERIFY, {"verify_decision": "send_back", "verify_opinion": "未整改到位"})
    ev = evaluation(app, c)
    assert [r.decision for r in ev.rectifications] == ["send_back", "send_back", "failed"]
    assert (ev.status, ev.publish) == ("unrectified", True)
    assert notices(app, c)[-1][:2] == ("finance_section", "unrectified")
    assert "第 3 次整改报告仍未整改到位" in notices(app, c)[-1][2]
    assert status_of(users, iid) == "completed" and steps(users["school1"], iid) == []


def test_a_year_of_evaluation_feedback_and_application(app, users, flows, clock):
    a = approved_project(users)
    b = approved_project(users, project_name="县第一中学食堂改造")
    c = approved_project(users, project_name="县第一中学运动场改造")

    iid = walk_a_to_the_key_evaluation(app, users, clock, a)
    clock.set(county(2027, 1, 20, 9))
    b_iid = b_is_fair_and_late(app, users, clock, b)
    key_evaluation_of_a(app, users, iid, a)
    c_is_poor_and_never_rectified(app, users, clock, c)
    b_is_sent_back_then_verified(app, users, clock, b_iid, b)
    assert [adj[:2] for p in (a, b, c) for adj in adjustments(app, p)] == [(2027, "increase"), (2027, "decrease")]
