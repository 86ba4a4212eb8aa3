"""Issue 12: the finance section reviewing a goal adjustment sees the new table against the approved one, each
added, removed and changed cell marked (in words as well as colour), with a link to the side-by-side view."""

from __future__ import annotations

import re

from tests.flows_goal_review.conftest import (
    ADJUST,
    do,
    goal_table,
    in_library,
    project,
    start_goals,
    task_data,
    task_of,
)
from tests.flows_goal_review.test_goal_adjust import FILL, REVIEW_TASK, approved
from tests.web.conftest import Browser


def test_the_adjustment_review_shows_the_changes_against_the_approved_table(app, users, flows):
    code = in_library(users)
    approved(users, code)
    iid = start_goals(users, code, key=ADJUST)["id"]
    rows = task_data(users["school1"], iid, FILL)["indicators"]
    rows[0]["value"] = "4800"
    gone = rows.pop(4)  # 校舍安全使用年限: every kind of output and a benefit remain
    rows.append({**rows[-1], "name": "实验室改造间数", "level1": "产出", "level2": "数量", "operator": "≥",
                 "value": "3", "unit": "间", "weight": gone["weight"]})
    removed = gone["name"]
    annual = goal_table()["annual_goal"].replace("4200平方米", "4800平方米")  # restated, or the check sends it back
    do(users["school1"], iid, FILL, goal_table(indicators=rows, annual_goal=annual, adjust_reasons="追加实验室改造内容。"))

    reviewer = Browser(app.test_client())
    assert reviewer.login("fin_edu").status_code == 302
    page = reviewer.get(f"/tasks/{task_of(users['fin_edu'], iid, REVIEW_TASK)['id']}").get_data(as_text=True)
    block = re.search(r'<div class="goal-diff".*?</ul>', page, re.S).group(0)
    assert "第 1 版（已批复）→ 第 2 版（已提交审核）" in block
    assert "＋ 新增 1 项" in block and "－ 删除 1 项" in block and "✱ 修改 1 项" in block
    assert re.search(r"✱ 修改.*?指标值：<del>4200</del> → <ins>4800</ins>", block, re.S)
    assert f"<strong>{removed}</strong>" in block and "<strong>实验室改造间数</strong>" in block
    project_id = project(app, code).id
    assert f'href="/projects/{project_id}?a=1&amp;b=2#goal-diff"' in page
    assert f'href="/projects/{project_id}">查看项目全过程' in page
