"""部门整体绩效运行监控 with warnings and the finance section's follow-up (及时纠偏), over the HTTP API on the
ManualClock: 县教育局's 7 月底 report is coloured as a project's (progress = (value ÷ target) ÷ 7/12, the worst
indicator is the department's colour); a warning the rule table names goes to 教科文股, which asks for corrective
measures by a deadline, reads the department's answer and accepts it. Bad input is refused beside its field,
and other departments and other sectors' finance sections cannot reach the follow-up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from server.db import db
from server.flows.dept_performance.models import DeptGoal, FollowUpDecision
from server.flows.monitoring.models import Colour
from server.flows.monitoring.operators import indicator_colour, worst
from server.models import AuditEvent, HumanTask, Organisation
from tests.api.helpers import complete, start
from tests.flows_dept.conftest import KEY, dept_goals
from tests.flows_evaluation.conftest import county, wake_at
from tests.flows_goal_review.conftest import deploy_variant, do, status_of, steps, task_data, task_of
from tests.web.conftest import Browser

SEVEN = Decimal(7) / Decimal(12)
ON_TRACK = {"义务教育学校标准化建设完成数": "7", "义务教育巩固率": "97", "秋季学期学生资助发放": "达成",
            "适龄儿童入学率": "100", "学生家长满意度": "91"}


def test_colour_arithmetic_is_project_monitorings():
    def colour(operator: str, value: str, target: str) -> tuple[Colour, Decimal | None] | None:
        return indicator_colour(operator, value, target, SEVEN, "0.6", "0.8", "1.2")

    assert colour("≥", "7", "12") == (Colour.GREEN, Decimal("1.0000"))  # on time: 7 of 12 after 7 months
    assert colour("≥", "5.6", "12") == (Colour.GREEN, Decimal("0.8000"))  # 80% is green
    assert colour("≥", "5.5", "12")[0] == Colour.YELLOW  # 78.6%
    assert colour("≥", "4", "12") == (Colour.RED, Decimal("0.5714"))
    assert colour("≥", "8.4", "12")[0] == Colour.BLUE  # 120%: ahead of time
    assert colour("=", "100", "100")[0] == Colour.BLUE
    assert colour("≤", "5", "5") == (Colour.GREEN, None) and colour("≤", "6", "5") == (Colour.RED, None)  # a cap
    assert colour("<", "5", "5")[0] == Colour.RED and colour("<", "4.9", "5")[0] == Colour.GREEN
    assert [colour("定性", v, "按时发放")[0] for v in ("达成", "部分达成", "未达成")] == \
        [Colour.GREEN, Colour.YELLOW, Colour.RED]
    assert colour("定性", "未到发放期", "按时发放") is None and colour("≥", "七所", "12") is None
    assert colour("≥", "3", "0") == (Colour.GREEN, Decimal(1))  # a zero target cannot lag
    assert worst([Colour.GREEN, Colour.BLUE]) == Colour.GREEN and worst([Colour.YELLOW, Colour.RED, Colour.BLUE]) == Colour.RED


def _approved_and_monitoring(clock, app, users) -> int:
    clock.set(county(2026, 1, 10, 9))
    iid = start(users["edu_head"], KEY, {"fiscal_year": 2026})["id"]
    do(users["edu_head"], iid, "Task_Fill", dept_goals())
    do(users["fin_edu"], iid, "Task_Review", {"goal_grade": "良", "review_opinion": "目标明确，予以批复"})
    assert wake_at(clock, app, county(2026, 8, 3, 9)) >= 1
    return iid


def _rows(users, iid: int, values: dict[str, str], deviation: dict[str, str] | None = None) -> list[dict]:
    rows = task_data(users["edu_head"], iid, "Task_Monitor")["monitor_rows"]
    return [{**r, "current_value": values[r["name"]], "deviation": (deviation or {}).get(r["name"], "")} for r in rows]


def _goal(app, iid: int) -> DeptGoal:
    with app.app_context():
        goal = db.session.scalar(select(DeptGoal).where(DeptGoal.instance_id == iid))
        _ = goal.indicators, goal.follow_ups
        db.session.expunge_all()
        return goal


def test_green_goes_on_and_red_is_corrected_with_the_finance_section(app, clock, users, flow):
    iid = _approved_and_monitoring(clock, app, users)
    edu, fin, other_fin, water = users["edu_head"], users["fin_edu"], users["fin_agri"], users["water_head"]
    monitor = task_of(edu, iid, "Task_Monitor")["id"]

    # Hostile monitoring forms: refused beside the cell, nothing stored, the task stays open
    lagging = {**ON_TRACK, "义务教育学校标准化建设完成数": "4"}
    body = complete(edu, monitor, {"monitor_rows": _rows(users, iid, {**lagging, "秋季学期学生资助发放": "未到发放期",
                                                                       "适龄儿童入学率": "全部"}),
                                   "monitor_summary": "按计划推进"}, expect=422)
    assert body["fields"] == {"monitor_rows.0.deviation": "进度滞后（红色），请写明偏差原因和纠偏措施",
                              "monitor_rows.2.current_value": "定性指标请填写 达成、部分达成 或 未达成",
                              "monitor_rows.3.current_value": "定量指标的完成值应为数字"}, body
    rows = _rows(users, iid, lagging)
    assert complete(edu, monitor, {"monitor_rows": [{**rows[0], "current_value": "9" * 101}, *rows[1:]],
                                   "monitor_summary": "按计划推进"}, expect=422)["fields"]
    assert complete(edu, monitor, {"monitor_rows": rows[1:], "monitor_summary": "按计划推进"}, expect=422)
    alien = [{**rows[0], "indicator_id": 999999}, *rows[1:]]  # another table's indicator
    assert "全部绩效指标" in complete(edu, monitor, {"monitor_rows": alien, "monitor_summary": "按计划推进"},
                                  expect=422)["message"]
    assert water.post(f"/api/v1/tasks/{monitor}/complete",
                      json={"data": {"monitor_rows": rows, "monitor_summary": "按计划推进"}}).status_code in (403, 404)
    assert _goal(app, iid).monitor_colour is None and steps(edu, iid) == ["Task_Monitor"]

    cause = "3 所学校因用地手续延误开工，已协调自然资源局加快办理，9 月全面开工"
    do(edu, iid, "Task_Monitor", {"monitor_rows": _rows(users, iid, lagging, {"义务教育学校标准化建设完成数": cause}),
                                  "monitor_summary": "标准化建设进度滞后，其余按计划推进。"})
    goal = _goal(app, iid)
    assert goal.monitor_colour == Colour.RED
    assert [(i.monitor_colour, i.monitor_progress) for i in goal.indicators][:2] == [
        (Colour.RED, Decimal("0.5714")), (Colour.BLUE, Decimal("1.6968"))]
    # The department's work went to its own sector's finance section, nobody else's
    assert steps(edu, iid) == [] and steps(fin, iid) == ["Task_FollowUp"] and steps(other_fin, iid) == []
    seen = task_data(fin, iid, "Task_FollowUp")
    assert seen["dept_colour_name"] == "红色"
    assert [(w["name"], w["progress"], w["colour"], w["deviation"]) for w in seen["monitor_warnings"]] == [
        ("义务教育学校标准化建设完成数", "57%", "红色", cause)]
    follow = task_of(fin, iid, "Task_FollowUp")["id"]
    decision = {"follow_up_decision": "correct", "follow_up_opinion": "请提出确保年底完成 12 所的具体措施",
                "correction_due_date": "2026-08-20"}
    for who in (other_fin, water, edu):
        assert who.post(f"/api/v1/tasks/{follow}/complete", json={"data": decision}).status_code in (403, 404)

    # Hostile follow-up forms
    fields = complete(fin, follow, {**decision, "follow_up_decision": "cancel"}, expect=422)["fields"]
    assert set(fields) == {"follow_up_decision"}
    fields = complete(fin, follow, {**decision, "correction_due_date": None}, expect=422)["fields"]
    assert "correction_due_date" in fields
    fields = complete(fin, follow, {**decision, "correction_due_date": "2026-08-01"}, expect=422)["fields"]
    assert fields == {"correction_due_date": "纠偏措施报送期限应在今天之后、180 天之内"}
    assert complete(fin, follow, {**decision, "correction_due_date": "明天"}, expect=422)["fields"]
    assert set(complete(fin, follow, {**decision, "follow_up_opinion": "好" * 4001}, expect=422)["fields"]) == \
        {"follow_up_opinion"}
    assert _goal(app, iid).follow_ups == []

    # 要求纠偏: back to the department with the deadline, then back to the finance section
    went = complete(fin, follow, decision)["instance"]
    assert went["status"] in ("running", "waiting")
    assert steps(fin, iid) == [] and steps(edu, iid) == ["Task_Correct"]
    correct = task_of(edu, iid, "Task_Correct")
    with app.app_context():
        due = db.session.get(HumanTask, correct["id"]).due_at
        assert due == county(2026, 8, 21)  # the end of 20 August in the county
    assert task_data(edu, iid, "Task_Correct")["follow_up_opinion"] == decision["follow_up_opinion"]
    for who in (water, fin):
        assert who.post(f"/api/v1/tasks/{correct['id']}/complete",
                        json={"data": {"correction_measures": "已整改"}}).status_code in (403, 404)
    assert set(complete(edu, correct["id"], {"correction_measures": " "}, expect=422)["fields"]) == \
        {"correction_measures"}
    measures = "与施工单位签订赶工协议，10 月底前再完工 5 所，11 月底前全部完工并验收"
    clock.set(county(2026, 8, 18, 10))
    edu, fin = users["edu_head"], users["fin_edu"]
    do(edu, iid, "Task_Correct", {"correction_measures": measures})
    assert steps(edu, iid) == [] and steps(fin, iid) == ["Task_FollowUp"]
    assert task_data(fin, iid, "Task_FollowUp")["correction_measures"] == measures
    do(fin, iid, "Task_FollowUp", {"follow_up_decision": "accept", "follow_up_opinion": "措施可行，继续执行"})
    assert steps(fin, iid) == [] and steps(edu, iid) == [] and status_of(users, iid) == "waiting"  # until the year end

    goal = _goal(app, iid)
    assert [(f.round, f.decision, f.colour, f.measures, f.overdue) for f in goal.follow_ups] == [
        (1, FollowUpDecision.CORRECT, Colour.RED, measures, False), (2, FollowUpDecision.ACCEPT, Colour.RED, None, None)]
    with app.app_context():  # each hand-off is in the instance's record
        done = db.session.scalars(select(AuditEvent.task_title).where(
            AuditEvent.instance_id == iid, AuditEvent.action == "complete").order_by(AuditEvent.id)).all()
        assert [t for t in done if t in ("部门整体绩效监控纠偏", "报送部门整体绩效纠偏措施")] == [
            "部门整体绩效监控纠偏", "报送部门整体绩效纠偏措施", "部门整体绩效监控纠偏"]
        edu_id = db.session.scalar(select(Organisation.id).where(Organisation.name == "县教育局"))

    # The department page: colours with their legend, the chart's figures and the follow-up rounds
    reader = Browser(app.test_client())
    reader.login("fin_edu")
    html = reader.get(f"/departments/{edu_id}").get_data(as_text=True)
    assert "dept-monitor-chart" in html and "低于 60% 红" in html and "colour-red" in html
    assert "纠偏措施报送期限 2026-08-20" in html and "要求纠偏" in html and measures in html and "措施可行，继续执行" in html


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a rule table's effect, not the database's: the walks run on both
def test_a_green_report_goes_on_and_the_rule_table_decides_what_is_followed_up(app, clock, users, flow):
    iid = _approved_and_monitoring(clock, app, users)
    edu = users["edu_head"]
    do(edu, iid, "Task_Monitor", {"monitor_rows": _rows(users, iid, ON_TRACK), "monitor_summary": "按计划推进。"})
    assert _goal(app, iid).monitor_colour == Colour.GREEN
    assert steps(users["fin_edu"], iid) == [] and status_of(users, iid) == "waiting"

    # A county that follows up red only: a yellow department goes straight on
    deploy_variant(users, KEY, {"dept_performance_follow_up.dmn": [
        ('<outputEntry id="OutputEntry_yellow_follow"><text>True</text>',
         '<outputEntry id="OutputEntry_yellow_follow"><text>False</text>')]})
    clock.set(county(2027, 1, 10, 9))
    edu = users["edu_head"]
    iid = start(edu, KEY, {"fiscal_year": 2027})["id"]
    do(edu, iid, "Task_Fill", dept_goals())
    do(users["fin_edu"], iid, "Task_Review", {"goal_grade": "良", "review_opinion": "目标明确，予以批复"})
    assert wake_at(clock, app, county(2027, 8, 3, 9)) >= 1
    edu = users["edu_head"]
    yellow = {**ON_TRACK, "秋季学期学生资助发放": "部分达成"}
    do(edu, iid, "Task_Monitor", {"monitor_rows": _rows(users, iid, yellow, {"秋季学期学生资助发放": "资金分两批下达"}),
                                  "monitor_summary": "资助资金第二批尚未下达。"})
    assert _goal(app, iid).monitor_colour == Colour.YELLOW
    assert steps(users["fin_edu"], iid) == [] and status_of(users, iid) == "waiting"


def test_the_finance_section_may_have_the_targets_adjusted(app, clock, users, flow):
    iid = _approved_and_monitoring(clock, app, users)
    edu, fin = users["edu_head"], users["fin_edu"]
    lagging = {**ON_TRACK, "义务教育学校标准化建设完成数": "4"}
    do(edu, iid, "Task_Monitor", {"monitor_rows": _rows(users, iid, lagging, {"义务教育学校标准化建设完成数": "2 所学校撤并，不再建设"}),
                                  "monitor_summary": "两所学校撤并。"})
    do(fin, iid, "Task_FollowUp", {"follow_up_decision": "adjust_goals", "follow_up_opinion": "同意按撤并后的学校数调整",
                                   "correction_due_date": "2026-08-25"})
    assert steps(fin, iid) == [] and steps(edu, iid) == ["Task_Adjust"]
    task = task_of(edu, iid, "Task_Adjust")["id"]
    rows = task_data(edu, iid, "Task_Adjust")["adjust_rows"]
    assert [(r["name"], r["target"], r["colour"]) for r in rows][0] == ("义务教育学校标准化建设完成数", "12", "红色")
    assert users["water_head"].post(f"/api/v1/tasks/{task}/complete", json={"data": {}}).status_code in (403, 404)
    fields = complete(edu, task, {"adjust_rows": [{**rows[0], "new_target": "十所"}, *rows[1:]],
                                  "adjust_reason": "学校撤并"}, expect=422)["fields"]
    assert fields == {"adjust_rows.0.new_target": "定量指标的指标值应为大于 0 的数字"}
    assert complete(edu, task, {"adjust_rows": rows, "adjust_reason": "学校撤并"}, expect=422)["fields"] == {
        "adjust_rows": "请至少填写一项指标调整后的指标值"}
    assert set(complete(edu, task, {"adjust_rows": rows, "adjust_reason": ""}, expect=422)["fields"]) == {"adjust_reason"}
    do(edu, iid, "Task_Adjust", {"adjust_rows": [{**rows[0], "new_target": "7"}, *rows[1:]],
                                 "adjust_reason": "2 所学校撤并，另 3 所改为明年建设"})
    seen = task_data(fin, iid, "Task_FollowUp")
    assert seen["dept_colour_name"] == "绿色" and seen["monitor_warnings"] == []  # 4 of 7 after 7 months
    do(fin, iid, "Task_FollowUp", {"follow_up_decision": "accept", "follow_up_opinion": "同意调整"})
    assert status_of(users, iid) == "waiting"
    goal = _goal(app, iid)
    first = goal.indicators[0]
    assert (first.value, first.original_value, first.monitor_colour, goal.monitor_colour) == (
        "7", "12", Colour.GREEN, Colour.GREEN)
    assert goal.follow_ups[0].decision == FollowUpDecision.ADJUST_GOALS and "12 → 7" in goal.follow_ups[0].measures


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a rule table's effect, not the database's: the walks run on both
def test_an_edited_threshold_table_colours_the_same_report_otherwise(app, clock, users, flow):
    """A county whose red line is 50%: 4 of 12 schools after seven months (57%) is yellow there, not red."""
    deploy_variant(users, KEY, {"dept_performance_monitoring.dmn": [
        ('<outputEntry id="OutputEntry_red_below"><text>0.6</text>',
         '<outputEntry id="OutputEntry_red_below"><text>0.5</text>')]})
    iid = _approved_and_monitoring(clock, app, users)
    lagging = {**ON_TRACK, "义务教育学校标准化建设完成数": "4"}
    do(users["edu_head"], iid, "Task_Monitor", {
        "monitor_rows": _rows(users, iid, lagging, {"义务教育学校标准化建设完成数": "用地手续延误，9 月全面开工"}),
        "monitor_summary": "标准化建设进度稍慢。"})
    goal = _goal(app, iid)
    assert (goal.indicators[0].monitor_colour, goal.monitor_colour) == (Colour.YELLOW, Colour.YELLOW)
    assert steps(users["fin_edu"], iid) == ["Task_FollowUp"]  # yellow is still followed up by default
