"""运行监控·重点绩效监控 (issue 16.6; seeds 000, 003) on the demo county's year, SQLite and PostgreSQL, as its users
do it over HTTP: the performance office selects a 县第一中学 project by batch start and entrusts the third-party
firm; the firm's expert records two findings; the office sends the unit a rectification request with a deadline;
the unit reports, the office sends it back once and then verifies it. The findings and rounds show on the project
page. A second project whose rectification is not reported escalates to the office when the clock passes the
deadline. Hostile input: a bad severity, a blank finding, a deadline in the past, another user's task, no CSRF."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from server.db import db
from server.flows.key_monitoring.models import KeyMonitoring, KeyMonitoringStatus
from server.flows.shared.eligibility import with_approved_goals
from server.models import AuditEvent, Notification, Organisation, Project
from server.services.timers import wake_due_instances
from tests.api.helpers import complete
from tests.flows_goal_review.conftest import do, task_of
from tests.web import demo_year_db
from tests.web.conftest import Browser

year_db, year_url, app = demo_year_db.year_db, demo_year_db.year_url, demo_year_db.app  # on the demo year

KEY = "key_monitoring"
TWO = [{"issue": "食堂改造合同未按约定节点付款，支出进度滞后", "evidence": "合同及支付凭证（第3期未付）", "severity": "较重"},
       {"issue": "满意度调查未开展", "evidence": "无调查问卷及统计表", "severity": "一般"}]


def school_projects(app, n: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            with_approved_goals(2026).join(Organisation, Organisation.id == Project.organisation_id)
            .where(Organisation.code == "jyj_yz").order_by(Project.code).limit(n).with_only_columns(Project.code)))


def select_project(login_as, code: str) -> int:
    resp = login_as("perf").post(f"/api/v1/process-models/{KEY}/batch-start",
                                 json={"fiscal_year": 2026, "project_codes": [code]})
    assert resp.status_code == 201, resp.get_json()
    started = resp.get_json()["started"]
    assert [s["project_code"] for s in started] == [code]
    return started[0]["instance_id"]


def monitoring(app, iid: int) -> KeyMonitoring:
    with app.app_context():
        row = db.session.scalar(select(KeyMonitoring).where(KeyMonitoring.instance_id == iid))
        _ = row.findings, row.rectifications, row.firm
        db.session.expunge_all()
        return row


def page_submit(app, username: str, task_id: int, form: dict) -> str:
    """Submit a task's form on its page (claiming it first when it sits in a pool); the inbox notice after it."""
    who = Browser(app.test_client())
    assert who.login(username).status_code == 302
    who.get(f"/tasks/{task_id}")
    who.post(f"/tasks/{task_id}/claim")
    who.get(f"/tasks/{task_id}")
    resp = who.post(f"/tasks/{task_id}", form)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return who.get("/inbox").get_data(as_text=True)


def test_office_entrusts_a_firm_expert_finds_two_issues_unit_rectifies_after_one_send_back(app, login_as):
    code = school_projects(app, 1)[0]
    iid = select_project(login_as, code)
    assign = task_of(login_as("perf"), iid, "Task_Assign")["id"]
    inbox = page_submit(app, "perf", assign, {"monitor": "dsf",
                                              "monitor_reason": "金额大、上半年支出进度慢"})
    assert "已提交，已转 评价专家 吴刚：第三方跟踪监控并记录发现。" in inbox  # where it went

    expert = login_as("expert1")
    assert task_of(expert, iid, "Task_TrackFirm", view="mine")
    # Another firm expert, the unit and a finance section cannot record the findings.
    track_id = task_of(expert, iid, "Task_TrackFirm", view="mine")["id"]
    for other in ("expert2", "school1", "fin_edu"):
        resp = login_as(other).post(f"/api/v1/tasks/{track_id}/complete",
                                    json={"data": {"tracking_summary": "x" * 5, "findings": TWO}})
        assert resp.status_code in (403, 404), (other, resp.status_code)
    do(expert, iid, "Task_TrackFirm", {"tracking_summary": "查阅合同、支付凭证并现场核查", "findings": TWO})

    office = login_as("perf")
    do(office, iid, "Task_Request", {"requirements": "按合同节点付款，开展满意度调查", "rectify_due_date": "2026-12-10"})
    row = monitoring(app, iid)
    assert row.status == KeyMonitoringStatus.RECTIFYING and row.monitor == "third_party" and row.firm.code == "dsf"
    assert [(f.position, f.severity) for f in row.findings] == [(1, "较重"), (2, "一般")]
    assert row.rectify_due_at == datetime(2026, 12, 10, 16, tzinfo=UTC)  # end of 10 December in the county

    school = login_as("school1")
    do(school, iid, "Task_Rectify", {"measures": "已支付第3期", "results": "支出进度恢复", "completion": "部分完成"})
    do(office, iid, "Task_Verify", {"verify_decision": "send_back", "verify_opinion": "满意度调查尚未开展"})
    do(school, iid, "Task_Rectify", {"measures": "开展满意度调查", "results": "满意度 92%", "completion": "已完成"})
    do(office, iid, "Task_Verify", {"verify_decision": "verified", "verify_opinion": "整改到位"})
    assert login_as("perf").get(f"/api/v1/process-instances/{iid}").get_json()["status"] == "completed"

    row = monitoring(app, iid)
    assert row.status == KeyMonitoringStatus.RECTIFIED
    assert [(r.round, r.decision) for r in row.rectifications] == [(1, "send_back"), (2, "verified")]
    with app.app_context():
        notes = list(db.session.scalars(select(Notification.text).where(Notification.instance_id == iid)))
        actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == iid)))
        project_id = db.session.scalar(select(Project.id).where(Project.code == code))
    assert any("请按整改要求于 2026年12月10日 前报送整改情况" in n for n in notes)
    assert any("予以销号" in n for n in notes)
    assert actions.count("complete") == 7  # every step is in the audit trail

    page = Browser(app.test_client())
    page.login("school1")
    html = page.get(f"/projects/{project_id}").get_data(as_text=True)
    section = html.split('id="key-monitoring"')[1].split("</section>")[0]
    assert "整改到位，已销号" in section and "委托第三方：第三方评价机构" in section
    assert "满意度调查未开展" in section and "较重" in section
    assert "第 2 次整改情况" in section and "整改不到位，退回继续整改" in section


def test_overdue_rectification_escalates_and_bad_input_is_refused_by_field(app, login_as, clock):
    code = school_projects(app, 2)[1]
    iid = select_project(login_as, code)
    office = login_as("perf")

    def refused(task_id: int, data: dict, user=office) -> str:
        body = complete(user, task_id, data, expect=422)
        return str(body)

    def field(task_id: int, data: dict, name: str) -> str:
        return complete(office, task_id, data, expect=422)["fields"][name]

    assign_id = task_of(office, iid, "Task_Assign")["id"]
    assert "不在可选范围内" in field(assign_id, {"monitor": "nobody", "monitor_reason": "直达资金项目"}, "monitor")
    do(office, iid, "Task_Assign", {"monitor": "office", "monitor_reason": "直达资金项目"})
    track_id = task_of(office, iid, "Task_TrackOffice")["id"]

    assert "severity" in refused(track_id, {"tracking_summary": "现场核查", "findings": [dict(TWO[0], severity="轻微")]})
    assert "issue" in refused(track_id, {"tracking_summary": "现场核查", "findings": [dict(TWO[0], issue="")]})
    assert "findings" in refused(track_id, {"tracking_summary": "现场核查", "findings": "无"})
    assert "tracking_summary" in refused(track_id, {"tracking_summary": "", "findings": []})
    assert "第 1 条跟踪发现请写明问题" in field(track_id, {"tracking_summary": "现场核查",
                                                  "findings": [dict(TWO[0], issue="    ")]}, "findings")
    assert monitoring(app, iid).findings == []  # nothing half-saved
    do(office, iid, "Task_TrackOffice", {"tracking_summary": "现场核查", "findings": TWO[:1]})

    request_id = task_of(office, iid, "Task_Request")["id"]
    assert "整改报送期限应在今天之后" in field(request_id, {"requirements": "按期付款", "rectify_due_date": "2026-11-01"},
                                      "rectify_due_date")
    assert "rectify_due_date" in refused(request_id, {"requirements": "按期付款", "rectify_due_date": "明天"})
    # the task page refuses a post without its CSRF token
    browser = Browser(app.test_client())
    browser.login("perf")
    browser.get(f"/tasks/{request_id}")
    assert browser.post(f"/tasks/{request_id}", {"requirements": "按期付款", "rectify_due_date": "2026-11-30"},
                        csrf=False).status_code == 400
    do(office, iid, "Task_Request", {"requirements": "按期付款", "rectify_due_date": "2026-11-30"})

    clock.set(datetime(2026, 11, 30, 15, 59, tzinfo=UTC))  # 23:59 on the last day: nothing yet
    with app.app_context():
        wake_due_instances()
    assert monitoring(app, iid).escalated_at is None
    clock.set(datetime(2026, 11, 30, 16, 1, tzinfo=UTC))
    with app.app_context():
        assert wake_due_instances() >= 1
        notes = dict(db.session.execute(select(Notification.kind, Notification.text).where(
            Notification.instance_id == iid, Notification.kind.in_(("escalation", "reminder")))).tuples().all())
        assert "timer" in db.session.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == iid)).all()
    assert monitoring(app, iid).escalated_at is not None
    assert "逾期未报送，请督办" in notes["escalation"] and "已报绩效管理股督办" in notes["reminder"]
    assert task_of(login_as("school1"), iid, "Task_Rectify")  # the unit can still report


def test_the_demo_year_has_a_key_monitoring_waiting_for_the_units_rectification(app, login_as):
    with app.app_context():
        row = db.session.scalar(select(KeyMonitoring).join(Project).where(Project.name == "2026年农村饮水安全巩固提升"))
        assert row is not None and row.status == KeyMonitoringStatus.RECTIFYING and len(row.findings) == 2
        project_id, iid = row.project_id, row.instance_id
    assert task_of(login_as("gongshui1"), iid, "Task_Rectify")
    page = Browser(app.test_client())
    page.login("perf")
    section = page.get(f"/projects/{project_id}").get_data(as_text=True).split('id="key-monitoring"')[1]
    assert "跟踪发现（2 个问题）" in section and "2026-12-01 00:00 前" in section
