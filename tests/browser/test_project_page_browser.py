"""The project page in a real browser, as a finance section user reads one project's story: the
double-monitoring chart is drawn (ECharts from npm, under the strict CSP), two goal versions are compared
by picking them, and the goal table and approval sheets print on A4 (Chromium's PDF)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.support import SCREENSHOTS, login, screenshot
from tests.browser.test_csp_browser import WATCH_CSP, assert_no_violation
from tests.support.project_story import build_story

A4_POINTS = (595, 842)  # 210 × 297 mm


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's MediaBox size in points (Chromium writes one MediaBox per page object)."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


def test_project_story_chart_diff_and_a4_print(live_server, browser_page):
    with live_server.app.app_context():
        ids = build_story()
    page = browser_page
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda err: console.append(f"page error: {err}"))
    page.add_init_script(WATCH_CSP)
    page.console_csp = console
    login(page, "fin_edu")

    page.goto(f"/projects/{ids.project}")
    expect(page.get_by_role("heading", name="县第一中学教学楼维修改造项目")).to_be_visible()
    chart = page.locator("#monitoring-chart")
    expect(chart).to_have_attribute("data-drawn", "true")
    expect(chart.locator("canvas")).to_have_count(1)
    box = chart.bounding_box()
    assert box and box["width"] > 400 and box["height"] > 250
    # The same numbers as a table, for print and without JavaScript.
    expect(page.locator(".months-table tr[data-month='10']")).to_contain_text("41.7%")
    screenshot(page, "project-page")
    chart.screenshot(path=str(SCREENSHOTS / "project-chart.png"))

    # Compare the approved version 2 against version 1 the other way round.
    page.get_by_label("原版本").select_option("2")
    page.get_by_label("对比版本").select_option("1")
    page.get_by_role("button", name="对比").click()
    page.wait_for_url(re.compile(r"a=2&b=1"))
    diff = page.locator("[data-goal-diff]")
    expect(diff).to_contain_text("第 2 版（已批复）→ 第 1 版（已被替代）")
    expect(diff.locator("tr.diff-added")).to_contain_text("完工时间")
    expect(diff.locator("td.side-b.cell-changed")).to_contain_text("1200")
    diff.screenshot(path=str(SCREENSHOTS / "project-goal-diff.png"))
    assert_no_violation(page, "the project page")

    # Printable sheets: A4 pages, a sane count, no navigation.
    page.goto(f"/projects/{ids.project}/print/goals")
    expect(page.get_by_role("heading", name=re.compile("项目绩效目标申报表"))).to_be_visible()
    screenshot(page, "project-print-goals")
    goals_pdf = pdf_pages(page.pdf(format="A4", print_background=True))
    assert goals_pdf and all(abs(w - A4_POINTS[0]) < 2 and abs(h - A4_POINTS[1]) < 2 for w, h in goals_pdf)
    assert 1 <= len(goals_pdf) <= 2, len(goals_pdf)

    page.goto(f"/projects/{ids.project}/print/reviews")
    expect(page.locator("article.sheet")).to_have_count(5)
    reviews_pdf = pdf_pages(page.pdf(format="A4"))
    assert 5 <= len(reviews_pdf) <= 8, len(reviews_pdf)  # each sheet starts a page

    page.goto(f"/projects/{ids.project}/print/application")
    application_pdf = page.pdf(format="A4")
    (SCREENSHOTS / "project-application.pdf").write_bytes(application_pdf)
    assert 1 <= len(pdf_pages(application_pdf)) <= 2
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi: what the PDF lays out
    page.emulate_media(media="print")
    screenshot(page, "project-print-application")
    page.goto(f"/projects/{ids.project}/print/reviews")
    screenshot(page, "project-print-reviews")
    assert_no_violation(page, "the printable sheets")
