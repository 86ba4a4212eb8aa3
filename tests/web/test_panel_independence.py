"""Issue 12.13: experts on a panel score independently. Until every member has submitted, nobody reads
another member's scores, recommendation or opinion — not on the task page, the instance page or the API;
once the last one is in, everyone sees all of them."""

from __future__ import annotations

from tests.api.helpers import deploy_folder, tasks
from tests.flows_ex_ante.conftest import FLOW_DIR, KEY, SELF_SCORES, application, apply, do
from tests.flows_ex_ante.test_ex_ante_flow import JUNE, review

FIRST = "设备单价偏高，建议核减"
SECOND = "方案可行，预算合理"


def test_experts_score_blind_until_the_panel_is_complete(browser, login_as, clock):
    class Users:
        def __getitem__(self, name):
            return login_as(name)

    users = Users()
    assert deploy_folder(users["admin"], KEY, FLOW_DIR).status_code == 201
    clock.set(JUNE)
    inst = apply(users, application(amount=1500000, fiscal_funds=1200000))  # major: a panel scores it
    do(users["school1"], "Task_SelfAssess", SELF_SCORES)
    do(users["edu_head"], "Task_DeptReview", {"dept_decision": "pass", "dept_opinion": "同意报送"})
    do(users["perf"], "Task_SelectExperts", {"experts": ["expert1", "expert2"]})
    second_task = tasks(users["expert2"])[0]["id"]
    do(users["expert1"], "Task_ExpertScore", review(18, "adjust", FIRST), view="mine")

    expert1, expert2, office = browser("expert1"), browser("expert2"), browser("perf")
    page = expert2.get(f"/tasks/{second_task}").get_data(as_text=True)
    assert FIRST not in page and "建议调整" not in page and "评分和意见在全部成员提交后公开" in page
    for who in (expert2, office):
        page = who.get(f"/instances/{inst['id']}").get_data(as_text=True)
        assert FIRST not in page and "评分和意见在全部成员提交后公开" in page
    resp = users["expert2"].get(f"/api/v1/process-instances/{inst['id']}")
    assert resp.status_code == 200, resp.get_json()
    history = resp.get_json()["history"]
    assert FIRST not in str(history)
    assert [h["data"] for h in history if h["task_title"] == "专家评审打分"] == [None]
    # The author still reads their own submission.
    assert FIRST in expert1.get(f"/instances/{inst['id']}").get_data(as_text=True)

    do(users["expert2"], "Task_ExpertScore", review(16, "support", SECOND), view="mine")
    for who in (expert1, expert2, office):
        page = who.get(f"/instances/{inst['id']}").get_data(as_text=True)
        assert FIRST in page and SECOND in page and "评分和意见在全部成员提交后公开" not in page
    assert FIRST in str(users["expert2"].get(f"/api/v1/process-instances/{inst['id']}").get_json()["history"])
