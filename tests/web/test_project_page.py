"""The project page (/projects/<id>) and its printable sheets, for a project that went through the whole chain
(tests/support/project_story.py), on SQLite and PostgreSQL: what each section shows, who may see it, and
query strings that try to break the diff and print routes."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.project_story import StoryIds, build_story


@pytest.fixture
def story(app) -> StoryIds:
    with app.app_context():
        return build_story()


def text(resp) -> str:
    return resp.get_data(as_text=True)


def section(page: str, anchor: str) -> str:
    """The HTML of the <section id=anchor> (sections do not nest)."""
    found = re.search(rf'<section[^>]*id="{anchor}".*?</section>', page, re.S)
    assert found, f"no section {anchor}"
    return found.group(0)


def test_the_page_tells_the_whole_story(browser, story):
    resp = browser("school1").get(f"/projects/{story.project}")
    assert resp.status_code == 200
    page = text(resp)
    assert "县第一中学教学楼维修改造项目" in page and "县教育局" in page

    application = section(page, "application")
    assert "屋面渗漏" in application and "屋面防水" in application and "600,000.00" in application
    assessment = section(page, "assessment")
    assert "调整后支持" in assessment and "200,000.00 元" in assessment and "20.0%" in assessment  # 审减, 审减率
    assert "84.5" in assessment and "92" in assessment  # office and self scores, per dimension table
    assert "立项必要性" in assessment and "调整后支持，核减20万元。" in assessment

    goals = section(page, "goals")
    assert "已批复的绩效目标（第 2 版）" in goals and "（现行）" in goals
    assert "改造校舍面积" in goals and "门窗改造并入下年度。" in goals
    # The default comparison: the adjusted version against the one it replaced, each change in words too.
    assert "第 1 版（已被替代）→ 第 2 版（已批复）" in goals
    assert "＋ 新增 1 项" in goals and "－ 删除 1 项" in goals and "✱ 修改 1 项" in goals
    assert re.search(r'class="side-b cell-changed">.*?已修改：.*?800', goals, re.S)

    monitoring = section(page, "monitoring")
    assert monitoring.count('data-month=') == 4
    assert "红色（严重偏离）" in monitoring and "雨季停工。" in monitoring
    assert "目标进度严重滞后（测试）" in monitoring  # key-attention ledger
    assert "调减预算至70万元。" in monitoring and "700,000.00 元" in monitoring
    # October: spent 600,000 of 800,000 = 75.0 %; time 83.3 %; ratio 90.0 %; goal 0.5 × 10/12 = 41.7 %
    october = re.search(r'data-month="10">(.*?)</tr>', monitoring, re.S).group(1)
    assert all(f in october for f in ("75.0%", "83.3%", "90.0%", "41.7%"))
    chart = json.loads(re.search(r'<script type="application/json" id="monitoring-data">(.*?)</script>', page, re.S).group(1))
    assert [p["label"] for p in chart["points"]] == ["2026-03", "2026-06", "2026-09", "2026-10"]
    assert chart["points"][-1] == {"label": "2026-10", "spent": 75.0, "time": 83.3, "goal": 41.7, "ratio": 90.0,
                                   "colour": "red"}

    evaluation = section(page, "evaluation")
    assert 'data-figure="score">75.50' in evaluation and "<strong>中</strong>" in evaluation
    assert "第 1 次整改报告" in evaluation and "退回补充整改" in evaluation and "核查通过" in evaluation
    assert "第三方评价机构" in evaluation
    budget = section(page, "budget")
    assert 'data-figure="budget-in-force"><strong>700,000.00 元' in budget
    assert "-100,000.00" in budget and "绩效运行监控" in budget  # monitoring's cut, traced to its flow
    assert "-80,000.00" in budget and "评价结果为中（测试）" in budget and "整改期间暂缓拨付" in budget
    assert "可行性研究报告" in section(page, "attachments")

    instances = section(page, "instances")
    for key, instance_id in story.instances.items():
        assert f'href="/instances/{instance_id}"' in instances, key
    timeline = section(page, "timeline")
    assert timeline.index("项目申报") < timeline.index("事前绩效评估") < timeline.index("运行监控") < timeline.index("第 2 次整改报告")


@pytest.mark.parametrize(("username", "status"), [
    ("school1", 200), ("edu_head", 200), ("fin_edu", 200), ("perf", 200), ("admin", 200),
    ("water1", 404), ("water_head", 404), ("fin_agri", 404), ("expert1", 404),
])
def test_scope(browser, story, username, status):
    b = browser(username)
    for path in ("", "/print/application", "/print/goals", "/print/reviews"):
        resp = b.get(f"/projects/{story.project}{path}")
        assert resp.status_code == status, (username, path)
        if status == 404:
            assert "县第一中学教学楼维修改造项目" not in text(resp)


def test_missing_project_and_anonymous(browser, story):
    perf = browser("perf")
    for path in ("/projects/999999", "/projects/99999999999999999999999", "/projects/0/print/goals?version=1",
                 "/projects/-1", "/projects/1x"):
        assert perf.get(path).status_code == 404, path
    assert browser("school1").get(f"/projects/{story.other_project}").status_code == 404
    assert browser(None).get(f"/projects/{story.project}").status_code in (302, 401)


@pytest.mark.parametrize("query", [
    "a=1&b=2", "a=2&b=1", "a=9&b=1", "a=-1&b=abc", "a=1e3", "a=%00&b=%ff", "a=" + "9" * 400, "a=1&a=2&b=",
    "a=２", "a=1%20OR%201=1", "a=2&b=2",
])
def test_diff_query_strings_never_break_the_page(browser, story, query):
    resp = browser("fin_edu").get(f"/projects/{story.project}?{query}")
    if "%00" in query:  # the app's request hygiene refuses NUL and broken UTF-8 before any view
        assert resp.status_code == 400
        return
    assert resp.status_code == 200
    page = text(resp)
    assert 'class="goal-diff"' in page
    if query == "a=2&b=1":
        assert "第 2 版（已批复）→ 第 1 版（已被替代）" in page
    if query.startswith("a=9"):
        assert "所选版本不存在" in page


def test_print_sheets(browser, story):
    b = browser("perf")
    application = text(b.get(f"/projects/{story.project}/print/application"))
    assert "2026 年度项目入库申报书" in application and "门窗更换" in application and "1,000,000.00" in application
    assert 'class="topbar"' not in application and "print.css" in application

    goals = text(b.get(f"/projects/{story.project}/print/goals"))
    assert "项目绩效目标申报表" in goals and "第 2 版" in goals and "完工月份" in goals and "批准；同意调整" in goals
    v1 = text(b.get(f"/projects/{story.project}/print/goals?version=1"))
    assert "完工时间" in v1 and "修改意见：完工时间请写明月份" in v1 and "2025-10-21" in v1  # opinion dated

    reviews = text(b.get(f"/projects/{story.project}/print/reviews"))
    for title in ("事前绩效评估审核意见表", "绩效目标审核意见表", "绩效运行监控纠偏意见表", "绩效评价结果及整改核查意见表"):
        assert title in reviews
    assert reviews.count('<article class="sheet">') == 5  # assessment, goals v1 and v2, monitoring, evaluation
    assert "经办人：" in reviews and "核查通过；整改到位，销号" in reviews


@pytest.mark.parametrize("version", ["0", "3", "-1", "abc", "", "1.0", "9" * 50, "%00"])
def test_print_goals_with_a_bad_version_is_not_found(browser, story, version):
    resp = browser("perf").get(f"/projects/{story.project}/print/goals?version={version}")
    assert resp.status_code == (400 if version == "%00" else 404)  # NUL: refused by the request hygiene


def test_a_handful_of_queries_however_long_the_story(app, browser, story):
    """No query per row: the page reads the same number of statements with 4 monitoring reports or 12."""
    from sqlalchemy import event, select

    from server.db import db
    from server.flows.monitoring.models import MonitoringReport

    b = browser("fin_edu")
    seen: list[str] = []

    def count() -> int:
        seen.clear()
        assert b.get(f"/projects/{story.project}").status_code == 200
        return len(seen)

    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731 (statement text)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        few = count()
        with app.app_context():
            first = db.session.scalar(select(MonitoringReport).where(MonitoringReport.project_id == story.project).limit(1))
            for month in (1, 2, 4, 5, 7, 8, 11, 12):
                db.session.add(MonitoringReport(project_id=story.project, goal_id=first.goal_id, fiscal_year=first.fiscal_year,
                                                month=month, budget=first.budget, spent=first.spent,
                                                execution_ratio=first.execution_ratio, execution_colour="green",
                                                goal_colour="green", colour="green"))
            db.session.commit()
        many = count()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert many == few and few <= 30, (few, many)



def test_the_page_and_sheets_in_english(browser, story):
    b = browser("perf")
    b.post("/language", {"lang": "en", "next": "/inbox"})
    page = text(b.get(f"/projects/{story.project}"))
    assert "Performance monitoring (double monitoring)" in page and "Budget in force" in page
    assert "Version 1 (" in page and "1 added" in page
    assert "Performance goal review sheet" in text(b.get(f"/projects/{story.project}/print/reviews"))
