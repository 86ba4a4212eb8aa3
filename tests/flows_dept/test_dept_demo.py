"""The demo year (`jixiao init --demo`) has 县教育局's department performance: last year's whole cycle with its
budget effect, and the goals for the budget year being prepared — sent back once for a goal that only said
“按计划完成”, then approved 良, the evaluation waiting for the year."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import select

from server.db import db
from server.models import Organisation
from tests.web import demo_year_db
from tests.web.conftest import Browser

year_db, year_url, app = demo_year_db.year_db, demo_year_db.year_url, demo_year_db.app


def test_the_demo_year_shows_the_education_bureaus_goals(app):
    with app.app_context():
        edu = db.session.scalar(select(Organisation).where(Organisation.name == "县教育局")).id
    reader = Browser(app.test_client())
    reader.login("fin_edu")
    html = reader.get(f"/departments/{edu}").get_data(as_text=True)
    assert "2027 年度" in html and "已批复（财政审核等次：良）" in html and "学生家长满意度" in html
    assert "等待预算年度结束" in html
    # the year before, played whole: monitored, self-evaluated, evaluated 良, next year's 公用经费 +5%
    last = html[html.index('id="dept-year-2025"'):]
    assert "已批复（财政审核等次：优）" in last and "已采取劝返措施" in last and "已定等次，结果已应用" in last
    assert "5.00%，59,000.00 元" in last and "评价结果为良，按部门公用经费的 5% 调增下一年度预算" in last
    # its mid-year warning (school construction 4 of 12: red) followed up by 教科文股 and resolved
    assert "colour-red" in last and "dept-monitor-chart-2025" in last and "要求纠偏" in last
    assert "与施工单位签订赶工协议" in last and "纠偏措施具体可行，继续执行" in last
    years = html[html.index('id="department-years"'):html.index('id="dept-year-')]
    assert 'data-year="2027"' in years and 'data-year="2025"' in years and "红色（严重偏离）" in years
    # the overview lists every year on request, 2025 with its colour, grade and budget effect
    listing = reader.get("/departments?year=all").get_data(as_text=True)
    assert 'data-year="2025"' in listing and 'data-year="2027"' in listing and "59,000.00" in listing


def test_the_overview_shows_the_chosen_year_or_every_year_and_exports_it(app):
    office = Browser(app.test_client())
    office.login("perf")
    default = office.get("/departments").get_data(as_text=True)  # the current fiscal year (the demo's 2026)
    assert "2026 年度" in default and 'data-year="2025"' not in default and "县水利局" in default
    bad = office.get("/departments?year=<script>")
    assert bad.status_code == 422 and "应为 2000–2100 之间的四位年份" in bad.get_data(as_text=True)
    assert "<script>" not in bad.get_data(as_text=True).split('id="departments-filter"')[1].split("</form>")[0]
    assert office.get("/departments?year=99999999999999999999").status_code == 422
    sheet = openpyxl.load_workbook(io.BytesIO(office.client.get("/departments?year=all&format=xlsx").data)).active
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "县教育局"]
    assert [(r[1], r[2], r[4], r[7]) for r in rows] == [(2027, "已批复", None, None),
                                                        (2025, "已批复", "红色（严重偏离）", "良")]
    assert rows[1][9] == 59000
    # a unit has no department page; another department's reviewer sees only its own
    school = Browser(app.test_client())
    school.login("school1")
    assert school.get("/departments?year=all").status_code == 403
    water = Browser(app.test_client())
    water.login("water_head")
    listing = water.get("/departments?year=all").get_data(as_text=True)
    assert "县水利局" in listing and "县教育局" not in listing
