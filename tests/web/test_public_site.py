"""信息公开 /public/ on the demo county's year (SQLite and PostgreSQL): the office releases 2025's goals and
results and 2026's goals and marks files public; an anonymous visitor then crawls the site from its index and
finds exactly the published goal tables and results, with their figures, and nothing on the deny-list (review
opinions, contacts, phones, people's names); every unpublished goal, evaluation and attachment id is a 404;
no answer sets a cookie; pages are cacheable with an ETag."""

from __future__ import annotations

import hashlib
import io
import re
from html import unescape
from urllib.parse import urljoin, urlsplit

import openpyxl
from sqlalchemy import select

from server.db import db
from server.extensions import get_clock
from server.flows.evaluation.models import Evaluation, KeyEvaluationScore, Rectification
from server.flows.goal_review.models import GoalReview, GoalVersion
from server.flows.monitoring.models import Correction
from server.models import Attachment, AuditEvent, Organisation, Project, User
from server.services.attachments import file_path
from tests.web import demo_year_db

year_db, year_url, app = demo_year_db.year_db, demo_year_db.year_url, demo_year_db.app  # on the demo year

HREF_RE = re.compile(r'href="([^"]+)"')
PHONE_RE = re.compile(r"\d{3,4}-\d{7,8}|1[3-9]\d{9}")


def _file(app, instance_id: int | None, project_id: int, name: str, public: bool) -> int:
    """An attachment row with its bytes on disk, as an upload referenced by a completed step leaves it."""
    data = f"%PDF-1.4 {name}".encode()
    sha = hashlib.sha256(data).hexdigest()
    path = file_path(sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    perf = db.session.scalar(select(User).where(User.username == "school1"))
    row = Attachment(sha256=sha, name=name, size=len(data), content_type="application/pdf", uploaded_by_id=perf.id,
                     organisation_id=perf.organisation_id, created_at=get_clock().now(), instance_id=instance_id,
                     project_id=project_id, referenced_at=get_clock().now(), public=public)
    db.session.add(row)
    db.session.flush()
    return row.id


def _setup(app) -> dict:
    with app.app_context():
        goals = list(db.session.scalars(select(GoalVersion)))
        evaluations = list(db.session.scalars(select(Evaluation)))
        published_goals = {g.id for g in goals if g.status == "approved" and g.fiscal_year in (2025, 2026)}
        published_results = {e.id for e in evaluations if e.publish and e.status in ("completed", "rectified")}
        assert len(published_goals) == 15 and len(published_results) == 1  # the demo year, by construction
        g2025 = next(g for g in goals if g.id in published_goals and g.fiscal_year == 2025)
        g2027 = next(g for g in goals if g.status == "approved" and g.fiscal_year == 2027)
        running = next(e for e in evaluations if not e.publish)
        files = {
            "shown": _file(app, g2025.instance_id, g2025.project_id, "绩效目标批复文件.pdf", False),  # office marks it
            "internal": _file(app, g2025.instance_id, g2025.project_id, "内部测算底稿.pdf", False),
            "next_year": _file(app, g2027.instance_id, g2027.project_id, "下年度申报材料.pdf", True),
            "running": _file(app, running.instance_id, running.project_id, "自评佐证材料.pdf", True),
        }
        db.session.commit()
        deny = {*(r.opinion for r in db.session.scalars(select(GoalReview)) if r.opinion),
                *(r.fixes for r in db.session.scalars(select(GoalReview)) if r.fixes),
                *(e.review_opinion for e in evaluations if e.review_opinion),
                *(s.opinion for s in db.session.scalars(select(KeyEvaluationScore))),
                *(r.opinion for r in db.session.scalars(select(Rectification)) if r.opinion),
                *(c.opinion for c in db.session.scalars(select(Correction)) if getattr(c, "opinion", None)),
                *(g.contact for g in goals if g.contact),
                # people's names: the display name without its organisation ("县第一中学 刘洋" -> 刘洋)
                *(u.display_name.split()[-1] for u in db.session.scalars(select(User)) if " " in u.display_name),
                *(u.username for u in db.session.scalars(select(User)) if len(u.username) > 5)}
        return {"goals": {g.id for g in goals}, "evaluations": {e.id for e in evaluations},
                "published_goals": published_goals, "published_results": published_results, "files": files,
                "deny": {d for d in deny if len(d) >= 2}, "g2025": g2025.id, "project_2025": g2025.project_id}


def _no_cookie(resp, path: str) -> None:
    assert "Set-Cookie" not in resp.headers, path


def crawl(client) -> dict[str, str]:
    """Every page reachable from /public/ by its links, anonymously: path -> text."""
    seen: dict[str, str] = {}
    queue = ["/public/"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        resp = client.get(path)
        assert resp.status_code == 200, path
        _no_cookie(resp, path)
        assert resp.headers["Cache-Control"].startswith("public"), path
        if "/files/" in path:
            seen[path] = ""
            continue
        if "format=xlsx" in path:  # the list as Excel: its cells are checked like the pages' text
            book = openpyxl.load_workbook(io.BytesIO(resp.get_data()))
            seen[path] = "\n".join(str(v) for row in book.active.iter_rows(values_only=True) for v in row if v)
            continue
        assert resp.headers.get("ETag"), path
        page = resp.get_data(as_text=True)
        seen[path] = page
        for href in HREF_RE.findall(page):
            target = urljoin(path, unescape(href))
            parts = urlsplit(target)
            if parts.path.startswith("/public/") and not parts.netloc:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def test_the_public_site_shows_what_the_office_released_and_nothing_else(app, browser):
    ids = _setup(app)
    anonymous = app.test_client()
    first = anonymous.get("/public/")
    assert first.status_code == 200 and "暂无公开信息" in first.get_data(as_text=True)
    _no_cookie(first, "/public/")
    assert anonymous.get(f"/public/goals/{ids['g2025']}").status_code == 404  # approved, but not yet released

    # The office releases; a bad form changes nothing; others may not.
    perf = browser("perf")
    overview = perf.get("/publication").get_data(as_text=True)
    assert 'data-year="2027"' in overview and "可公开 2 项" in overview
    sheet = openpyxl.load_workbook(io.BytesIO(perf.client.get("/publication?format=xlsx").get_data())).active
    assert [r[:2] for r in sheet.iter_rows(min_row=2, values_only=True)] == [(2027, 2), (2026, 10), (2025, 5)]
    bad = perf.post("/publication/releases", {"year": "20x6", "kind": "budget", "action": "release"})
    assert bad.status_code == 422 and "年度：请选择年度" in bad.get_data(as_text=True)
    assert perf.post("/publication/releases", {"year": "2026", "kind": "all", "action": "release"}).status_code == 422
    assert browser("fin_edu").post("/publication/releases", {"year": "2026", "kind": "budget",
                                                              "action": "release"}).status_code == 403
    assert browser("school1").get("/publication").status_code == 403
    for year, kind in ((2025, "budget"), (2025, "final_accounts"), (2026, "budget")):
        resp = perf.post("/publication/releases", {"year": str(year), "kind": kind, "action": "release"})
        assert resp.status_code == 303
    page = perf.get(f"/projects/{ids['project_2025']}").get_data(as_text=True)
    assert "绩效目标批复文件.pdf" in page and "设为公开" in page
    assert perf.post(f"/attachments/{ids['files']['shown']}/public", {"public": "1"}).status_code == 303
    assert perf.post(f"/attachments/{ids['files']['shown']}/public", {"public": "x"}).status_code == 400
    assert perf.post("/attachments/99999999/public", {"public": "1"}).status_code == 404
    assert perf.post("/publication/releases", {"year": "2027", "kind": "budget", "action": "release"},
                     csrf=False).status_code == 400  # no CSRF token: refused, nothing released
    assert perf.post("/publication/releases", {"year": "2027", "kind": "budget", "action": "drop"}).status_code == 422
    assert browser("edu_head").post(f"/attachments/{ids['files']['internal']}/public",
                                    {"public": "1"}).status_code == 403
    with app.app_context():
        actions = [a for a, in db.session.execute(select(AuditEvent.action).where(
            AuditEvent.action.in_(("publication.release", "attachment.public"))))]
        assert sorted(actions) == ["attachment.public", *["publication.release"] * 3]

    # The crawl from the index finds exactly the released goals and results, and nothing on the deny-list.
    pages = crawl(anonymous)
    found_goals = {int(m) for p in pages for m in re.findall(r"^/public/goals/(\d+)$", p)}
    found_results = {int(m) for p in pages for m in re.findall(r"^/public/results/(\d+)$", p)}
    assert found_goals == ids["published_goals"] and found_results == ids["published_results"]
    assert f"/public/files/{ids['files']['shown']}" in pages
    text = "\n".join(pages.values())
    leaked = sorted(d for d in ids["deny"] if d in text)
    assert not leaked, leaked
    assert not PHONE_RE.search(text)
    assert "内部测算底稿" not in text and "下年度申报材料" not in text and "自评佐证材料" not in text

    # The figures are the domain tables'.
    with app.app_context():
        evaluation = db.session.get(Evaluation, next(iter(ids["published_results"])))
        goal = db.session.get(GoalVersion, ids["g2025"])
        project = db.session.get(Project, goal.project_id)
        department = db.session.get(Organisation, project.department_id).name
        indicator = goal.indicators[0].name
        figures = (evaluation.score, evaluation.grade, evaluation.budget, goal.budget_amount, project.name)
    score, grade, budget, goal_budget, project_name = figures
    result_page = pages[f"/public/results/{evaluation.id}"]
    assert f'data-figure="score">{score}' in result_page and f"<strong>{grade}</strong>" in result_page
    assert f"{budget:,.2f}" in result_page and "绩效自评报告" in result_page
    goal_page = pages[f"/public/goals/{ids['g2025']}"]
    assert f"{goal_budget:,.2f}" in goal_page and indicator in goal_page and department in goal_page
    assert "绩效目标批复文件.pdf" in goal_page
    assert project_name in pages["/public/2025/goals?format=xlsx"]  # the list's Excel holds its rows

    # Search and the department filter; a hostile query string is refused on the page, never a 500.
    found = anonymous.get(f"/public/2025/goals?q={project_name[2:8]}").get_data(as_text=True)
    assert project_name in found and "共 1 项" in found
    assert "共 0 项" in anonymous.get("/public/2025/goals?q=%25%25_").get_data(as_text=True)
    too_long = anonymous.get("/public/2025/goals?q=" + "长" * 101)
    assert too_long.status_code == 422 and "搜索词过长" in too_long.get_data(as_text=True)
    for query in ("dept=abc", "dept=99999999999", "page=-1", "page=999999", "dept=&page="):
        assert anonymous.get(f"/public/2025/goals?{query}").status_code == 200, query

    # Every unpublished id is a 404 without a cookie: goals, evaluations, files; unreleased years too.
    misses = [f"/public/goals/{i}" for i in ids["goals"] - ids["published_goals"]]
    misses += [f"/public/results/{i}" for i in ids["evaluations"] - ids["published_results"]]
    misses += [f"/public/files/{ids['files'][k]}" for k in ("internal", "next_year", "running")]
    misses += ["/public/2027/", "/public/2026/results", "/public/2027/goals", "/public/goals/99999999999",
               "/public/nowhere", "/public/goals/abc"]
    assert len(misses) > 10
    for path in misses:
        resp = anonymous.get(path)
        assert resp.status_code == 404, path
        _no_cookie(resp, path)
        assert "页面不存在或尚未公开" in resp.get_data(as_text=True), path
    assert anonymous.post("/public/").status_code in (400, 405)  # nothing to post to

    # A signed-in visitor reads the same anonymous page: no name, no cookie refreshed.
    signed_in = perf.client.get(f"/public/goals/{ids['g2025']}")
    assert signed_in.status_code == 200 and "李静" not in signed_in.get_data(as_text=True)
    _no_cookie(signed_in, "signed in")

    # Cached by anyone: an unchanged page answers 304 to its ETag.
    index = anonymous.get("/public/")
    again = anonymous.get("/public/", headers={"If-None-Match": index.headers["ETag"]})
    assert again.status_code == 304

    # Withdrawing 2026's goals takes them off the site.
    perf.get("/publication")
    assert perf.post("/publication/releases", {"year": "2026", "kind": "budget", "action": "withdraw"}).status_code == 303
    with app.app_context():
        g2026 = db.session.scalar(select(GoalVersion.id).where(GoalVersion.fiscal_year == 2026,
                                                               GoalVersion.status == "approved"))
    assert anonymous.get(f"/public/goals/{g2026}").status_code == 404
    assert anonymous.get(f"/public/goals/{ids['g2025']}").status_code == 200
