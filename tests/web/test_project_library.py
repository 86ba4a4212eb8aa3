"""项目库 /projects on the demo county's year (SQLite and PostgreSQL): filters, search, sort, paging, totals,
万元 with the exact 元 on hover, the monitoring colour, last grade and budget in force as columns, scope, hostile
query strings, and the .xlsx export read back with openpyxl."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
from sqlalchemy import select

from server.db import db
from server.flows.monitoring.models import MonitoringReport
from server.models import Project
from server.services.projects import budget_in_force
from tests.web import demo_year_db

year_db, year_url, app = demo_year_db.year_db, demo_year_db.year_url, demo_year_db.app  # on the demo year

ROW_RE = re.compile(r'<tr>\s*<td data-label="项目"><a href="/projects/(\d+)">([^<]+)</a>\s*<div class="muted code">([^<·]+)')


def rows(html: str) -> list[tuple[int, str, str]]:
    return [(int(i), name, code.strip()) for i, name, code in ROW_RE.findall(html)]


def totals(html: str) -> str:
    return re.sub(r"\s+", " ", re.search(r'id="projects-totals">(.*?)</p>', html, re.S).group(1))


def test_office_sees_all_projects_with_totals_and_budget_in_force(app, browser):
    html = browser("perf").get("/projects?year=2026&sort=code").get_data(as_text=True)
    with app.app_context():
        projects = db.session.scalars(select(Project).where(Project.fiscal_year == 2026)).all()
        amount = sum((p.amount or Decimal(0) for p in projects), Decimal(0))
        budget = sum((budget_in_force(p) if p.amount else Decimal(0) for p in projects), Decimal(0))
    summary = totals(html)
    assert f"共 {len(projects)} 个项目" in summary
    assert f'title="{amount:,.2f} 元">{amount / 10000:,.2f}</span>' in summary
    assert f'title="{budget:,.2f} 元">{budget / 10000:,.2f}</span>' in summary
    assert budget < amount  # the demo year recovered and cut budgets
    # 操场改造: 30 万元 approved, 12 万元 recovered by a finance decision -> 18 万元 in force, next to the amount.
    row = re.search(r"2026年县实验小学操场改造.*?</tr>", html, re.S).group(0)
    assert '<span title="300,000.00 元">30.00</span>' in row
    assert '<span title="180,000.00 元">18.00</span>' in row
    assert 'class="colour colour-red">红' in row and "2026年10月" in row
    assert [code for *_, code in rows(html)] == sorted(code for *_, code in rows(html))


def test_denormalised_facts_match_the_flows_records(app):
    """What the operators copied onto projects equals what the reports and corrections say."""
    with app.app_context():
        for project in db.session.scalars(select(Project)):
            latest = db.session.scalars(select(MonitoringReport).where(MonitoringReport.project_id == project.id)
                                        .order_by(MonitoringReport.fiscal_year.desc(), MonitoringReport.month.desc())
                                        .limit(1)).first()
            assert project.monitoring_colour == (str(latest.colour) if latest else None), project.code
            if project.amount is not None:
                assert (project.budget_now if project.budget_now is not None else project.amount) \
                    == budget_in_force(project), project.code
        graded = db.session.scalars(select(Project).where(Project.last_grade.is_not(None))).all()
        assert {p.last_grade for p in graded} >= {"优", "良", "中"} and all(p.last_score for p in graded)


FILTERS = [
    ("colour=red", {"2026年县实验小学操场改造", "2026年县职业中学学生资助"}),
    ("grade=优", {"2025年县第一中学课桌椅更新", "2025年县水库管理所闸门自动化改造"}),
    ("q=操场", {"2026年县实验小学操场改造"}),
    ("year=2026&sector=水利&colour=yellow", {"2026年县水库大坝安全监测", "2026年河道清淤整治"}),
    ("year=2026&min=60&max=85", {"2026年县职业中学实训设备购置", "2026年县水库大坝安全监测",
                                 "2026年县第一中学智慧校园建设"}),
    ("year=2026&min=60&max=85&goal=approved", {"2026年县职业中学实训设备购置", "2026年县水库大坝安全监测"}),
]


def test_filters_narrow_the_list_and_its_totals(browser):
    reader = browser("perf")
    for query, expected in FILTERS:
        html = reader.get(f"/projects?{query}").get_data(as_text=True)
        assert {name for _, name, _ in rows(html)} == expected, query
        assert f"共 {len(expected)} 个项目" in totals(html), query


def test_sort_and_paging_keep_the_filters(browser):
    reader = browser("perf")
    html = reader.get("/projects?sort=amount_desc").get_data(as_text=True)
    amounts = [Decimal(a.replace(",", "")) for a in re.findall(
        r'data-label="核定金额（万元）" class="num"><span title="([\d,.]+) 元"', html)]
    assert amounts == sorted(amounts, reverse=True) and len(amounts) == 20
    assert 'href="/projects?sort=amount_desc&amp;page=2" rel="next"' in html
    second = reader.get("/projects?sort=amount_desc&page=2").get_data(as_text=True)
    assert not {r[0] for r in rows(html)} & {r[0] for r in rows(second)}
    assert "第 2 / 2 页" in second
    assert "第 2 / 2 页" in reader.get("/projects?page=999").get_data(as_text=True)  # past the end: the last page


def test_scope(browser):
    school = browser("school1").get("/projects").get_data(as_text=True)
    assert rows(school) and set(re.findall(r'data-label="单位">([^<]+)<', school)) == {"县第一中学"}
    edu = browser("fin_edu").get("/projects?sector=水利").get_data(as_text=True)
    assert "共 0 个项目" in totals(edu)
    edu_all = browser("fin_edu").get("/projects").get_data(as_text=True)
    assert "水利" not in "".join(code for *_, code in rows(edu_all)) and rows(edu_all)
    assert browser("expert1").get("/projects").status_code == 403
    assert browser("expert1").client.get("/projects?format=xlsx").status_code == 403


HOSTILE = [
    ("page=-3", "页码", "页码应为 1 至 100000 之间的整数"),
    ("page=99999999999999999999999", "页码", "页码应为"),
    ("year=1e9", "年度", "应为 2000 至 2100 之间的整数"),
    ("sort=name;drop%20table", "排序", "不是可选的值"),
    ("colour=purple", "监控颜色", "不是可选的值"),
    ("stage=../../etc", "阶段", "不是可选的值"),
    ("min=50&max=10", "金额上限", "金额上限不能小于下限"),
    ("min=NaN", "金额下限", "金额应为"),
    ("max=1e400", "金额上限", "金额应为"),
    ("min=-5", "金额下限", "金额应为"),
    ("organisation=0x10", "单位", "不是可选的单位"),
    ("q=" + "长" * 500, "搜索", "参数无效"),
]


def test_garbage_filters_are_named_above_the_list(browser):
    reader = browser("perf")
    for query, field, message in HOSTILE:
        resp = reader.get(f"/projects?{query}")
        assert resp.status_code == 422, query
        errors = re.search(r'id="filter-errors">(.*?)</div>', resp.get_data(as_text=True), re.S).group(1)
        assert f"{field}：" in errors and message in errors, query
        assert 'id="projects-totals"' in resp.get_data(as_text=True)  # the list is still there
        assert reader.get(f"/projects?{query}&format=xlsx").status_code == 422


def test_nul_and_unknown_formats_are_refused(browser):
    reader = browser("perf")
    assert reader.get("/projects?q=%00x").status_code == 400
    assert reader.get("/projects?format=pdf").status_code == 422
    assert reader.get("/projects?q=%25_%5C").status_code == 200  # LIKE wildcards are searched as text


def test_xlsx_export_holds_the_filtered_rows_and_totals(browser):
    reader = browser("perf")
    resp = reader.client.get("/projects?format=xlsx&year=2026&sort=code")
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in resp.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(resp.get_data()))
    table = list(book.active.iter_rows(values_only=True))
    header, body, footer = table[0], table[1:-1], table[-1]
    assert header[:2] == ("项目编码", "项目名称") and "执行中预算（元）" in header
    page = reader.get("/projects?year=2026&sort=code").get_data(as_text=True)
    count = int(re.search(r"共 (\d+) 个项目", page).group(1))
    assert len(body) == count and [r[0] for r in body] == sorted(r[0] for r in body)
    amount, budget = header.index("核定金额（元）"), header.index("执行中预算（元）")
    assert footer[0] == "合计" and footer[1] == f"{count} 个项目"
    assert Decimal(str(footer[amount])) == sum(Decimal(str(r[amount] or 0)) for r in body)
    assert Decimal(str(footer[budget])) == sum(Decimal(str(r[budget] or 0)) for r in body)
    playground = next(r for r in body if r[1] == "2026年县实验小学操场改造")
    assert (playground[amount], playground[budget], playground[header.index("监控颜色")]) == (300000, 180000, "红")
    assert book.active.cell(row=2, column=amount + 1).number_format == '#,##0.00"元"'
