"""Issue 12.7: a review reached again starts empty — round 1's verdict and opinion are not filled in to be
re-sent with one click — and shows the earlier round read-only beside the form; a unit revising its own
application still starts from what it wrote."""

from __future__ import annotations

import re

from tests.api.helpers import deploy_folder
from tests.flows_ex_ante.conftest import FLOW_DIR, KEY, SELF_SCORES, application, apply, do, open_task
from tests.flows_ex_ante.test_ex_ante_flow import JUNE

OPINION = "预算测算依据不足，请补充"


def test_a_repeated_review_starts_empty_with_the_earlier_round_beside_it(browser, login_as, clock):
    class Users:
        def __getitem__(self, name):
            return login_as(name)

    users = Users()
    assert deploy_folder(users["admin"], KEY, FLOW_DIR).status_code == 201
    clock.set(JUNE)
    inst = apply(users, application(amount=1500000, fiscal_funds=1200000))
    do(users["school1"], "Task_SelfAssess", SELF_SCORES)
    do(users["edu_head"], "Task_DeptReview", {"dept_decision": "send_back", "dept_opinion": OPINION})

    unit = browser("school1")
    again = open_task(users["school1"], "Task_Apply")
    page = unit.get(f"/tasks/{again['id']}").get_data(as_text=True)
    assert 'value="1500000' in page and "县第一中学教学楼维修改造" in page  # the unit revises what it wrote

    do(users["school1"], "Task_Apply", application(amount=1400000, fiscal_funds=1100000))
    do(users["school1"], "Task_SelfAssess", SELF_SCORES)
    review = open_task(users["edu_head"], "Task_DeptReview")
    head = browser("edu_head")
    head.post(f"/inbox/tasks/{review['id']}/claim")
    assert review["instance_id"] == inst["id"]
    page = head.get(f"/tasks/{review['id']}").get_data(as_text=True)
    form = page[page.index('id="task-form"'):page.index('name="dept_opinion"') + 600]  # the form, not the record above it
    assert "checked" not in form, form  # no verdict chosen for the reviewer
    assert OPINION not in form
    textarea = re.search(r'<textarea[^>]*name="dept_opinion"[^>]*>([^<]*)</textarea>', page)
    assert textarea and textarea.group(1).strip() == ""
    assert OPINION in page  # round 1 stays readable beside the form (history)
