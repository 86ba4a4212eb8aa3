"""The task page shows each flow's block of the project's context (server/flows/<key>/templates/context.html):
on the finance decision after a red month, the monitoring reports with their colours and the approved goals."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.flows_goal_review.conftest import do, task_of
from tests.flows_monitoring.conftest import DECIDE
from tests.flows_monitoring.test_monitoring_actions import red_march
from tests.web.conftest import Browser


def logged_in(client: FlaskClient, username: str) -> Browser:
    browser = Browser(client)
    assert browser.login(username).status_code == 302
    return browser


def test_the_decision_page_shows_the_reports_and_goals_then_the_decision(app, users, flows, clock):
    code, iid = red_march(app, users, clock)
    fin = users["fin_edu"]
    task_id = task_of(fin, iid, DECIDE)["id"]
    page = logged_in(app.test_client(), "fin_edu").get(f"/tasks/{task_id}").get_data(as_text=True)
    monitoring = page.split("<h2>绩效监控</h2>")[1].split("</section>")[0]
    assert "红色（严重偏离）" in monitoring and "绿色（正常）" in monitoring and "施工队伍未进场" in monitoring
    assert "纠偏决定" not in monitoring  # nothing decided yet
    assert "绩效目标（第 1 版）" in page and "已批复" in page

    do(fin, iid, DECIDE, {"decision": "recover_balance", "decision_amount": 100000, "finance_opinion": "收回结余"})
    done = logged_in(app.test_client(), "fin_edu").get(f"/tasks/{task_id}").get_data(as_text=True)
    decided = done.split("<h3>纠偏决定</h3>")[1].split("</section>")[0]
    assert "收回结余统筹使用" in decided and "收回结余" in decided


def test_each_decision_says_which_month_it_answered_when_and_by_whom(app, users, flows, clock):
    """Issue 12.11: two months decided alike read as two identical lines without month or date."""
    from tests.flows_monitoring.conftest import EXPLAIN, month_end
    from tests.flows_monitoring.test_monitoring_year import file, on_track

    code, iid = red_march(app, users, clock)
    same = {"decision": "accept", "finance_opinion": "认可原因和措施，请加快进度"}
    do(users["fin_edu"], iid, DECIDE, same)
    month_end(clock, app, 4)
    file(users, iid, 4, 30000, on_track(4, "未达成"), likelihood="无法完成", cause="施工队伍未进场")
    do(users["school1"], iid, EXPLAIN, {"cause": "施工队伍仍未进场", "measures": "更换施工单位"})
    april = task_of(users["fin_edu"], iid, DECIDE)["id"]
    do(users["fin_edu"], iid, DECIDE, same)

    page = logged_in(app.test_client(), "fin_edu").get(f"/tasks/{april}").get_data(as_text=True)
    decided = page.split("<h3>纠偏决定</h3>")[1].split("</section>")[0]
    entries = [e.split("</li>")[0] for e in decided.split("<li>")[1:]]
    assert len(entries) == 2 and len(set(entries)) == 2, entries
    assert "2026 年 4 月报告" in entries[0] and "2026 年 3 月报告" in entries[1]  # newest period first
    for entry in entries:
        assert "认可" in entry and "教科文股 王强" in entry and "<time>2026-" in entry
