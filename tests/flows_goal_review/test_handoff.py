"""Every hand-off says where the item went (issue 12.14): after a step the page's notice names the next step and
who has it now — the department, the finance section covering the project's sector, the unit — or that the flow
ended."""

from __future__ import annotations

from tests.flows_goal_review.conftest import do, goal_table, in_library, start_goals, task_of
from tests.flows_monitoring.test_monitoring_page import logged_in


def _submit(app, username: str, task_id: int, form: dict) -> str:
    who = logged_in(app.test_client(), username)
    who.get(f"/tasks/{task_id}")
    assert who.post(f"/tasks/{task_id}/claim").status_code in (302, 303)
    who.get(f"/tasks/{task_id}")
    resp = who.post(f"/tasks/{task_id}", form)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return who.get("/inbox").get_data(as_text=True)


def test_each_review_step_says_who_has_the_goal_table_now(app, users, flows):
    code = in_library(users)
    iid = start_goals(users, code)["id"]
    do(users["school1"], iid, "Task_Fill", goal_table())

    dept_task = task_of(users["edu_head"], iid, "Task_DeptReview", view="claimable")["id"]
    inbox = _submit(app, "edu_head", dept_task, {"dept_decision": "pass", "dept_opinion": "同意报送"})
    assert "已提交，已转 教科文股（财政业务股室）：财政审核绩效目标。" in inbox

    finance_task = task_of(users["fin_edu"], iid, "Task_FinanceReview", view="claimable")["id"]
    inbox = _submit(app, "fin_edu", finance_task, {"grade": "优", "finance_opinion": "目标明确，予以批复"})
    assert "已提交，流程已办结。" in inbox
