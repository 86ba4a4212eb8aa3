"""驾驶舱 /dashboard and 年度工作报告 /reports/annual/<year> on the demo year (SQLite and PostgreSQL): every figure
equals what the year's stories played (tests/web/dashboard_expected.py), in each reader's scope; each linked number
opens a project list of exactly that many projects; the tables export to .xlsx and the report to .docx with the
same figures; hostile query strings are refused by field, experts get 403."""

from __future__ import annotations

import html as html_lib
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from docx import Document

from server.services import dashboard
from server.services.demo_year import catalogue as cat
from tests.web import dashboard_expected as E
from tests.web import demo_year_db

year_db, year_url, app = demo_year_db.year_db, demo_year_db.year_url, demo_year_db.app  # on the demo year

LINKED = re.compile(r'<a(?: class="[^"]*")? href="(/projects\?[^"]+)">(\d+)</a>')
EDU = {"教育", "科技", "文化"}  # fin_edu's sectors


def figures(app, username: str) -> dashboard.Dashboard:
    from sqlalchemy import select

    from server.db import db
    from server.models import User

    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return dashboard.build(user, E.YEAR)


def expected_counts(sectors: set[str] | None):
    applying, goals = cat.APPLYING, cat.GOALS
    pick = lambda group, keys: E.in_sectors(group, keys, sectors)  # noqa: E731
    admitted = pick(applying, E.SUPPORTED + E.ADJUSTED) + pick(goals, goals)
    return applying, goals, pick, admitted


@pytest.mark.parametrize("username,sectors", [("perf", None), ("fin_edu", EDU), ("fin_agri", {"农业", "水利"})])
def test_every_figure_is_what_the_year_played(app, username, sectors):
    d = figures(app, username)
    applying, goals, pick, admitted = expected_counts(sectors)

    # 目标管理 (2027 budget): in the library, with approved goals, and the stages of the rest.
    assert d.coverage.count["in_library"] == len(admitted)
    amounts = {k: Decimal(E.ADJUSTED_TO.get(k, applying[k].amount)) for k in pick(applying, E.SUPPORTED + E.ADJUSTED)}
    amounts |= {k: Decimal(goals[k].amount) for k in pick(goals, goals)}
    assert d.coverage.money["in_library"] == sum(amounts.values())
    approved = pick(goals, E.GOAL_STAGES["approved"])
    assert d.coverage.count["goals"] == len(approved)
    assert d.coverage.money["goals"] == sum(Decimal(goals[k].amount) for k in approved)
    for stage, keys in E.GOAL_STAGES.items():
        assert d.goal_stages.count[stage] == len(pick(goals, keys)), stage
    assert d.goal_stages.count["awaiting"] == len(pick(applying, E.SUPPORTED + E.ADJUSTED))  # goals not started

    # 事前评估 (2027 budget): conclusions, 审减率 = (cut + rejected) ÷ requested.
    concluded = pick(applying, E.SUPPORTED + E.ADJUSTED + E.REJECTED)
    assert d.assessment.count["assessed"] == len(concluded)
    for fact, keys in (("support", E.SUPPORTED), ("adjust", E.ADJUSTED), ("reject", E.REJECTED)):
        assert d.assessment.count[fact] == len(pick(applying, keys)), fact
    assert d.assessment.count["assessing"] == len(pick(applying, E.ASSESSING))
    assert d.assessment.count["exempt"] == len(pick(goals, goals))
    requested = sum(Decimal(applying[k].amount) for k in concluded)
    cut = sum(Decimal(applying[k].amount - E.ADJUSTED_TO[k]) for k in pick(applying, E.ADJUSTED)) + sum(
        Decimal(applying[k].amount) for k in pick(applying, E.REJECTED))
    assert d.assessment.money["assessed"] == requested and d.assessment.money["cut"] == cut
    assert d.cut_rate == (cut / requested if requested else None)

    # 运行监控 (2026): colours by month on both gauges, latest colour by sector, the key-attention ledger.
    m = E.monitoring(sectors)
    for gauge in ("overall", "execution", "goal"):
        for month in range(1, 13):
            assert +d.monitoring_months[gauge][month] == +m.months[gauge][month], (gauge, month)
    assert {s: +c for s, c in d.latest.items()} == m.latest
    assert d.monitored == len(m.projects)
    assert [r.name for r in d.attention] == [cat.MONITORED[k].title(E.YEAR) for k in m.attention]
    assert d.warnings == sum(c["red"] + c["yellow"] for c in m.months["overall"].values())

    # 绩效评价 (2025 projects): self grades by the scoring rule, the key evaluation not yet scored.
    evaluated = pick(cat.EVALUATED, cat.EVALUATED)
    assert d.evaluation.count["self_evaluated"] == len(evaluated)
    for grade in dashboard.GRADES:
        assert d.evaluation.count[f"self:{grade}"] == sum(E.self_grade(k) == grade for k in evaluated), grade
        assert d.evaluation.count[f"key:{grade}"] == 0
    assert d.evaluation.count["key_evaluated"] == len(pick(cat.EVALUATED, E.KEY_SELECTED))

    # 整改 and 结果应用: rectifying under notices whose deadlines are ahead; 良 +5%; 中 payments suspended.
    rectifying = pick(cat.EVALUATED, E.RECTIFYING)
    assert d.evaluation.count["status:rectifying"] == len(rectifying)
    assert d.evaluation.count["rect_overdue"] == 0 and d.overdue_units == []
    increased = pick(cat.EVALUATED, E.INCREASED)
    assert d.application.count["increase"] == len(increased)
    assert d.application.money["increase"] == sum(cat.EVALUATED[k].amount * E.INCREASED[k] for k in increased)
    assert d.application.count["decrease"] == 0
    assert d.application.count["suspended"] == d.application.count["suspended_now"] == len(rectifying)

    # Units late right now: the overdue October report and the unexplained October warning.
    late = {cat.MONITORED[k].unit for k, p in E.monitoring_demo.PROFILES.items()
            if p.stop in ("overdue", "explain") and k in m.projects}
    assert sorted(r.n for r in d.late_units) == [1] * len(late)
    units = {"gongshui1": "县农村供水站", "zhizhong1": "县职业中学"}
    assert {r.name for r in d.late_units} == {units[u] for u in late}


def test_the_office_walks_from_each_number_to_its_list_and_takes_the_files_home(app, browser):
    office = browser("perf")
    page = office.get("/dashboard")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/dashboard" aria-current="page">驾驶舱</a>' in html
    assert "绩效驾驶舱 · 2026年" in html and 'id="chart-months"' in html and "echarts.min.js" in html
    report = office.get("/reports/annual/2026").get_data(as_text=True)
    for title in ("一、总体情况", "二、事前绩效评估", "三、绩效目标管理", "四、绩效运行监控", "五、绩效评价", "六、评价结果应用",
                  "七、存在问题", "八、下一步工作"):
        assert title in report
    numbers = LINKED.findall(html) + LINKED.findall(report)
    assert len(numbers) > 60
    checked = set()
    for url, shown in numbers:  # each linked number is the size of the list it opens
        url = html_lib.unescape(url)
        if url in checked:
            continue
        checked.add(url)
        listing = office.get(url).get_data(as_text=True)
        assert f"<span>共 {shown} 个项目</span>" in listing, (url, shown)
    # the key-attention ledger links to the project itself
    playground = cat.MONITORED["playground"].title(E.YEAR)
    assert re.search(r'<a href="/projects/\d+">' + playground, html)

    # Each table as .xlsx: the same rows.
    book = openpyxl.load_workbook(io.BytesIO(office.client.get("/dashboard?year=2026&format=xlsx&table=evaluation").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("等次", "单位自评", "财政重点评价")
    assert rows[1:5] == [("优", 2, 0), ("良", 1, 0), ("中", 2, 0), ("差", 0, 0)]
    ledger = list(openpyxl.load_workbook(io.BytesIO(office.client.get("/dashboard?format=xlsx&table=attention").data))
                  .active.iter_rows(values_only=True))
    assert [r[1] for r in ledger[1:]] == [playground]

    # The Word document: the sections' words and figures, and the tables.
    docx = office.client.get("/reports/annual/2026.docx")
    assert docx.status_code == 200 and "wordprocessingml" in docx.mimetype
    doc = Document(io.BytesIO(docx.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "县2026年度预算绩效管理工作开展情况" in text
    assert "审减率28.3%" in text  # (22 + 56) ÷ (150 + 70 + 56) 万元
    assert "列入重点关注台账的项目1个" in text and "报送自评的项目5个" in text
    grades = next(t for t in doc.tables if t.rows[0].cells[0].text == "等次")
    assert [[c.text for c in r.cells] for r in grades.rows[1:3]] == [["优", "2", "0"], ["良", "1", "0"]]
    application = next(t for t in doc.tables if t.rows[0].cells[0].text == "应用方式")
    assert [c.text for c in application.rows[1].cells] == ["调增预算", "1", "1.30"]


def test_scope_and_refusals(app, browser):
    mine = E.monitoring({"教育"}).projects  # 县教育局: its units' projects only
    assert figures(app, "edu_head").monitored == len(mine) == 6
    department = browser("edu_head").get("/dashboard").get_data(as_text=True)
    assert re.search(r'id="tile-monitoring">.*?>6</a>', department, re.S)
    assert browser("school1").get("/dashboard").status_code == 403  # units work from their inbox
    assert browser("expert1").get("/dashboard").status_code == 403
    assert browser("expert1").get("/reports/annual/2026").status_code == 403
    office = browser("perf")
    for url, _field in (("/dashboard?year=abc", "year"), ("/dashboard?year=1800", "year"),
                       ("/dashboard?format=xlsx&table=nope", "table"), ("/dashboard?format=pdf", "format")):
        resp = office.get(url)
        assert resp.status_code == 422, url
    assert office.get("/reports/annual/1800").status_code == 404
    for query, field in (("fact=drop%20table", "专项筛选"), ("month=2026-13&colour=red", "报告期"),
                         ("gauge=sideways", "监控口径")):
        resp = office.get(f"/projects?{query}")
        assert resp.status_code == 422 and field in resp.get_data(as_text=True), query


def test_the_summaries_kept_step_by_step_equal_a_recount(app):
    """Every step of the year went through the ORM's flush, which kept dashboard_counts and monitoring_tallies;
    counting the year's rows afresh (migration 0020's backfill) gives the same rows."""
    import importlib.util
    from pathlib import Path

    from sqlalchemy import text

    from server.db import db

    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "20261205_0020_dashboard.py"
    spec = importlib.util.spec_from_file_location("dashboard_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    counts = ("SELECT fiscal_year, organisation_id, sector, topic, bucket, n, a1, a2, a3 FROM dashboard_counts "
              "WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5")
    tallies = "SELECT fiscal_year, organisation_id, sector, month, gauge, colour, reports FROM monitoring_tallies ORDER BY 1, 2, 3, 4, 5, 6"
    with app.app_context():
        kept = db.session.execute(text(counts)).all(), db.session.execute(text(tallies)).all()
        filed = sum(sum(c.values()) for c in E.monitoring().months["overall"].values())
        assert len(kept[0]) > 50 and sum(r.reports for r in kept[1]) == 2 * 3 * filed  # unit + sector rows, 3 gauges
        db.session.execute(text("DELETE FROM dashboard_counts"))
        for statement in migration.backfill_counts_sql():
            db.session.execute(text(statement))
        assert db.session.execute(text(counts)).all() == kept[0]
        db.session.rollback()
