"""Hostile input to 预算安排: the API query, the start data, the two review forms and the page's start form are
refused by field (422, never a 500) and nothing is half-saved; scope holds (experts 403, units see no drafts)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.db import db
from server.flows.budget_arrangement.models import BudgetArrangement
from server.models import ProcessInstance
from tests.api.helpers import complete, deploy_folder, deploy_variant, start
from tests.flows_budget.conftest import CONFIRM, KEY, SECTION
from tests.flows_goal_review.conftest import ROOT, refused_start, task_of
from tests.web.conftest import Browser

BAD_QUERIES = [
    ({}, "fiscal_year"), ({"fiscal_year": "abc"}, "fiscal_year"), ({"fiscal_year": "1999"}, "fiscal_year"),
    ({"fiscal_year": "2027.5"}, "fiscal_year"), ({"fiscal_year": "9" * 40}, "fiscal_year"),
    ({"fiscal_year": "2027", "per_page": "0"}, "per_page"), ({"fiscal_year": "2027", "page": "-1"}, "page"),
    ({"fiscal_year": "2027", "sector": "教" * 33}, "sector"),
]
BAD_STARTS = [
    ({}, "预算年度"), ({"fiscal_year": True, "sector": "教育"}, "预算年度"), ({"fiscal_year": "二〇二七", "sector": "教育"}, "预算年度"),
    ({"fiscal_year": 2027.5, "sector": "教育"}, "预算年度"), ({"fiscal_year": 1999, "sector": "教育"}, "预算年度"),
    ({"fiscal_year": 2027, "sector": "外星"}, "领域"), ({"fiscal_year": 2027, "sector": ["教育"]}, "领域"),
    ({"fiscal_year": 2027, "sector": "教育'; DROP TABLE projects; --"}, "领域"),
]


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(ProcessInstance)),
                db.session.scalar(select(func.count()).select_from(BudgetArrangement)))


@pytest.fixture
def deployed(users) -> None:
    resp = deploy_folder(users["admin"], KEY, ROOT / KEY)
    assert resp.status_code == 201, resp.get_json()


def test_the_api_refuses_bad_queries_by_field_and_keeps_scope(users, client):
    for params, field in BAD_QUERIES:
        resp = users["fin_edu"].get("/api/v1/budget-arrangements", query_string=params)
        assert resp.status_code == 422, (params, resp.status_code)
        assert field in resp.get_json()["fields"], params
    assert client.get("/api/v1/budget-arrangements?fiscal_year=2027").status_code == 401
    assert users["expert1"].get("/api/v1/budget-arrangements?fiscal_year=2027").status_code == 403
    ok = users["school1"].get("/api/v1/budget-arrangements?fiscal_year=2027")
    assert ok.status_code == 200 and ok.get_json() == {"items": [], "total": 0}
    spec = client.get("/api/openapi.json").get_json()
    assert "fiscal_year" in str(spec["paths"]["/api/v1/budget-arrangements"]["get"]["parameters"])


def test_bad_start_data_and_review_forms_are_refused_and_nothing_is_kept(app, users, deployed):
    before = counts(app)
    for data, words in BAD_STARTS:
        assert words in refused_start(users, data, who="perf", key=KEY), data
    assert counts(app) == before
    resp = users["school1"].post("/api/v1/process-instances", json={"process_key": KEY, "data": {"fiscal_year": 2027}})
    assert resp.status_code == 403  # only the office starts an arrangement

    iid = start(users["perf"], KEY, {"fiscal_year": "2027", "sector": "教育"})["id"]
    section = task_of(users["fin_edu"], iid, SECTION)
    for data, fields in (({}, {"section_opinion"}), ({"section_opinion": "x"}, {"section_opinion"}),
                         ({"section_opinion": ["数组"]}, {"section_opinion"})):
        body = complete(users["fin_edu"], section["id"], data, expect=422)
        assert set(body["fields"]) == fields, data
    complete(users["fin_edu"], section["id"], {"section_opinion": "已核对"})
    confirm = task_of(users["perf"], iid, CONFIRM)
    body = complete(users["perf"], confirm["id"], {"office_decision": "approve", "office_opinion": "x"}, expect=422)
    assert set(body["fields"]) == {"office_decision", "office_opinion"}
    assert task_of(users["perf"], iid, CONFIRM)["id"] == confirm["id"]  # still open, nothing recorded

    # An administrator's slip in a rule table refuses the start with the row, rather than arranging by it.
    deploy_variant(users["admin"], KEY, ROOT / KEY,
                   {"budget_arrangement_rules.dmn": [('<text>"单位"</text>', '<text>"本单位"</text>')]})
    before = counts(app)
    assert "预算安排规则表第 1 行" in refused_start(users, {"fiscal_year": 2027, "sector": "水利"}, who="perf", key=KEY)
    assert counts(app) == before


def test_the_page_lists_exports_prints_and_refuses_a_bad_start_by_field(app, deployed):
    office = Browser(app.test_client())
    office.login("perf")
    office.get("/inbox")
    page = office.get("/budget-arrangements?fiscal_year=2027")
    assert page.status_code == 200 and 'id="arrangements-start"' in page.get_data(as_text=True)
    before = counts(app)
    assert office.post("/budget-arrangements/start", {"fiscal_year": "2027", "sector": "教育"},
                       csrf=False).status_code == 400
    bad = office.post("/budget-arrangements/start", {"fiscal_year": "20x7", "sector": "外星"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="e-start-year"' in text and 'id="e-start-sector"' in text
    assert 'value="20x7"' in text  # what was typed is kept
    assert counts(app) == before
    done = office.post("/budget-arrangements/start", {"fiscal_year": "2027", "sector": "教育"})
    assert done.status_code == 303
    shown = office.get(done.headers["Location"]).get_data(as_text=True)
    assert "已发起 2027 年度教育领域的预算安排，已转" in shown and "财政业务股室" in shown
    again = office.post("/budget-arrangements/start", {"fiscal_year": "2027", "sector": "教育"})
    assert again.status_code == 422 and "已在进行中" in again.get_data(as_text=True)

    xlsx = office.client.get("/budget-arrangements?fiscal_year=2027&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert office.get("/budget-arrangements?fiscal_year=abc&format=xlsx").status_code == 422
    assert office.get("/budget-arrangements?fiscal_year=abc").status_code == 422
    assert office.get("/budget-arrangements?fiscal_year=2027&sector=外星").status_code == 422
    assert office.get("/budget-arrangements/print?fiscal_year=1999").status_code == 422
    sheet = office.get("/budget-arrangements/print?fiscal_year=2027")
    assert sheet.status_code == 200 and "2027 年度预算安排表" in sheet.get_data(as_text=True)
    expert = Browser(app.test_client())
    expert.login("expert1")
    expert.get("/inbox")
    assert expert.get("/budget-arrangements").status_code == 403
    unit = Browser(app.test_client())
    unit.login("school1")
    assert unit.get("/budget-arrangements").status_code == 200  # reads its own confirmed lines, starts nothing
    assert unit.post("/budget-arrangements/start", {"fiscal_year": "2027", "sector": "教育"}).status_code == 403
