"""The demo year (`jixiao init --demo`): 县教育局's 2025 部门整体绩效 was evaluated 良 in February (+5% of its
1,180,000 元 公用经费), so the 2026 教育 arrangement the office confirmed in April carries its 部门公用经费 line
with that reason, and the bureau was told."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from server.db import db
from server.flows.budget_arrangement import context as arrangement_context
from server.flows.budget_arrangement.models import BudgetArrangement
from server.flows.dept_performance.models import DeptEvaluation
from server.models import Notification, Organisation, ProcessInstance
from server.services import budget_arrangements
from server.web import budget_arrangement_views
from tests.web import demo_year_db
from tests.web.conftest import Browser

year_db, year_url, app = demo_year_db.year_db, demo_year_db.year_url, demo_year_db.app


def test_the_demo_years_education_arrangement_reads_the_bureaus_evaluation(app, login_as):
    with app.app_context():
        edu = db.session.scalar(select(Organisation.id).where(Organisation.name == "县教育局"))
        ev = db.session.scalar(select(DeptEvaluation.id).where(DeptEvaluation.department_id == edu,
                                                                DeptEvaluation.fiscal_year == 2025))
        told = db.session.scalars(select(Notification.text).where(Notification.kind == "arrangement",
                                                                  Notification.organisation_id == edu)).all()
    assert told == ["2026 年度预算安排已确认：部门公用经费 1,239,000.00 元。安排理由见“预算安排”页面。"]
    for who in ("perf", "fin_edu", "edu_head"):
        body = login_as(who).get("/api/v1/budget-arrangements", query_string={"fiscal_year": 2026}).get_json()
        (line,) = [i for i in body["items"] if i["kind"] == "department"]
        assert (line["department"], line["base"], line["adjustment"], line["amount"], line["status"]) == (
            "县教育局", "1180000.00", "59000.00", "1239000.00", "confirmed"), who
        reason = line["reasons"][0]
        assert (reason["dept_evaluation_id"], reason["source_year"], reason["grade"]) == (ev, 2025, "良")
        assert "按部门公用经费 1,180,000.00 元的 5% 调增 59,000.00 元" in reason["text"]
    for who in ("school1", "water_head", "fin_agri"):
        body = login_as(who).get("/api/v1/budget-arrangements", query_string={"fiscal_year": 2026}).get_json()
        assert [i for i in body["items"] if i["kind"] == "department"] == [], who
    office = Browser(app.test_client())
    office.login("perf")
    page = office.get("/budget-arrangements?fiscal_year=2026&sector=教育").get_data(as_text=True)
    assert f'data-department="{edu}" data-status="confirmed"' in page


def test_a_long_arrangement_pages_and_its_review_block_totals_every_line(app, login_as, monkeypatch):
    """A province's sector has thousands of lines: the list pages them (shrunk here to 2 a page), the review
    task shows the first ones with totals over all of them and links to the rest."""
    monkeypatch.setattr(budget_arrangement_views, "PER_PAGE", 2)
    monkeypatch.setattr(budget_arrangements, "INSTANCE_LINES", 2)
    education = login_as("perf").get("/api/v1/budget-arrangements", query_string={
        "fiscal_year": 2026, "sector": "教育", "per_page": 500}).get_json()["items"]
    assert len(education) > 4
    office = Browser(app.test_client())
    office.login("perf")
    shown = []
    pages = -(-len(education) // 2)
    for page in range(1, pages + 1):
        html = office.get(f"/budget-arrangements?fiscal_year=2026&sector=教育&page={page}").get_data(as_text=True)
        assert f"第 {page} / {pages} 页" in html
        assert ('rel="next"' in html) == (page < pages) and ('rel="prev"' in html) == (page > 1)
        shown += re.findall(r'<tr (data-(?:project|department)="[^"]+")', html)
    assert len(shown) == len(education) == len(set(shown))  # every line once, none twice
    past = office.get(f"/budget-arrangements?fiscal_year=2026&sector=教育&page={pages + 5}").get_data(as_text=True)
    assert f"第 {pages} / {pages} 页" in past  # a page past the end shows the last one
    bad = office.get("/budget-arrangements?fiscal_year=2026&sector=教育&page=x")
    assert bad.status_code == 422 and "页码应为" in bad.get_data(as_text=True)

    with app.test_request_context():
        instance = db.session.scalar(select(ProcessInstance).join(
            BudgetArrangement, BudgetArrangement.instance_id == ProcessInstance.id).where(
            BudgetArrangement.fiscal_year == 2026, BudgetArrangement.sector == "教育").limit(1))
        block = arrangement_context.load(None, instance)
    assert block is not None and len(block.lines) == 2 and block.more == len(education) - 2
    assert block.totals.amount == sum(Decimal(i["amount"]) for i in education)
    assert block.totals.departments == sum(1 for i in education if i["kind"] == "department")
