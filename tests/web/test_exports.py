"""Exports on the demo county's year (SQLite and PostgreSQL): a project's approved goal table in the county's
申报表 layout as .xlsx and .docx (opened with openpyxl / python-docx: headings, merged cells, figures, A4), out
of scope a 404; the inbox's tabs and the notices as .xlsx with the page's filters and scope."""

from __future__ import annotations

import io
import itertools
import re
from decimal import Decimal

import docx
import openpyxl
from sqlalchemy import func, select

from server.db import db
from server.flows.goal_review.models import GoalVersion
from server.flows.monitoring.models import MonitoringReport
from server.models import HumanTask, Project, TaskStatus, User
from server.services import notifications
from tests.web import demo_year_db

year_db, year_url, app = demo_year_db.year_db, demo_year_db.year_url, demo_year_db.app  # on the demo year

HEADINGS = ("项目名称", "主管部门", "实施单位", "项目资金（元）", "年度资金总额", "总体目标", "中长期目标", "年度目标",
            "绩效指标", "一级指标", "二级指标", "三级指标", "计算符号", "指标值", "计量单位", "权重")


def _book(resp):
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(resp.get_data()))


def test_the_goal_table_as_the_county_files_it(app, browser):
    with app.app_context():
        goal = db.session.scalar(select(GoalVersion).join(Project, Project.id == GoalVersion.project_id)
                                 .where(GoalVersion.status == "approved", GoalVersion.fiscal_year == 2026,
                                        Project.sector == "教育").order_by(GoalVersion.id))
        project = db.session.get(Project, goal.project_id)
        rows = [(r.level1, r.level2, r.name, r.operator, r.value, r.weight) for r in goal.indicators]
        expected = dict(name=project.name, amount=goal.budget_amount, annual=goal.annual_goal, version=goal.version)
    perf = browser("perf")
    page = perf.get(f"/projects/{project.id}").get_data(as_text=True)
    link = f"/projects/{project.id}/print/goals?version={expected['version']}&amp;format=xlsx"
    assert link in page and "导出 Word" in page

    book = _book(perf.client.get(link.replace("&amp;", "&")))
    sheet = book.active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    texts = {str(v) for row in values for v in row if v is not None}
    assert values[0][0] == "项目支出绩效目标申报表" and values[1][0] == "（2026 年度）"
    assert all(h in texts for h in HEADINGS), [h for h in HEADINGS if h not in texts]
    assert expected["name"] in texts and expected["annual"] in texts
    assert texts & {"新增项目", "延续项目"}  # the project's type in words, not its code
    assert Decimal(str(next(row[5] for row in values if row[1] == "年度资金总额"))) == expected["amount"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:I1", "A2:I2", "B3:I3"} <= merged  # the title and the project name across the sheet
    top = next(i for i, row in enumerate(values, start=1) if row[1] == "一级指标")
    assert f"A{top}:A{top + len(rows) + 1}" in merged  # 绩效指标 down the indicator rows and the total
    runs = [len(list(group)) for _key, group in itertools.groupby(r[0] for r in rows)]
    level1_merges = [m for m in merged if re.fullmatch(r"B\d+:B\d+", m) and int(m.split(":")[0][1:]) > top]
    assert len(level1_merges) == sum(1 for n in runs if n > 1) > 0  # each run of one 一级指标 merged down
    indicator_rows = values[top:top + len(rows)]
    assert [(r[3], r[4], r[5], Decimal(str(r[8]))) for r in indicator_rows] == \
        [(n, op, v, w) for _l1, _l2, n, op, v, w in rows]
    assert Decimal(str(values[top + len(rows)][8])) == sum(w for *_r, w in rows)  # 权重合计
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4 and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage

    resp = perf.client.get(f"/projects/{project.id}/print/goals?format=docx")
    assert resp.status_code == 200 and resp.mimetype.endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(resp.get_data()))
    assert document.paragraphs[0].text == "项目支出绩效目标申报表"
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    table = document.tables[0]
    cells = {c.text for row in table.rows for c in row.cells}
    assert all(h in cells for h in HEADINGS) and expected["name"] in cells
    assert f"{expected['amount']:,.2f}" in cells
    assert all(r[2] in cells for r in rows)
    assert table.cell(0, 1).text == table.cell(0, 8).text == expected["name"]  # merged across

    for user in ("water1", "water_head", "fin_agri", "expert1"):
        for fmt in ("xlsx", "docx"):
            resp = browser(user).client.get(f"/projects/{project.id}/print/goals?format={fmt}")
            assert resp.status_code == 404, user
    assert perf.client.get(f"/projects/{project.id}/print/goals?format=pdf").status_code == 422
    assert perf.client.get(f"/projects/{project.id}/print/goals?format=xlsx&version=99").status_code == 404


def test_list_pages_export_what_they_list(app, browser):
    perf = browser("perf")
    done = perf.get("/inbox?view=done").get_data(as_text=True)
    assert 'id="inbox-export"' in done
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "perf"))
        done_count = db.session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.assignee_id == user.id, HumanTask.status == TaskStatus.COMPLETED))
    rows = list(_book(perf.client.get("/inbox?view=done&format=xlsx")).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("任务", "流程", "流程编号") and len(rows) - 1 == done_count > 0
    assert all(r[8] == "已办结" for r in rows[1:])

    school = browser("school1")
    mine = school.get("/inbox?view=mine&flow=monitoring").get_data(as_text=True)
    listed = set(re.findall(r'class="task-title" href="/tasks/\d+">([^<]+)</a>', mine))
    export = school.client.get("/inbox?view=mine&flow=monitoring&format=xlsx")
    rows = list(_book(export).active.iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == listed and all(r[1] == "绩效运行监控" for r in rows[1:])
    assert school.client.get("/inbox?view=mine&format=csv").status_code == 422
    assert school.client.get("/inbox?view=nowhere&due_from=2026-13-01&format=xlsx").status_code == 422

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "school1"))
        notices = db.session.scalar(select(func.count()).where(notifications.addressed_to(user)))
    assert 'id="notices-export"' in mine
    rows = list(_book(school.client.get("/notifications?format=xlsx")).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "类别", "内容") and len(rows) - 1 == notices
    assert school.get("/notifications").status_code == 303

    # The project page's tables, one sheet each, with the figures of its monitoring and evaluations.
    with app.app_context():
        project_id = db.session.scalar(select(MonitoringReport.project_id).join(Project)
                                       .where(Project.sector == "教育").order_by(MonitoringReport.id))
        report = db.session.scalar(select(MonitoringReport).where(MonitoringReport.project_id == project_id)
                                   .order_by(MonitoringReport.fiscal_year.desc(), MonitoringReport.month.desc()))
        project_id, months = report.project_id, db.session.scalar(
            select(func.count()).select_from(MonitoringReport).where(MonitoringReport.project_id == report.project_id))
        spent = report.spent
    assert 'id="project-export"' in perf.get(f"/projects/{project_id}").get_data(as_text=True)
    book = _book(perf.client.get(f"/projects/{project_id}?format=xlsx"))
    assert book.sheetnames[:3] == ["绩效目标版本", "已批复绩效指标", "运行监控"] and "相关流程" in book.sheetnames
    monitoring = list(book["运行监控"].iter_rows(values_only=True))
    assert len(monitoring) - 1 == months and Decimal(str(monitoring[-1][2])) == spent
    assert browser("water1").client.get(f"/projects/{project_id}?format=xlsx").status_code == 404

    # The office's batch preview: what it will start and what it skips, with the reasons.
    preview = perf.get("/start/batch/monitoring?fiscal_year=2026").get_data(as_text=True)
    start_n, skip_n = map(int, re.search(r"将发起 (\d+) 个项目，跳过 (\d+) 个", preview).groups())
    book = _book(perf.client.get("/start/batch/monitoring?fiscal_year=2026&format=xlsx"))
    assert book.sheetnames == ["将发起的项目", "跳过的项目"]
    assert (book["将发起的项目"].max_row - 1, book["跳过的项目"].max_row - 1) == (start_n, skip_n)
    assert start_n + skip_n > 0 and 'id="batch-export"' in preview
    assert school.client.get("/start/batch/monitoring?fiscal_year=2026&format=xlsx").status_code == 403

    # An instance's 办理记录: one row per entry of the page's timeline.
    with app.app_context():
        instance_id = db.session.scalar(select(Project.instance_id).where(Project.id == project_id))
    page = perf.get(f"/instances/{instance_id}").get_data(as_text=True)
    book = _book(perf.client.get(f"/instances/{instance_id}?format=xlsx"))
    assert book["办理记录"].max_row - 1 == page.count('<li class="timeline-entry">') > 0
    assert browser("water1").client.get(f"/instances/{instance_id}?format=xlsx").status_code == 404
    assert browser(None).client.get("/notifications?format=xlsx").status_code in (302, 401)
