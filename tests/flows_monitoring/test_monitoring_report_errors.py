"""Issue 12.1: a monitoring report the flow's own check refuses (spending above the budget, text where a
quantitative value belongs) is refused on the form, each message by its field, the input kept and nothing
recorded — not accepted as 已提交 and silently bounced back with a new deadline."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from server.db import db
from server.flows.monitoring.models import MonitoringReport
from server.models import AuditEvent, HumanTask, TaskStatus
from tests.flows_goal_review.conftest import task_of
from tests.flows_monitoring.conftest import BUDGET, JANUARY, REPORT, approved_project, month_end
from tests.flows_monitoring.test_monitoring_actions import BATCH
from tests.flows_monitoring.test_monitoring_page import logged_in
from tests.support.html_form import form_fields


def _error_of(page: str, field: str) -> str | None:
    """The message shown under the control posting `field` (its aria-describedby names the error's id)."""
    control = re.search(rf'<(?:input|select|textarea)[^>]*name="{re.escape(field)}"[^>]*>', page)
    assert control, f"no control named {field}"
    described = re.search(r'aria-describedby="([^"]*)"', control.group(0))
    for ref in (described.group(1).split() if described else []):
        found = re.search(rf'<p class="field-error" id="{re.escape(ref)}">([^<]*)</p>', page)
        if found:
            return found.group(1)
    return None


def test_a_report_the_flow_refuses_comes_back_on_the_form_with_its_errors(app, users, flows, clock):
    clock.set(JANUARY)
    approved_project(users)
    iid = users["perf"].post(BATCH, json={"fiscal_year": 2026}).get_json()["started"][0]["instance_id"]
    month_end(clock, app, 1)
    task_id = task_of(users["school1"], iid, REPORT)["id"]
    school = logged_in(app.test_client(), "school1")
    page = school.get(f"/tasks/{task_id}").get_data(as_text=True)
    posted = dict(form_fields(page, "task-form"))
    rows = users["school1"].get(f"/api/v1/tasks/{task_id}").get_json()["data"]["indicator_reports"]
    value_fields = [f"indicator_reports.{i}.current_value" for i in range(len(rows))]
    for field, row in zip(value_fields, rows, strict=True):  # on track, as a unit would fill it
        posted[field] = "达成" if row["operator"] == "定性" else "1"
    quantitative = next(f for f, row in zip(value_fields, rows, strict=True) if row["operator"] != "定性")
    posted["spent"] = str(BUDGET + 140_000)
    posted[quantitative] = "abc"
    for key in (k for k in posted if k.endswith(".likelihood")):
        posted[key] = "能够完成"
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.instance_id == iid))

    resp = school.post(f"/tasks/{task_id}", data=posted)
    refused = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "已提交" not in refused
    assert _error_of(refused, "spent") == "累计支出不能超过预算 360,000.00 元"  # the figure as amounts are written
    assert _error_of(refused, quantitative) == "定量指标的当前值应为数字"
    assert "无法支付金额" not in refused  # no confusing message about a negative balance
    kept = dict(form_fields(refused, "task-form"))
    assert float(kept["spent"]) == BUDGET + 140_000 and kept[quantitative] == "abc"  # the input is kept

    with app.app_context():  # nothing of the submission was recorded: same task, no report, no audit entry
        task = db.session.get(HumanTask, task_id)
        assert task.status == TaskStatus.OPEN
        assert db.session.scalar(select(func.count()).select_from(MonitoringReport)
                                 .where(MonitoringReport.instance_id == iid)) == 0
        after = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.instance_id == iid))
        assert after == before

    # Fixed, the same task goes through and says so.
    posted["spent"], posted[quantitative] = "30000", "1"
    done = school.post(f"/tasks/{task_id}", data=posted)
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(HumanTask, task_id).status == TaskStatus.COMPLETED
