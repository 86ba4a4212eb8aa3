"""部门整体绩效 for the demo 县教育局 through the HTTP API, on the ManualClock: goals filled, sent back (中),
filled again, approved (良); mid-year monitoring at the end of July; the year ends; the department
self-evaluates (scored like a project); the office
evaluates; the rule tables grade it and record the effect on the department's 公用经费 with its reason."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
from sqlalchemy import select

from server.db import db
from server.flows.dept_performance.models import DeptEvaluation, DeptGoal, DeptGoalStatus
from server.models import Organisation
from tests.api.helpers import start
from tests.flows_dept.conftest import KEY, dept_goals
from tests.flows_evaluation.conftest import county, wake_at
from tests.flows_goal_review.conftest import do, status_of, steps, task_data
from tests.web.conftest import Browser


def test_edu_bureau_walks_its_whole_year(app, clock, users, flow):
    clock.set(county(2026, 1, 10, 9))
    iid = start(users["edu_head"], KEY, {"fiscal_year": 2026})["id"]
    do(users["edu_head"], iid, "Task_Fill", dept_goals(annual_goal="按计划完成"))
    do(users["fin_edu"], iid, "Task_Review", {"goal_grade": "中", "review_opinion": "年度目标未体现产出和效果，请修改"})
    assert steps(users["edu_head"], iid) == ["Task_Fill"]  # back to the department
    do(users["edu_head"], iid, "Task_Fill", dept_goals())
    do(users["fin_edu"], iid, "Task_Review", {"goal_grade": "良", "review_opinion": "目标明确，予以批复"})
    with app.app_context():
        goal = db.session.scalar(select(DeptGoal).where(DeptGoal.instance_id == iid))
        assert (goal.status, goal.round, goal.review_grade, len(goal.indicators)) == (DeptGoalStatus.APPROVED, 2, "良", 5)
    assert steps(users["edu_head"], iid) == [] and status_of(users, iid) == "waiting"  # until the monitoring

    assert wake_at(clock, app, county(2026, 8, 3, 9)) >= 1  # 7 月底: the mid-year monitoring report
    rows = task_data(users["edu_head"], iid, "Task_Monitor")["monitor_rows"]
    progress = {"义务教育学校标准化建设完成数": "7", "义务教育巩固率": "97", "秋季学期学生资助发放": "达成",
                "适龄儿童入学率": "100", "学生家长满意度": "91"}
    blank = do(users["edu_head"], iid, "Task_Monitor", {"monitor_rows": rows, "monitor_summary": ""}, expect=422)
    assert set(blank["fields"]) == {f"monitor_rows.{i}.current_value" for i in range(5)} | {"monitor_summary"}
    do(users["edu_head"], iid, "Task_Monitor", {"monitor_rows": [
        {**r, "current_value": progress[r["name"]], "deviation": "随迁外出，已逐一劝返" if r["name"] == "义务教育巩固率" else ""}
        for r in rows], "monitor_summary": "标准化建设按进度推进，巩固率略低于目标，已采取劝返措施。"})
    assert steps(users["edu_head"], iid) == [] and status_of(users, iid) == "waiting"  # the year is not over

    assert wake_at(clock, app, county(2027, 1, 2, 9)) >= 1
    rows = task_data(users["edu_head"], iid, "Task_Self")["self_rows"]
    assert [r["actual_value"] for r in rows] == ["7", "97", "达成", "100", "91"]  # prefilled from monitoring
    actual = {"义务教育学校标准化建设完成数": "12", "义务教育巩固率": "97", "秋季学期学生资助发放": "达成",
              "适龄儿童入学率": "100", "学生家长满意度": "92"}
    filled = [{**r, "actual_value": actual[r["name"]], "degree": 95 if r["operator"] == "定性" else None,
               "deviation_reason": "部分学生随迁外出" if r["name"] == "义务教育巩固率" else ""} for r in rows]
    filled = [{k: v for k, v in r.items() if v is not None} for r in filled]
    silent = [{**r, "deviation_reason": ""} for r in filled]  # a missed target must say why
    body = do(users["edu_head"], iid, "Task_Self", {"self_rows": silent, "self_summary": "已完成"}, expect=422)
    assert "义务教育巩固率" in body["message"] and "偏差原因" in body["message"]
    do(users["edu_head"], iid, "Task_Self", {"self_rows": filled, "self_summary": "全年目标基本完成，巩固率略低于目标。"})
    office = task_data(users["perf"], iid, "Task_Office")
    # 产出 50 shared by weight 30/20/10: 25 + 16.67 × 0.9898 (97 of 98) + 8.33 × 0.95 (达成 95%); 效益 30; 满意度 20
    assert office["self_score"] == 99.41
    bad = do(users["perf"], iid, "Task_Office", {"office_score": 120, "public_funds": -5, "office_opinion": "好"},
             expect=422)
    assert set(bad["fields"]) == {"office_score", "public_funds", "office_opinion"}
    do(users["perf"], iid, "Task_Office", {"office_score": 91.5, "public_funds": 1200000,
                                           "office_opinion": "部门整体绩效目标完成较好"})
    assert status_of(users, iid) == "completed"
    with app.app_context():
        ev = db.session.scalar(select(DeptEvaluation).where(DeptEvaluation.instance_id == iid))
        assert (ev.grade, ev.adjust_percent, ev.adjustment) == ("优", Decimal("10.00"), Decimal("120000.00"))
        assert ev.self_score == Decimal("99.41") and "公用经费的 10% 调增" in ev.reason

    # The department page: the department, its finance section and the office read the year and its effect
    with app.app_context():
        edu = db.session.scalar(select(Organisation).where(Organisation.name == "县教育局")).id
        school = db.session.scalar(select(Organisation).where(Organisation.name == "县第一中学")).id
    for who in ("edu_head", "fin_edu", "perf"):
        reader = Browser(app.test_client())
        reader.login(who)
        html = reader.get(f"/departments/{edu}").get_data(as_text=True)
        assert "2026 年度" in html and "义务教育巩固率" in html and "已采取劝返措施" in html and "已定等次，结果已应用" in html, who
        assert "10.00%，120,000.00 元" in html and "按部门公用经费的 10% 调增下一年度预算" in html, who
    # The office's overview lists every department with its newest year, and exports it
    office = Browser(app.test_client())
    office.login("perf")
    listing = office.get("/departments?year=2026").get_data(as_text=True)
    assert "县教育局" in listing and "县水利局" in listing and "120,000.00" in listing
    sheet = openpyxl.load_workbook(io.BytesIO(office.client.get("/departments?year=2026&format=xlsx").data)).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["县教育局"][1:5] == (2026, "已批复", "良", "绿色（正常）")
    assert rows["县教育局"][7:10] == ("优", 1200000, 120000)
    assert rows["县水利局"][1:3] == (2026, "未编制")
    trail = office.get(f"/instances/{iid}").get_data(as_text=True)  # the instance page with its diagram and record
    assert "部门整体绩效" in trail and "财政评价部门整体支出绩效" in trail
    for who, path, code in (("water_head", f"/departments/{edu}", 403), ("fin_agri", f"/departments/{edu}", 403),
                            ("school1", f"/departments/{edu}", 403), ("perf", f"/departments/{school}", 404),
                            ("perf", "/departments/99999999999", 404), ("school1", "/departments", 403)):
        outsider = Browser(app.test_client())
        outsider.login(who)
        assert outsider.get(path).status_code == code, (who, path)
