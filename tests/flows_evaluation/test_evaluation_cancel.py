"""Issue 9, finding 9: a unit could cancel its own evaluation during the key evaluation and start it again to
escape the third-party review. Cancelling is now the flow's role-and-stage rule (workflows/evaluation declares
cancelRoles and starterMayWithdraw): the unit may withdraw only while filling its self-evaluation; afterwards only
the performance office (or an administrator) may cancel, with a reason kept in the audit."""

from __future__ import annotations

from tests.api.helpers import _package, start, upload
from tests.flows_evaluation.conftest import FULL, KEY, KEY_SCORE, REVIEW, SELF, county, self_form, wake_at
from tests.flows_goal_review.conftest import ROOT, do, status_of, steps
from tests.flows_monitoring.conftest import JANUARY, approved_project
from tests.web.conftest import Browser


def browser(app, username: str) -> Browser:
    b = Browser(app.test_client())
    assert b.login(username).status_code == 302
    return b


def cancel_url(iid: int) -> str:
    return f"/api/v1/process-instances/{iid}/cancel"


def open_self_evaluation(app, users, clock) -> tuple[str, int]:
    clock.set(JANUARY)
    code = approved_project(users)
    iid = start(users["school1"], KEY, {"project_code": code})["id"]
    wake_at(clock, app, county(2027, 1, 16, 9))
    assert steps(users["school1"], iid) == [SELF]
    return code, iid


def test_the_unit_cannot_cancel_once_the_key_evaluation_has_begun(app, users, flows, clock):
    _code, iid = open_self_evaluation(app, users, clock)
    rows = self_form(users["school1"], iid, FULL, 95)
    do(users["school1"], iid, SELF, {"spent": 300000, "indicator_scores": rows, "explanation": "全部完成"})
    do(users["perf"], iid, REVIEW, {"review_decision": "key", "review_opinion": "资金量大，列入重点评价",
                                     "key_reason": "县级重点民生项目", "draw_seed": "2027-009"})
    experts = steps(users["expert1"], iid) + steps(users["expert2"], iid)
    assert experts == [KEY_SCORE, KEY_SCORE]

    # No reason: refused before anything else, naming the field.
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": None}, {"reason": 5}, {"reason": "理" * 501}):
        resp = users["school1"].post(cancel_url(iid), json=body)
        assert resp.status_code == 422 and "reason" in resp.get_json()["fields"], (body, resp.get_json())

    # The unit that started it may not cancel during the third-party review; the answer says who may.
    resp = users["school1"].post(cancel_url(iid), json={"reason": "项目已完工，不需要评价"})
    assert resp.status_code == 403
    message = resp.get_json()["message"]
    assert "绩效管理股" in message and "系统管理员" in message and "填报绩效自评表" in message
    assert status_of(users, iid) == "running"
    assert steps(users["expert1"], iid) == [KEY_SCORE]  # the review goes on
    history = users["perf"].get(f"/api/v1/process-instances/{iid}").get_json()["history"]
    assert "cancel" not in [h["action"] for h in history]
    # The instance page shows the unit the same rule, without a cancel form.
    page = browser(app, "school1").get(f"/instances/{iid}").get_data(as_text=True)
    assert "您无权在此步骤撤销此流程" in page and "填报绩效自评表" in page and 'name="reason"' not in page

    # The performance office may, with its reason recorded next to its name.
    resp = users["perf"].post(cancel_url(iid), json={"reason": "项目合并至县级统筹项目，另行评价"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "cancelled" and body["open_tasks"] == []
    last = body["history"][-1]
    assert last["action"] == "cancel" and last["actor"] == "perf"
    assert last["data"]["reason"] == "项目合并至县级统筹项目，另行评价"
    assert last["data"]["open_steps"] == [KEY_SCORE, KEY_SCORE]
    assert steps(users["expert1"], iid) == []


def test_the_unit_may_withdraw_while_filling_its_self_evaluation_only(app, users, flows, clock):
    _code, iid = open_self_evaluation(app, users, clock)
    assert users["edu_head"].post(cancel_url(iid), json={"reason": "x"}).status_code in (403, 404)
    # On the instance page: a reason field and the rule; no reason or no CSRF token cancels nothing.
    school = browser(app, "school1")
    page = school.get(f"/instances/{iid}").get_data(as_text=True)
    assert 'name="reason"' in page and "绩效管理股" in page
    assert school.post(f"/instances/{iid}/cancel", {"reason": "x"}, csrf=False).status_code == 400
    resp = school.post(f"/instances/{iid}/cancel", {"reason": "  "}, follow_redirects=True)
    assert "请填写撤销理由" in resp.get_data(as_text=True)
    assert status_of(users, iid) == "running"
    resp = users["school1"].post(cancel_url(iid), json={"reason": "项目编码选错，重新发起"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["history"][-1]["data"]["reason"] == "项目编码选错，重新发起"
    assert resp.get_json()["history"][-1]["data"]["as"] == "starter"


def test_a_send_back_does_not_reopen_the_withdrawal(app, users, flows, clock):
    """Once the office has reviewed, a send-back to the self-evaluation does not let the unit withdraw."""
    _code, iid = open_self_evaluation(app, users, clock)
    rows = self_form(users["school1"], iid, FULL, 95)
    do(users["school1"], iid, SELF, {"spent": 300000, "indicator_scores": rows, "explanation": "全部完成"})
    do(users["perf"], iid, REVIEW, {"review_decision": "send_back", "review_opinion": "请据实填报"})
    assert steps(users["school1"], iid) == [SELF]
    assert users["school1"].post(cancel_url(iid), json={"reason": "不评了"}).status_code == 403
    assert status_of(users, iid) == "running"


def variant(replace: tuple[str, str]) -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in _package(ROOT / KEY)}
    old, new = replace
    assert old.encode() in files["evaluation.bpmn"]
    files["evaluation.bpmn"] = files["evaluation.bpmn"].replace(old.encode(), new.encode())
    return files


def test_a_cancel_rule_naming_an_unknown_role_or_step_is_refused_at_deploy(users):
    admin = users["admin"]
    resp = upload(admin, KEY, variant(('name="cancelRoles" value="admin,performance_office"',
                                       'name="cancelRoles" value="admin,boss"')))
    assert resp.status_code == 422 and "boss" in resp.get_json()["message"], resp.get_json()
    resp = upload(admin, KEY, variant(('name="starterMayWithdraw" value="Task_Self"',
                                       'name="starterMayWithdraw" value="Task_Nowhere"')))
    assert resp.status_code == 422 and "Task_Nowhere" in resp.get_json()["message"], resp.get_json()
    # On a task instead of the process: refused too, rather than silently ignored.
    resp = upload(admin, KEY, variant(('<spiffworkflow:property name="dueIn" value="P15D" />',
                                       '<spiffworkflow:property name="dueIn" value="P15D" />'
                                       '<spiffworkflow:property name="cancelRoles" value="admin" />')))
    assert resp.status_code == 422 and "cancelRoles" in resp.get_json()["message"], resp.get_json()
    assert upload(admin, KEY, variant(("Task_Self", "Task_Self"))).status_code == 201
