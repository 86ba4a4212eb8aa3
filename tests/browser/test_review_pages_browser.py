"""Issue 12.3 and 12.9 in a browser at 1440×900 on the demo county's year: what a reviewer judges stands in the
main column above the form with its computed results (goal table with the quality-check outcome, the
self-evaluation's score and grade, the monitoring colours), and tables a user must read or fill fit the main
column: no horizontal scrolling, no figure broken across lines ("20.\\n00", "产\\n出"), 三级指标 readable and
删除 in view on the unit's entry table."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from server.db import db
from server.models import HumanTask, TaskStatus
from tests.browser.support import login, screenshot
from tests.browser.test_warnings_browser import live_server  # noqa: F401  (the demo year, served)
from tests.web import demo_year_db

year_db, year_url = demo_year_db.year_db, demo_year_db.year_url

WIDTH, HEIGHT = 1440, 900

# Per table: does it overflow its box or the page, and how many lines each marked cell's text takes.
MEASURE = """(selector) => {
  const table = document.querySelector(selector);
  const box = table.closest('.table-scroll') || table.parentElement;
  const lines = (el) => { const r = document.createRange(); r.selectNodeContents(el);
    return new Set(Array.from(r.getClientRects()).filter(x => x.width > 0).map(x => Math.round(x.top))).size; };
  const cells = (css) => Array.from(table.querySelectorAll(css)).map(lines);
  return {box: [box.scrollWidth, box.clientWidth], page: [document.documentElement.scrollWidth, window.innerWidth],
          tableRight: table.getBoundingClientRect().right, mainRight: document.querySelector('.task-main').getBoundingClientRect().right,
          weights: cells('tbody td.num'), levels: cells('tbody td.short'), figures: cells('tbody .figure')};
}"""


def open_task(app, form: str) -> int:
    with app.app_context():
        return db.session.scalars(select(HumanTask.id).where(HumanTask.status == TaskStatus.OPEN,
                                                             HumanTask.form_schema == form).order_by(HumanTask.id)).first()


def fits(page, selector: str) -> dict:
    found = page.evaluate(MEASURE, selector)
    assert found["box"][0] <= found["box"][1], found  # no horizontal scroll inside the table's box
    assert found["page"][0] <= found["page"][1], found  # nor on the page
    assert found["tableRight"] <= found["mainRight"] + 1, found  # the table lies within the main column
    return found


@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)
def test_reviewers_judge_in_the_main_column_and_tables_fit_a_1440_screen(live_server, new_page):  # noqa: F811
    app = live_server.app

    # The finance section reviews a goal adjustment: the goal table is in the main column, every figure on one line.
    page = new_page(width=WIDTH, height=HEIGHT)
    login(page, "fin_edu")
    page.goto(f"/tasks/{open_task(app, 'adjust_review.json')}")
    main = page.locator(".task-main")
    goal = main.locator('[data-block="goal"]')
    expect(goal).to_be_visible()
    expect(goal.locator("[data-quality-outcome]")).to_have_text("质量检查：未发现问题")
    expect(page.locator('.task-context [data-block="goal"]')).to_have_count(0)
    found = fits(page, '.task-main [data-goal-table]')
    assert found["weights"] and set(found["weights"]) == {1}, found  # "20", never "20.\n00"
    assert found["levels"] and set(found["levels"]) == {1}, found  # "产出", never "产\n出"
    assert set(found["figures"]) == {1}, found
    expect(goal.locator("tbody tr").first.locator("td.num")).to_have_text("30")
    assert goal.bounding_box()["y"] < main.locator("#task-form").bounding_box()["y"]  # judged above the form
    screenshot(page, "review-goal-adjust-1440")

    # The office reviews a self-evaluation: its score, grade and execution rate before it decides.
    page = new_page(width=WIDTH, height=HEIGHT)
    login(page, "perf")
    page.goto(f"/tasks/{open_task(app, 'review.json')}")
    board = page.locator('.task-main [data-block="evaluation"] .scoreboard')
    expect(board).to_contain_text("自评得分")
    expect(board).to_contain_text("自评等次")
    expect(board).to_contain_text("预算执行率")
    found = fits(page, '.task-main [data-score-table]')
    assert set(found["weights"]) == {1}, found
    screenshot(page, "review-self-evaluation-1440")

    # The office verifies a rectification (the report and the result it answers) and assesses an application
    # (its level and the five-dimension scores so far).
    for form, block, shown in (("verify.json", "evaluation", "完成情况"), ("office_assess.json", "assessment", "评估级别")):
        page.goto(f"/tasks/{open_task(app, form)}")
        expect(page.locator(f'.task-main [data-block="{block}"]')).to_contain_text(shown)
        fits(page, f'.task-main [data-block="{block}"] [data-score-table]')
        screenshot(page, f"review-{form.removesuffix('.json')}-1440")

    # The finance section decides on a monitoring report: the colours it judges, per indicator.
    page = new_page(width=WIDTH, height=HEIGHT)
    login(page, "fin_edu")
    page.goto(f"/tasks/{open_task(app, 'decide.json')}")
    block = page.locator('.task-main [data-block="monitoring"]')
    expect(block.locator(".scoreboard")).to_contain_text("综合预警")
    expect(block.locator("[data-score-table] .colour").first).to_be_visible()
    fits(page, '.task-main [data-score-table]')
    screenshot(page, "review-monitoring-decide-1440")

    # The unit fills its goal table: the entry table fits, 三级指标 shows whole, 删除 is in view.
    page = new_page(width=WIDTH, height=HEIGHT)
    login(page, "school1")
    task_id = open_task(app, "goal_table.json")
    page.goto(f"/tasks/{task_id}")
    claim = page.get_by_role("button", name="认领", exact=True)
    if claim.count():
        claim.click()
    table = page.locator('[data-path="indicators"] table.row-table')
    expect(table).to_be_visible()
    fits(page, '[data-path="indicators"] table.row-table')
    screenshot(page, "unit-goal-table-entry-1440")
    names = page.locator('[data-path="indicators"] input[name$=".name"]')
    assert names.count() >= 1
    for i in range(names.count()):
        width = names.nth(i).evaluate("el => [el.scrollWidth, el.clientWidth, el.value]")
        assert width[0] <= width[1], width  # the name is not cut off
    remove = page.locator('[data-path="indicators"] [data-remove-row]').first
    box = remove.bounding_box()
    assert box and box["x"] + box["width"] <= WIDTH, box  # 删除 without scrolling sideways
