"""The demo year (`jixiao init --demo`): 县教育局's 2025 部门整体绩效 was evaluated 良 in February (+5% of its
1,180,000 元 公用经费), so the 2026 教育 arrangement the office confirmed in April carries its 部门公用经费 line
with that reason, and the bureau was told."""

from __future__ import annotations

from sqlalchemy import select

from server.db import db
from server.flows.dept_performance.models import DeptEvaluation
from server.models import Notification, Organisation
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
