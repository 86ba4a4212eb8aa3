"""The key monitoring's periods live in the rule table key_monitoring_rules.dmn (a county setting): the deadline
proposed in the rectification request, the longest deadline the office may set, and the resubmit period after a
send-back. An admin deploys an edited table and new monitorings follow it, while the demo year's monitoring keeps
the table it started with (15 days). The deadlines are checked by moving the clock to them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from server.db import db
from server.flows.key_monitoring.models import KeyMonitoring
from server.models import Notification, Project
from server.services.timers import wake_due_instances
from tests.api import helpers
from tests.api.helpers import complete
from tests.flows_goal_review.conftest import do, task_data, task_of
from tests.flows_key_monitoring.test_key_monitoring import (
    KEY,
    TWO,
    monitoring,
    school_projects,
    select_project,
)
from tests.web import demo_year_db
from tests.web.conftest import Browser

year_db, year_url, app = demo_year_db.year_db, demo_year_db.year_url, demo_year_db.app  # on the demo year

FOLDER = Path(__file__).resolve().parents[2] / "workflows" / KEY


def escalated(app, clock, iid: int, at: datetime) -> bool:
    clock.set(at)
    with app.app_context():
        wake_due_instances()
        return bool(db.session.scalar(select(Notification.id).where(
            Notification.instance_id == iid, Notification.kind == "escalation").limit(1)))


@pytest.mark.parametrize("year_db", ["sqlite"], indirect=True)  # a rule table's effect, not the database's: the walks run on both
def test_an_edited_rule_table_changes_the_proposed_longest_and_resubmit_deadlines(app, login_as, clock):
    office, school = login_as("perf"), login_as("school1")
    with app.app_context():  # the demo year's monitoring (version 1): 县供水站 is rectifying
        demo_iid = db.session.scalar(select(KeyMonitoring.instance_id).join(Project)
                                     .where(Project.name == "2026年农村饮水安全巩固提升"))

    version = helpers.deploy_variant(login_as("admin"), KEY, FOLDER, {"key_monitoring_rules.dmn": [
        ('<text>"P30D"</text>', '<text>"P45D"</text>'),  # proposed: 45 days from the findings
        ('<text>"P1Y"</text>', '<text>"P2M"</text>'),  # at most two months from the request
        ('<text>"P15D"</text>', '<text>"P20D"</text>'),  # 20 days after a send-back
    ]})
    assert version["version"] == 2

    iid = select_project(login_as, school_projects(app, 1)[0])  # 2026-11-23 09:30 in the county
    do(office, iid, "Task_Assign", {"monitor": "office", "monitor_reason": "支出进度慢"})
    do(office, iid, "Task_TrackOffice", {"tracking_summary": "查阅合同和支付凭证", "findings": TWO})
    assert task_data(office, iid, "Task_Request")["rectify_due_date"] == "2027-01-07"  # 23 Nov + 45 days
    request_id = task_of(office, iid, "Task_Request")["id"]
    page = Browser(app.test_client())
    page.login("perf")
    page.post(f"/tasks/{request_id}/claim")
    assert 'value="2027-01-07"' in page.get(f"/tasks/{request_id}").get_data(as_text=True)  # the form proposes it
    refused = complete(office, request_id, {"requirements": "按期付款", "rectify_due_date": "2027-01-24"}, expect=422)
    assert "2027年1月23日（含）之前" in refused["fields"]["rectify_due_date"]
    do(office, iid, "Task_Request", {"requirements": "按期付款", "rectify_due_date": "2027-01-07"})
    assert monitoring(app, iid).rectify_due_at == datetime(2027, 1, 7, 16, tzinfo=UTC)

    # A send-back on 23 November: the new monitoring has 20 days, the demo year's still 15.
    do(school, iid, "Task_Rectify", {"measures": "已付款", "results": "进度恢复", "completion": "部分完成"})
    do(office, iid, "Task_Verify", {"verify_decision": "send_back", "verify_opinion": "满意度调查未开展"})
    do(login_as("gongshui1"), demo_iid, "Task_Rectify", {"measures": "已付款", "results": "已测定", "completion": "已完成"})
    do(office, demo_iid, "Task_Verify", {"verify_decision": "send_back", "verify_opinion": "漏损率数据不全"})
    assert monitoring(app, iid).rectify_due_at == datetime(2026, 12, 13, 16, tzinfo=UTC)  # end of 13 December
    assert monitoring(app, demo_iid).rectify_due_at == datetime(2026, 12, 8, 16, tzinfo=UTC)  # end of 8 December
    with app.app_context():
        told = db.session.scalars(select(Notification.text).where(Notification.instance_id == iid,
                                                                  Notification.kind == "returned")).all()
    assert any("于 2026年12月13日 前重新报送" in t for t in told)

    # The escalation timer follows: the demo one on 9 December, the new one only after 13 December.
    assert not escalated(app, clock, demo_iid, datetime(2026, 12, 8, 15, 59, tzinfo=UTC))
    assert escalated(app, clock, demo_iid, datetime(2026, 12, 8, 16, 1, tzinfo=UTC))
    assert not escalated(app, clock, iid, datetime(2026, 12, 13, 15, 59, tzinfo=UTC))
    assert escalated(app, clock, iid, datetime(2026, 12, 13, 16, 1, tzinfo=UTC))
