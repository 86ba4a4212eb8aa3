"""Issue 12.13 for the key evaluation: the third-party firm's experts score on their own; one expert's sheet is
sealed from the other (task page, instance page, API) until both have submitted."""

from __future__ import annotations

from tests.flows_evaluation.conftest import FULL, KEY_SCORE, REVIEW, SELF, self_form
from tests.flows_evaluation.test_evaluation_cancel import browser, open_self_evaluation
from tests.flows_goal_review.conftest import do, task_of

FINDING = "部分设备未按合同验收入账"
SHEET = {"execution": 9, "output": 45, "benefit": 26, "satisfaction": 9, "opinion": "总体较好"}


def test_key_evaluation_experts_score_blind(app, users, flows, clock):
    _code, iid = open_self_evaluation(app, users, clock)
    rows = self_form(users["school1"], iid, FULL, 95)
    do(users["school1"], iid, SELF, {"spent": 300000, "indicator_scores": rows, "explanation": "全部完成"})
    do(users["perf"], iid, REVIEW, {"review_decision": "key", "review_opinion": "资金量大，列入重点评价",
                                     "key_reason": "县级重点民生项目", "draw_seed": "2027-009"})
    second = task_of(users["expert2"], iid, KEY_SCORE)["id"]
    do(users["expert1"], iid, KEY_SCORE, {"key_review": {**SHEET, "findings": FINDING}})

    expert2 = browser(app, "expert2")
    assert FINDING not in expert2.get(f"/tasks/{second}").get_data(as_text=True)
    assert FINDING not in expert2.get(f"/instances/{iid}").get_data(as_text=True)
    assert FINDING not in str(users["expert2"].get(f"/api/v1/process-instances/{iid}").get_json())

    do(users["expert2"], iid, KEY_SCORE, {"key_review": {**SHEET, "findings": "档案资料基本齐全"}})
    assert FINDING in browser(app, "expert2").get(f"/instances/{iid}").get_data(as_text=True)
