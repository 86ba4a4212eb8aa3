"""部门整体绩效 uses the same grades and result application as projects (DOMAIN §4c), from its own rule tables: a county
raises 优 to 95 points in dept_performance_grade and gives 良 +8% in dept_performance_application, deploys, and the
department's year is graded and applied by them (tests/flows_dept/test_dept_performance.py walks the shipped
tables: 91.5 → 优, +10%); another county sends 良 goals back for fixing (dept_performance_goal_outcome). Over HTTP on SQLite and PostgreSQL with the ManualClock."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from server.db import db
from server.flows.dept_performance.models import DeptEvaluation, DeptGoal, DeptGoalStatus
from tests.api.helpers import start
from tests.flows_dept.conftest import KEY, dept_goals
from tests.flows_evaluation.conftest import county, wake_at
from tests.flows_goal_review.conftest import deploy_variant, do, status_of, steps, task_data

ACTUAL = {"义务教育学校标准化建设完成数": "12", "义务教育巩固率": "98", "秋季学期学生资助发放": "达成", "适龄儿童入学率": "100",
          "学生家长满意度": "92"}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a rule table's effect, not the database's: the walks run on both
def test_a_county_edits_the_department_grade_and_application_tables(app, clock, users, flow):
    version = deploy_variant(users, KEY, {
        "dept_performance_grade.dmn": [('<inputEntry id="InputEntry_excellent"><text>&gt;= 90',
                                        '<inputEntry id="InputEntry_excellent"><text>&gt;= 95')],
        "dept_performance_application.dmn": [('<outputEntry id="OutputEntry_good_percent"><text>5',
                                              '<outputEntry id="OutputEntry_good_percent"><text>8')]})
    assert version["version"] == 2
    clock.set(county(2026, 1, 10, 9))
    iid = start(users["edu_head"], KEY, {"fiscal_year": 2026})["id"]
    do(users["edu_head"], iid, "Task_Fill", dept_goals())
    do(users["fin_edu"], iid, "Task_Review", {"goal_grade": "优", "review_opinion": "目标明确，予以批复"})

    wake_at(clock, app, county(2026, 8, 3, 9))  # the mid-year monitoring
    rows = task_data(users["edu_head"], iid, "Task_Monitor")["monitor_rows"]
    do(users["edu_head"], iid, "Task_Monitor", {"monitor_rows": [{**r, "current_value": ACTUAL[r["name"]]} for r in rows],
                                                "monitor_summary": "按进度推进。"})
    wake_at(clock, app, county(2027, 1, 2, 9))  # the year is over: the department self-evaluates
    rows = task_data(users["edu_head"], iid, "Task_Self")["self_rows"]
    filled = [{k: v for k, v in {**r, "actual_value": ACTUAL[r["name"]],
                                 "degree": 95 if r["operator"] == "定性" else None}.items() if v is not None} for r in rows]
    do(users["edu_head"], iid, "Task_Self", {"self_rows": filled, "self_summary": "全年目标完成。"})
    do(users["perf"], iid, "Task_Office", {"office_score": 91.5, "public_funds": 1200000,
                                           "office_opinion": "部门整体绩效目标完成较好"})
    assert status_of(users, iid) == "completed"
    with app.app_context():
        ev = db.session.scalar(select(DeptEvaluation).where(DeptEvaluation.instance_id == iid))
        assert (ev.grade, ev.adjust_percent, ev.adjustment) == ("良", Decimal("8.00"), Decimal("96000.00"))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a rule table's effect, not the database's: the walks run on both
def test_a_county_that_wants_good_goals_fixed_first_edits_the_goal_outcome_table(app, clock, users, flow):
    deploy_variant(users, KEY, {"dept_performance_goal_outcome.dmn": [
        ('<outputEntry id="OutputEntry_good_approved"><text>True', '<outputEntry id="OutputEntry_good_approved"><text>False')]})
    clock.set(county(2026, 1, 10, 9))
    iid = start(users["edu_head"], KEY, {"fiscal_year": 2026})["id"]
    do(users["edu_head"], iid, "Task_Fill", dept_goals())
    do(users["fin_edu"], iid, "Task_Review", {"goal_grade": "良", "review_opinion": "巩固率目标偏低，请修改"})
    assert steps(users["edu_head"], iid) == ["Task_Fill"]  # 良 goes back to the department under this table
    do(users["edu_head"], iid, "Task_Fill", dept_goals())
    do(users["fin_edu"], iid, "Task_Review", {"goal_grade": "优", "review_opinion": "目标明确，予以批复"})
    with app.app_context():
        goal = db.session.scalar(select(DeptGoal).where(DeptGoal.instance_id == iid))
        assert (goal.status, goal.round, goal.review_grade) == (DeptGoalStatus.APPROVED, 2, "优")
