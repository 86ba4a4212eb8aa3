"""Issue 16.5 on the demo county's year (SQLite and PostgreSQL): 支出类别 and 资金来源 are filters, columns and
export cells of the project library, facts on the project page and fields of the project API (with their closed
lists in the OpenAPI contract); hostile filter values are refused by name; a 保密项目 never reaches /public/."""

from __future__ import annotations

import io
import re

import openpyxl
from sqlalchemy import select

from server.db import db
from server.flows.evaluation.models import Evaluation
from server.flows.goal_review.models import GoalVersion
from server.models import FundSource, Project, ProjectCategory
from tests.web import demo_year_db
from tests.web.test_public_site import crawl

year_db, year_url, app = demo_year_db.year_db, demo_year_db.year_url, demo_year_db.app  # on the demo year

NAME_RE = re.compile(r'<td data-label="项目"><a href="/projects/(\d+)">([^<]+)</a>')


def _names(app, **where) -> set[str]:
    with app.app_context():
        stmt = select(Project.name).where(*(getattr(Project, k) == v for k, v in where.items()))
        return set(db.session.scalars(stmt))


def test_the_library_filters_exports_and_shows_categories_and_fund_sources(app, browser, login_as):
    perf = browser("perf")
    operating = _names(app, category=ProjectCategory.OPERATING)
    direct = _names(app, fund_source=FundSource.DIRECT)
    assert {n[5:] for n in operating} == {"农村水利工程管护", "水库日常运行维护"}  # the demo year's 运转类
    assert {n[5:] for n in direct} == {"县实验小学学生营养改善计划", "县职业中学学生资助"}

    html = perf.get("/projects?category=operating").get_data(as_text=True)
    assert {name for _, name in NAME_RE.findall(html)} == operating and f"共 {len(operating)} 个项目" in html
    assert "运转类 · 本级财政资金" in html
    html = perf.get("/projects?fund=direct").get_data(as_text=True)
    shown = dict((name, int(i)) for i, name in NAME_RE.findall(html))
    assert set(shown) == direct and "特定目标类 · 直达资金" in html

    book = openpyxl.load_workbook(io.BytesIO(perf.client.get("/projects?fund=direct&format=xlsx").get_data()))
    header, *body, footer = list(book.active.iter_rows(values_only=True))
    kind, fund = header.index("支出类别"), header.index("资金来源")
    assert {(r[1], r[kind], r[fund]) for r in body} == {(n, "特定目标类", "直达资金") for n in direct}

    for query, field in (("category=人员类", "支出类别"), ("fund=%3Cscript%3Ealert(1)%3C/script%3E", "资金来源"),
                         ("category=specific%27%20OR%201=1--", "支出类别"), ("fund=LOCAL", "资金来源")):
        resp = perf.get(f"/projects?{query}")
        page = resp.get_data(as_text=True)
        assert resp.status_code == 422 and f"{field}：不是可选的值" in page and "<script>alert" not in page, query
        assert perf.get(f"/projects?{query}&format=xlsx").status_code == 422

    project_id = next(iter(shown.values()))
    page = perf.get(f"/projects/{project_id}").get_data(as_text=True)
    assert re.search(r'id="fact-fund-source">直达资金<', page) and re.search(r'id="fact-category">特定目标类<', page)

    api = login_as("perf")
    detail = api.get(f"/api/v1/projects/{project_id}").get_json()
    assert (detail["category"], detail["fund_source"], detail["confidential"]) == ("specific", "direct", False)
    items = api.get("/api/v1/projects", query_string={"q": "水库日常运行维护", "per_page": 100}).get_json()["items"]
    assert items and {(i["category"], i["fund_source"]) for i in items} == {("operating", "local")}
    schema = api.get("/api/openapi.json").get_json()["components"]["schemas"]["ProjectOut"]["properties"]
    assert schema["fund_source"]["enum"] == ["local", "transfer", "direct", "special"]
    assert schema["category"]["enum"] == ["personnel", "operating", "specific"]


def _ready(perf) -> dict[int, int]:
    """Goal tables a release would publish, per year, as the office's overview exports them."""
    sheet = openpyxl.load_workbook(io.BytesIO(perf.client.get("/publication?format=xlsx").get_data())).active
    return {r[0]: r[1] for r in sheet.iter_rows(min_row=2, values_only=True)}


def test_a_confidential_project_never_reaches_the_public_site(app, browser):
    perf = browser("perf")
    perf.get("/publication")
    for year, kind in ((2025, "budget"), (2025, "final_accounts"), (2026, "budget")):
        assert perf.post("/publication/releases", {"year": str(year), "kind": kind, "action": "release"}).status_code == 303
    anonymous = app.test_client()
    with app.app_context():
        result = db.session.scalar(select(Evaluation).where(Evaluation.publish.is_(True),
                                                             Evaluation.status.in_(("completed", "rectified"))))
        goal = db.session.scalar(select(GoalVersion).where(GoalVersion.status == "approved",
                                                           GoalVersion.fiscal_year == 2026).order_by(GoalVersion.id))
        hidden = {goal.project_id, result.project_id}
        names = set(db.session.scalars(select(Project.name).where(Project.id.in_(hidden))))
        ids = {f"/public/goals/{goal.id}", f"/public/results/{result.id}"}
    before = crawl(anonymous)
    ready = _ready(perf)
    assert ids <= set(before) and all(any(n in text for text in before.values()) for n in names)

    with app.app_context():  # as the unit's application would have marked them (保密项目)
        for project in db.session.scalars(select(Project).where(Project.id.in_(hidden))):
            project.confidential = True
        db.session.commit()
    after = crawl(anonymous)
    assert not ids & set(after) and len(after) < len(before)
    text = "\n".join(after.values())
    assert not [n for n in names if n in text]
    for path in ids:
        assert anonymous.get(path).status_code == 404, path
    # The office's overview no longer counts them among what a release publishes.
    assert _ready(perf)[2026] == ready[2026] - 1
