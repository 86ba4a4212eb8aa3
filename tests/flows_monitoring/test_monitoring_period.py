"""Issue 12.10: a monitoring task says which month it is for (title, inbox row, page header — the user task's
`titleSuffix` property), its report form hides internal indicator ids, and its inbox row shows the project's
budget in force as the amount. SQLite and PostgreSQL."""

from __future__ import annotations

from tests.api.helpers import tasks
from tests.flows_goal_review.conftest import do, task_of
from tests.flows_monitoring.conftest import DECIDE, REPORT, month_end
from tests.flows_monitoring.test_monitoring_actions import red_march
from tests.web.conftest import Browser


def inbox_row(html: str, title: str) -> str:
    (row,) = [r.split("</tr>")[0] for r in html.split("<tr")[1:] if f">{title}<" in r]
    return row


def page_as(app, username: str) -> Browser:
    page = Browser(app.test_client())
    assert page.login(username).status_code == 302
    return page


def test_monitoring_tasks_name_their_month_and_amount(app, users, flows, clock):
    code, iid = red_march(app, users, clock)  # reports for January–March, March red and explained
    fin = users["fin_edu"]
    decide = task_of(fin, iid, DECIDE)
    assert decide["title"] == "财政纠偏决定（2026年3月）"
    done = {t["title"] for t in tasks(users["school1"], "done") if t["instance_id"] == iid}
    assert {"填报绩效监控报告（2026年1月）", "填报绩效监控报告（2026年3月）", "说明偏离原因和纠偏措施（2026年3月）"} <= done

    inbox = page_as(app, "fin_edu").get("/inbox?view=claimable").get_data(as_text=True)
    assert "360,000.00" in inbox_row(inbox, "财政纠偏决定（2026年3月）")  # the amount column: the budget in force
    header = page_as(app, "fin_edu").get(f"/tasks/{decide['id']}").get_data(as_text=True)
    assert '<h1 class="long-text">财政纠偏决定（2026年3月）</h1>' in header

    do(fin, iid, DECIDE, {"decision": "adjust_budget", "decision_amount": 300_000, "finance_opinion": "调减预算"})
    month_end(clock, app, 4)
    report = task_of(users["school1"], iid, REPORT)
    assert report["title"] == "填报绩效监控报告（2026年4月）"
    inbox = page_as(app, "school1").get("/inbox?view=claimable").get_data(as_text=True)
    assert "300,000.00" in inbox_row(inbox, "填报绩效监控报告（2026年4月）")


def test_the_report_form_hides_internal_indicator_ids(app, users, flows, clock):
    code, iid = red_march(app, users, clock)
    do(users["fin_edu"], iid, DECIDE, {"decision": "accept", "finance_opinion": "原因属实"})
    month_end(clock, app, 4)
    report = task_of(users["school1"], iid, REPORT)
    users["school1"].post(f"/api/v1/tasks/{report['id']}/claim")
    html = page_as(app, "school1").get(f"/tasks/{report['id']}").get_data(as_text=True)
    table = html.split('data-path="indicator_reports"')[1].split("</table>")[0]
    assert "指标编号" not in html  # neither a column nor a required input
    assert table.count('type="hidden" id="f-indicator_reports-0-indicator_id"') == 1
    assert "三级指标" in table and "当前值" in table
