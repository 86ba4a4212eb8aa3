"""Issue 12.2: a finance decision's amount (调整预算 / 收回结余) keeps bounds a county can change (the rule table),
a refusal names decision_amount with the bound and keeps the input, and the task page states the change
(原预算 → 调整后，差额) and the budget in force before anything is submitted. SQLite and PostgreSQL."""

from __future__ import annotations

from tests.api.helpers import deploy_variant
from tests.flows_goal_review.conftest import ROOT, do, steps, task_of
from tests.flows_monitoring.conftest import BUDGET, DECIDE, KEY, corrections
from tests.flows_monitoring.test_monitoring_actions import red_march
from tests.flows_monitoring.test_monitoring_year import in_force
from tests.web.conftest import Browser

OPINION = "部分设备改为明年采购，调减预算。"


def refused(fin, iid: int, data: dict) -> str:
    resp = do(fin, iid, DECIDE, {"finance_opinion": OPINION, **data}, expect=422)
    assert set(resp["fields"]) == {"decision_amount"}, resp
    return resp["fields"]["decision_amount"]


def test_amount_decisions_keep_their_bounds(app, users, flows, clock):
    code, iid = red_march(app, users, clock)  # budget 360,000; 30,000 spent by March
    fin = users["fin_edu"]
    assert "不能超过核定金额 360,000.00 元" in refused(fin, iid, {"decision": "adjust_budget",
                                                             "decision_amount": 9_999_999})
    assert "不能低于已支出 30,000.00 元" in refused(fin, iid, {"decision": "adjust_budget", "decision_amount": 29_999})
    assert "与现行预算 360,000.00 元相同" in refused(fin, iid, {"decision": "adjust_budget", "decision_amount": BUDGET})
    assert "不能超过未支出余额 330,000.00 元" in refused(fin, iid, {"decision": "recover_balance",
                                                               "decision_amount": 330_000.01})
    assert "须大于 0" in refused(fin, iid, {"decision": "recover_balance", "decision_amount": 0})
    for hostile in ("abc", "9e999", None, [1], -1, 1e13):  # refused by the form schema, by name, never a 500
        resp = do(fin, iid, DECIDE, {"finance_opinion": OPINION, "decision": "adjust_budget",
                                     "decision_amount": hostile}, expect=422)
        assert "decision_amount" in resp["fields"], (hostile, resp)
    assert corrections(app, code) == [] and in_force(users, code) == (f"{BUDGET}.00", f"{BUDGET}.00")
    assert steps(fin, iid) == [DECIDE]

    do(fin, iid, DECIDE, {"decision": "adjust_budget", "decision_amount": 300_000, "finance_opinion": OPINION})
    assert corrections(app, code) == [(3, "adjust_budget", "300000.00")]
    assert in_force(users, code) == (f"{BUDGET}.00", "300000.00")


def test_a_county_may_allow_an_increase_in_its_rule_table(app, users, flows, clock):
    deploy_variant(users["admin"], KEY, ROOT / KEY, {"monitoring_rules.dmn": [(
        '<outputEntry id="OutputEntry_budget_increase_limit"><text>0</text>',
        '<outputEntry id="OutputEntry_budget_increase_limit"><text>0.1</text>')]})
    code, iid = red_march(app, users, clock)
    fin = users["fin_edu"]
    assert "不能超过 396,000.00 元" in refused(fin, iid, {"decision": "adjust_budget", "decision_amount": 396_000.01})
    do(fin, iid, DECIDE, {"decision": "adjust_budget", "decision_amount": 396_000, "finance_opinion": "增加预算"})
    assert in_force(users, code) == (f"{BUDGET}.00", "396000.00")


def test_the_decision_page_states_the_change_and_keeps_a_refused_amount(app, users, flows, clock):
    code, iid = red_march(app, users, clock)
    fin = users["fin_edu"]
    task_id = task_of(fin, iid, DECIDE)["id"]
    fin.post(f"/api/v1/tasks/{task_id}/claim")
    page = Browser(app.test_client())
    assert page.login("fin_edu").status_code == 302

    before = page.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'data-figure="budget-in-force"><strong>360,000.00 元' in before  # 现行预算 in the monitoring block
    assert "未支出余额" in before and "330,000.00 元" in before
    assert "预算变动核对" in before and "js/budget-change.js" in before

    posted = {"decision": "adjust_budget", "decision_amount": "9999999", "finance_opinion": OPINION}
    asked = page.post(f"/tasks/{task_id}", posted)  # without JavaScript: first the change, to confirm
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert "请核对预算变动" in html and "差额 +9,639,999.00 元" in html
    assert 'name="confirmed_change" value="adjust_budget:9999999.00"' in html and 'value="9999999' in html
    assert corrections(app, code) == []

    changed = page.post(f"/tasks/{task_id}", {**posted, "decision_amount": "9999998",
                                              "confirmed_change": "adjust_budget:9999999.00"})
    assert changed.status_code == 200 and "adjust_budget:9999998.00" in changed.get_data(as_text=True)

    resp = page.post(f"/tasks/{task_id}", {**posted, "confirmed_change": "adjust_budget:9999999.00"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'value="9999999' in html and OPINION in html  # the input is kept
    assert "不能超过核定金额 360,000.00 元" in html.split('id="e-f-decision_amount"')[1].split("</p>")[0]
    change = html.split("data-change-lines")[1].split("</ul>")[0]  # the same figures without JavaScript
    assert "原预算 360,000.00 元" in change and "调整后 9,999,999.00 元" in change
    assert "差额 +9,639,999.00 元" in change and "收回结余" not in change
    assert corrections(app, code) == []

    fixed = {**posted, "decision_amount": "300000"}
    assert page.post(f"/tasks/{task_id}", fixed).status_code == 200  # asked again for the new amount
    done = page.post(f"/tasks/{task_id}", {**fixed, "confirmed_change": "adjust_budget:300000.00"})
    assert done.status_code == 302
    assert corrections(app, code) == [(3, "adjust_budget", "300000.00")]
