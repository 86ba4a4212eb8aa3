"""Quality-check warnings of 绩效目标编审 (seed 004 defects) on the task page: next to the fields they concern
for the unit filling the goal table, and beside the goal under review for the department."""

from __future__ import annotations

import pytest

from tests.api.helpers import complete, deploy_folder
from tests.flows_ex_ante.conftest import KEY as EX_ANTE
from tests.flows_ex_ante.conftest import Users
from tests.flows_goal_review.conftest import REVIEW, ROOT, in_library, start_goals, task_of, vague_table
from tests.web.test_task_page import field_html, form_fields


@pytest.fixture
def users(login_as) -> Users:
    return Users(login_as)


@pytest.fixture
def vague_goals(users) -> dict:
    """A goal table with the seed-004 defects, saved once: the flow sent it back with its warnings."""
    for key in (EX_ANTE, REVIEW):
        assert deploy_folder(users["admin"], key, ROOT / key).status_code == 201
    code = in_library(users)
    inst = start_goals(users, code)
    school = users["school1"]
    complete(school, task_of(school, inst["id"], "Task_Fill")["id"], vague_table())
    return {"instance": inst["id"], "task": task_of(school, inst["id"], "Task_Fill")["id"], "code": code}


def test_unit_sees_each_warning_next_to_its_field_then_confirms(browser, users, vague_goals):
    school = browser("school1")
    school.post(f"/tasks/{vague_goals['task']}/claim")
    page = school.get(f"/tasks/{vague_goals['task']}").get_data(as_text=True)
    annual = field_html(page, "f-annual_goal")
    assert 'id="w-f-annual_goal"' in annual and "年度目标表述空泛（“按计划完成”）" in annual
    table = page.split('data-path="indicators"')[1].split("<table")[0]
    assert "缺少效益指标" in table and "缺少服务对象满意度指标" in table and "缺少量化的产出指标" in table
    assert 'value="按计划完成"' not in page and ">按计划完成</textarea>" in page  # the saved table comes back
    assert 'name="indicators.0.name" value="维修教学楼"' in page
    # In English the same stored warnings read in English.
    school.post("/language", {"lang": "en", "next": "/inbox"})
    english = school.get(f"/tasks/{vague_goals['task']}").get_data(as_text=True)
    assert "Annual goals: vague wording (“按计划完成”)" in field_html(english, "f-annual_goal")
    assert "No benefit indicator" in english and "年度目标表述空泛" not in english
    school.post("/language", {"lang": "zh_Hans_CN", "next": "/inbox"})

    # The unit keeps its text and confirms: the department gets it, with the same warnings beside the goal.
    data = form_fields(vague_table())
    data["confirm_warnings"] = "true"
    resp = school.post(f"/tasks/{vague_goals['task']}", data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]

    review = task_of(users["edu_head"], vague_goals["instance"], "Task_DeptReview")
    head = browser("edu_head")
    page = head.get(f"/tasks/{review['id']}").get_data(as_text=True)
    box = page.split('class="quality-warnings"')[1].split("</div>")[0]
    assert "质量检查提示" in box and "年度目标表述空泛" in box and "缺少效益指标" in box
    goal = page.split("绩效目标（第 1 版）")[1].split("</section>")[0]
    annual = goal.split("<dt>年度目标</dt>")[1].split("</div>")[0]
    assert "按计划完成" in annual and "年度目标表述空泛" in annual
    assert "维修教学楼" in goal
    assert 'name="dept_decision" value="send_back"' not in page  # not claimed yet: no decision buttons
    head.post("/language", {"lang": "en", "next": "/inbox"})
    english = head.get(f"/tasks/{review['id']}").get_data(as_text=True)
    goal = english.split('data-block="goal"')[1].split("</section>")[0]
    assert "Annual goals: vague wording (“按计划完成”)" in goal and "缺少效益指标" not in english
