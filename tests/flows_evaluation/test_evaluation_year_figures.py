"""DOMAIN §6 and §4b: what the county reports each year — self-evaluations, key evaluations and their grade mix,
money adjusted by result application, rectifications closed — is counted from what the flows did, and the
annual work report (the document that goes to the county government and 人大) carries it. Two 2026 projects of
县第一中学 are evaluated in 2027 over HTTP: A self-evaluates 优 and is key-evaluated 良 by the firm drawn by lot
(+5%); B self-evaluates 中, rectifies and is verified. SQLite and PostgreSQL, with the ManualClock."""

from __future__ import annotations

import io
from decimal import Decimal

from docx import Document
from sqlalchemy import select

from server.db import db
from server.models import User
from server.services import dashboard
from tests.api.helpers import start, tasks
from tests.flows_evaluation.conftest import (
    FULL,
    KEY,
    NOTICE,
    RECTIFY,
    REVIEW,
    SELF,
    VERIFY,
    county,
    evaluation,
    self_form,
    wake_at,
)
from tests.flows_evaluation.test_evaluation_variants import REQUIREMENTS, self_evaluate_at_78
from tests.flows_goal_review.conftest import do
from tests.flows_monitoring.conftest import approved_project
from tests.web.conftest import Browser

SHEET = {"execution": 9, "output": 42, "benefit": 25, "satisfaction": 9, "findings": "验收资料不全", "opinion": "总体较好"}


def key_evaluated_good(app, users, iid: int) -> None:
    """The office selects a key evaluation; the drawn firm's two experts score 85 and 83: 良."""
    rows = self_form(users["school1"], iid, FULL, 100)
    do(users["school1"], iid, SELF, {"spent": 360000, "indicator_scores": rows, "explanation": "全部完成"})
    do(users["perf"], iid, REVIEW, {"review_decision": "key", "review_opinion": "资金量大，列入重点评价",
                                     "key_reason": "县级重点民生项目", "draw_seed": "2027-001"})
    for expert, sheet in (("expert1", SHEET), ("expert2", dict(SHEET, output=40, benefit=26, satisfaction=8))):
        (task,) = tasks(users[expert], "mine")
        resp = users[expert].post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"key_review": sheet}})
        assert resp.status_code == 200, resp.get_json()
    do(users["perf"], iid, NOTICE, {"conclusion": "项目完成较好", "problems": "验收资料不全"})


def test_the_years_figures_and_report_count_what_the_flows_did(app, users, flows, clock):
    a = approved_project(users)
    b = approved_project(users, project_name="县第一中学食堂改造")
    wake_at(clock, app, county(2027, 1, 20, 9))
    a_iid = start(users["school1"], KEY, {"project_code": a})["id"]
    b_iid = start(users["school1"], KEY, {"project_code": b})["id"]
    key_evaluated_good(app, users, a_iid)
    assert (evaluation(app, a).self_grade, evaluation(app, a).grade) == ("优", "良")
    self_evaluate_at_78(users, b_iid)
    do(users["perf"], b_iid, NOTICE, REQUIREMENTS)
    do(users["school1"], b_iid, RECTIFY, {"measures": "增加施工班组", "results": "已完工", "completion": "已完成"})
    do(users["perf"], b_iid, VERIFY, {"verify_decision": "verified", "verify_opinion": "整改到位"})
    assert evaluation(app, b).status == "rectified"

    with app.test_request_context():
        office = db.session.scalar(select(User).where(User.username == "perf"))
        d = dashboard.build(office, 2027)  # the 2027 work year evaluates the 2026 budget
    e, p = d.evaluation.count, d.application
    assert (e["self_evaluated"], e["self:优"], e["self:中"]) == (2, 1, 1)
    assert (e["key_evaluated"], e["key:良"], e["key:优"]) == (1, 1, 0)
    assert (e["status:rectified"], e["status:rectifying"], e["status:unrectified"]) == (1, 0, 0)
    assert (p.count["increase"], p.money["increase"], p.count["decrease"]) == (1, Decimal("18000.00"), 0)
    assert p.count["suspended"] == 1 and p.count["suspended_now"] == 0  # lifted when verified

    reader = Browser(app.test_client())
    reader.login("perf")
    doc = Document(io.BytesIO(reader.client.get("/reports/annual/2027.docx").data))
    text = "\n".join(par.text for par in doc.paragraphs)
    assert "报送自评的项目2个，自评等次为优1个、良0个、中1个、差0个" in text
    assert "委托第三方开展重点评价，已评定等次的为优0个、良1个、中0个、差0个" in text
    assert "调增预算1个项目、1.80万元" in text and "整改到位1个" in text
