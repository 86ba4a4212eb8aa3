"""The whole-department result reaches next year's budget (issue 16; seed 004: 按照绩效评价结果等次相应调整部门公用经费
及单位下一年运转类项目支出预算总额). Over HTTP, on SQLite and PostgreSQL:

- 县教育局 walks its 2026 部门整体绩效: goals approved, mid-year monitoring, self-evaluation, the office's
  evaluation (91.5 → 优: +10% of its 1,200,000 元 公用经费); the 2027 教育 arrangement then has a 部门公用经费 line
  with that base, adjustment and reason (grade, score, rule basis, source evaluation) — on the API, the page, the
  review task, the Excel and print sheets, and in the department's notice once confirmed. Only the office, 教科文股
  and the department itself read it; the department's schools and other sectors do not.
- 004's second clause as the rule table's third base: with “运转类” on the 优 row, an 优 project's increase is
  a percentage of its unit's last-year 运转类 projects, not of all its projects.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.db import db
from server.flows.dept_performance.models import DeptEvaluation
from server.models import HumanTask, Notification, Organisation, TaskStatus
from tests.api.helpers import deploy_folder, deploy_variant, start
from tests.flows_budget.conftest import CONFIRM, KEY, SECTION, arrangement, codes
from tests.flows_budget.test_budget_arrangement_years import FULL, evaluate
from tests.flows_dept.conftest import dept_goals
from tests.flows_evaluation.conftest import county, wake_at
from tests.flows_goal_review.conftest import ROOT, do, in_library, status_of, task_data
from tests.flows_monitoring.conftest import approved_project
from tests.web.conftest import Browser

DEPT = "dept_performance"


@pytest.fixture
def dept_flow(users) -> None:
    resp = deploy_folder(users["admin"], DEPT, ROOT / DEPT)
    assert resp.status_code == 201, resp.get_json()


def items(user, year: int = 2027, **params: Any) -> list[dict]:
    resp = user.get("/api/v1/budget-arrangements", query_string={"fiscal_year": year, **params})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["items"]


def department_lines(user, year: int = 2027) -> list[dict]:
    return [item for item in items(user, year) if item["kind"] == "department"]


def whole_year(app, clock, users) -> int:
    """县教育局's 2026 cycle, goals to the office's grade; returns the department evaluation's id."""
    clock.set(county(2026, 1, 10, 9))
    iid = start(users["edu_head"], DEPT, {"fiscal_year": 2026})["id"]
    do(users["edu_head"], iid, "Task_Fill", dept_goals())
    do(users["fin_edu"], iid, "Task_Review", {"goal_grade": "良", "review_opinion": "目标明确，予以批复"})
    assert wake_at(clock, app, county(2026, 8, 3, 9)) >= 1  # mid-year monitoring
    rows = task_data(users["edu_head"], iid, "Task_Monitor")["monitor_rows"]
    on_track = [{**r, "current_value": "达成" if r["operator"] == "定性" else r["target"], "deviation": ""} for r in rows]
    do(users["edu_head"], iid, "Task_Monitor", {"monitor_rows": on_track, "monitor_summary": "按进度推进。"})
    assert wake_at(clock, app, county(2027, 1, 4, 9)) >= 1  # the year is over: self-evaluation
    rows = task_data(users["edu_head"], iid, "Task_Self")["self_rows"]
    qualitative = {"actual_value": "达成", "degree": 95}
    filled = [{**r, "actual_value": r["target"], "deviation_reason": "", **(qualitative if r["operator"] == "定性" else {})}
              for r in rows]
    do(users["edu_head"], iid, "Task_Self", {"self_rows": filled, "self_summary": "全年目标全部完成。"})
    do(users["perf"], iid, "Task_Office", {"office_score": 91.5, "public_funds": 1200000,
                                           "office_opinion": "部门整体绩效目标完成较好"})
    assert status_of(users, iid) == "completed"
    with app.app_context():
        ev = db.session.scalar(select(DeptEvaluation).where(DeptEvaluation.instance_id == iid))
        assert (ev.grade, ev.adjustment, ev.rectify_required) == ("优", 120000, False)
        return ev.id


def test_the_departments_evaluation_moves_its_public_funds_in_next_years_arrangement(app, users, flows, dept_flow,
                                                                                    clock):
    ev_id = whole_year(app, clock, users)
    with app.app_context():
        edu = db.session.scalar(select(Organisation.id).where(Organisation.name == "县教育局"))
    clock.set(county(2027, 2, 20, 9))
    arr = start(users["perf"], KEY, {"fiscal_year": 2027, "sector": "教育"})["id"]
    water = start(users["perf"], KEY, {"fiscal_year": 2027, "sector": "水利"})["id"]

    (line,) = department_lines(users["fin_edu"])
    assert (line["department"], line["project_code"], line["line_name"], line["unit"]) == ("县教育局", None, "部门公用经费", "县教育局")
    assert (line["base"], line["adjustment"], line["amount"], line["status"]) == ("1200000.00", "120000.00", "1320000.00", "draft")
    assert codes(line) == ["dept_adjustment"]
    reason = line["reasons"][0]
    assert (reason["dept_evaluation_id"], reason["source_year"], reason["grade"], reason["score"], reason["percent_base"]) == (
        ev_id, 2026, "优", "91.50", "public_funds")
    assert reason["text"].startswith("2026 年度部门整体绩效评价 91.50 分，等次为优：按部门公用经费 1,200,000.00 元的 10% 调增 120,000.00 元")
    assert "公用经费的 10% 调增" in reason["basis"] and reason["basis"] in reason["text"]
    assert department_lines(users["perf"]) == [line]
    assert department_lines(users["fin_agri"]) == []  # another sector's section, even when it asks for 教育
    assert [i for i in items(users["fin_agri"], sector="教育") if i["kind"] == "department"] == []
    assert department_lines(users["edu_head"]) == [] and department_lines(users["school1"]) == []  # drafts stay in finance
    assert items(users["perf"], sector="水利") == []  # 水利局 was not evaluated: no line

    # The review task shows it above the form, with the department's page as its source.
    with app.app_context():
        task_id = db.session.scalar(select(HumanTask.id).where(HumanTask.instance_id == arr,
                                                               HumanTask.status == TaskStatus.OPEN))
    section = Browser(app.test_client())
    section.login("fin_edu")
    review = section.get(f"/tasks/{task_id}").get_data(as_text=True)
    block = review[review.index('data-block="arrangement"'):]
    assert f'data-department="{edu}"' in block and "部门公用经费" in block and "1,320,000.00" in block
    assert f'data-dept-evaluation="{ev_id}"' in block and f"/departments/{edu}" in block

    do(users["fin_edu"], arr, SECTION, {"section_opinion": "已核对部门公用经费调整依据"})
    do(users["perf"], arr, CONFIRM, {"office_decision": "confirm", "office_opinion": "同意"})
    (own,) = department_lines(users["edu_head"])  # the department reads its own line once confirmed
    assert (own["amount"], own["status"]) == ("1320000.00", "confirmed")
    assert department_lines(users["school1"]) == []  # its schools read their projects only
    assert department_lines(users["water_head"]) == [] and department_lines(users["fin_agri"]) == []
    with app.app_context():
        told = db.session.execute(select(Notification.role, Notification.text).where(
            Notification.kind == "arrangement", Notification.organisation_id == edu)).tuples().all()
    assert len(told) == 1 and told[0][0] == "dept_reviewer"
    assert told[0][1].startswith("2027 年度预算安排已确认：部门公用经费 1,320,000.00 元")

    page = section.get("/budget-arrangements?fiscal_year=2027").get_data(as_text=True)
    row = page[page.index(f'data-department="{edu}" data-status="confirmed"'):]
    assert "部门公用经费" in row and "县教育局" in row and "等次为优" in row
    assert "另含 1 个部门的部门公用经费" in page
    sheet = load_workbook(BytesIO(section.client.get("/budget-arrangements?fiscal_year=2027&format=xlsx").data)).active
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True)]
    dept_row = next(r for r in rows if r[1] == "部门公用经费")
    assert dept_row[2:7] == ("县教育局", "教育", 1200000, 120000, 1320000) and "等次为优" in dept_row[10]
    assert rows[-1][0] == "合计" and "1 个部门公用经费" in rows[-1][1]
    printed = section.get("/budget-arrangements/print?fiscal_year=2027").get_data(as_text=True)
    assert "部门公用经费" in printed and "1,320,000.00" in printed
    school = Browser(app.test_client())
    school.login("school1")
    assert "data-department=" not in school.get("/budget-arrangements?fiscal_year=2027").get_data(as_text=True)
    assert status_of(users, water) == "running"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a rule table's effect, not the database's: the walks run on both
def test_the_rule_table_can_take_last_years_operating_projects_as_the_base(app, users, flows, clock):
    a = approved_project(users)  # 360,000 元, 特定目标类
    in_library(users, fiscal_year=2026, amount=200000, category="operating", project_name="县第一中学日常运转")
    clock.set(county(2027, 1, 20, 9))
    evaluate(users, a, FULL, 95, 360000, {"conclusion": "全部完成"})
    deploy_variant(users["admin"], KEY, ROOT / KEY, {"budget_arrangement_rules.dmn": [
        ('<outputEntry id="OutputEntry_excellent_base"><text>"单位"</text>',
         '<outputEntry id="OutputEntry_excellent_base"><text>"运转类"</text>')]})
    clock.set(county(2027, 2, 10, 9))
    start(users["perf"], KEY, {"fiscal_year": 2027, "sector": "教育"})
    line = arrangement(users["fin_edu"])[a]
    # 10% of the school's 2026 运转类 projects (200,000), not of all its projects (560,000)
    assert (line["adjustment"], line["amount"]) == ("20000.00", "380000.00")
    reason = line["reasons"][0]
    assert (reason["percent_base"], reason["base"]) == ("operating", "200000.00")
    assert "按该单位上一年度运转类项目支出预算总额 200,000.00 元的 10% 调增 20,000.00 元" in reason["text"]
