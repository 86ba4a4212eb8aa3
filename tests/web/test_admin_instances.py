"""/admin/instances and /api/v1/admin/…: an instance in error is listed with its error and element and retried
after a fix; the next timer moved to now fires at once; a user step is marked done with a reason (a step the
flow cannot continue from is refused, nothing changed); suspend holds timers and completions until resume;
a task goes only to a user it may be offered to; cancel needs a reason. Every repair leaves an audit row."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import openpyxl
from sqlalchemy import select

from server.db import db
from server.models import AuditEvent, HumanTask, ProcessInstance, TaskStatus, User
from server.services.timers import wake_due_instances
from tests.api.helpers import FLOWS, complete, deploy_folder
from tests.api.test_instance_recovery import FIXED, deploy, put_in_error
from tests.web.conftest import add_user, apply, open_task


def audit_rows(app, instance_id: int, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id,
                                                                AuditEvent.action == action)))


def state(app, instance_id: int) -> tuple[str, list[str]]:
    with app.app_context():
        inst = db.session.get(ProcessInstance, instance_id)
        steps = db.session.scalars(select(HumanTask.task_name).where(
            HumanTask.instance_id == instance_id, HumanTask.status == TaskStatus.OPEN).order_by(HumanTask.id)).all()
        return inst.status.value, list(steps)


def test_an_instance_in_error_is_shown_with_its_element_and_retried_after_a_fix(app, login_as, browser):
    admin_api, school = login_as("admin"), login_as("school1")
    assert deploy_folder(admin_api, "fragile", FLOWS / "fragile").status_code == 201
    inst = school.post("/api/v1/process-instances", json={"process_key": "fragile"}).get_json()
    put_in_error(school, inst["id"], inst["open_tasks"][0]["id"])

    admin = browser("admin")
    assert "出错 1 个" in admin.get("/admin").get_data(as_text=True)
    html = admin.get("/admin/instances").get_data(as_text=True)
    card = re.search(rf'<article class="card repair" id="instance-{inst["id"]}".*?</article>', html, re.S).group(0)
    assert "出错元素：Script_Ratio" in card and "错误编号 E-" in card and "重试" in card
    listed = admin_api.get("/api/v1/admin/instances?status=error").get_json()
    assert [(i["id"], i["element"]) for i in listed["items"]] == [(inst["id"], "Script_Ratio")]
    assert admin_api.get("/api/v1/admin/instances?status=bogus").status_code == 422
    assert admin.get("/admin/instances?status=bogus").status_code == 422
    assert admin.get("/admin/instances?page=-3&status=error").status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(admin.client.get("/admin/instances?format=xlsx").data)).active
    exported = list(sheet.iter_rows(values_only=True))
    assert exported[0][:2] == ("实例", "流程") and exported[1][0] == inst["id"] and exported[1][5] == "Script_Ratio"

    deploy(admin_api, FIXED)
    resp = admin.post(f"/admin/instances/{inst['id']}/retry", {"use_current_version": "1", "back": "/admin/instances"})
    assert resp.status_code == 303
    assert "已重试，流程恢复办理" in admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert state(app, inst["id"]) == ("running", ["Task_Fill"])
    assert audit_rows(app, inst["id"], "retry")[0].data == {"from_version": 1, "version": 2}


def test_timers_suspend_resume_skip_and_reassign(app, review, login_as, browser, clock):
    school = login_as("school1")
    inst = apply(school, "县第一中学校舍维修改造工程", 480_000)
    iid = inst["id"]
    assert state(app, iid) == ("running", ["Task_Review"])
    admin, admin_api = browser("admin"), login_as("admin")
    review_task = open_task(app, inst)

    # Reassign: only to an active user the task's lane and sector offer it to.
    add_user(app, "fin_edu2", like="fin_edu")
    for wrong in ("fin_agri", "school1", "nobody"):
        resp = admin_api.post(f"/api/v1/admin/tasks/{review_task}/reassign", json={"username": wrong})
        assert resp.status_code == 422 and "username" in resp.get_json()["fields"], wrong
    admin.get("/admin/instances?status=active")
    resp = admin.post(f"/admin/tasks/{review_task}/reassign", {"username": "fin_edu2"})
    assert resp.status_code == 303
    with app.app_context():
        holder = db.session.get(HumanTask, review_task).assignee_id
        assert holder == db.session.scalar(select(User.id).where(User.username == "fin_edu2"))
    assert audit_rows(app, iid, "reassign")[0].data["username"] == "fin_edu2"

    # Suspend: the finance decision is refused and the due timer waits; resume lets both go on.
    assert admin_api.post(f"/api/v1/admin/instances/{iid}/suspend", json={"reason": " "}).status_code == 422
    resp = admin.post(f"/admin/instances/{iid}/suspend", {"reason": "核对申报材料，暂停办理"})
    assert resp.status_code == 303 and state(app, iid)[0] == "suspended"
    page = admin.get("/admin/instances?status=suspended").get_data(as_text=True)
    assert f'id="instance-{iid}"' in page and "恢复" in page
    page = browser("perf").get(f"/instances/{iid}").get_data(as_text=True)
    assert '已挂起' in page and "管理员挂起流程" in page and "原状态" in page and "办理中" in page
    assert ">reason<" not in page and ">was<" not in page  # the event's data in words, not its keys
    # Its holder still sees the task, marked held with the reason, and has nothing to press.
    holder = browser("fin_edu2")
    inbox = holder.get("/inbox").get_data(as_text=True)
    row = inbox[inbox.index(f'id="task-{review_task}"'):]
    assert "已挂起" in row[:row.index("</tr>")]
    page = holder.get(f"/tasks/{review_task}").get_data(as_text=True)
    assert 'id="held-notice"' in page and "核对申报材料，暂停办理" in page
    assert '<fieldset class="form-body" disabled' in page
    fin = login_as("fin_edu2")
    complete(fin, review_task, {"decision": "approve", "opinion": "同意"}, expect=409)
    clock.advance(timedelta(days=6))
    with app.app_context():
        assert wake_due_instances() == 0
    assert state(app, iid) == ("suspended", ["Task_Review"])
    clock.advance(timedelta(days=-6))  # back: the API tokens of this test expire with a week's travel
    assert admin_api.post(f"/api/v1/admin/instances/{iid}/move-timers").status_code == 409
    assert admin_api.post(f"/api/v1/admin/instances/{iid}/resume").get_json()["status"] == "running"
    page = holder.get(f"/tasks/{review_task}").get_data(as_text=True)
    assert 'id="held-notice"' not in page and "<fieldset class=\"form-body\" disabled" not in page
    assert audit_rows(app, iid, "suspend")[0].data == {"reason": "核对申报材料，暂停办理", "was": "running"}
    assert audit_rows(app, iid, "resume")

    # Move the timer: the 5-day escalation fires now (督办 opens for the office).
    resp = admin.post(f"/admin/instances/{iid}/move-timers", {})
    assert resp.status_code == 303
    assert "下一个定时器已到期并触发" in admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert state(app, iid) == ("running", ["Task_Escalate"])
    assert audit_rows(app, iid, "move_timers")

    # Mark 督办 done with a reason: the flow goes back to 审核 with the application's data.
    escalate = open_task(app, {"id": iid})
    assert admin_api.post(f"/api/v1/admin/tasks/{escalate}/skip", json={"reason": ""}).status_code == 422
    resp = admin.post(f"/admin/tasks/{escalate}/skip", {"reason": "演练：督办已电话完成"})
    assert resp.status_code == 303
    assert state(app, iid) == ("running", ["Task_Review"])
    skipped = audit_rows(app, iid, "admin_skip")[0]
    assert skipped.data == {"reason": "演练：督办已电话完成", "element": "Task_Escalate"} and skipped.task_id == escalate

    # Cancel needs a reason, and ends it.
    assert admin_api.post(f"/api/v1/admin/instances/{iid}/cancel", json={"reason": ""}).status_code == 422
    resp = admin.post(f"/admin/instances/{iid}/cancel", {"reason": "重复申报"})
    assert resp.status_code == 303 and state(app, iid) == ("cancelled", [])
    assert audit_rows(app, iid, "cancel")[0].data["reason"] == "重复申报"


def test_a_step_the_flow_cannot_continue_from_is_not_skipped(app, login_as, browser):
    admin_api, school = login_as("admin"), login_as("school1")
    assert deploy_folder(admin_api, "fragile", FLOWS / "fragile").status_code == 201
    inst = school.post("/api/v1/process-instances", json={"process_key": "fragile"}).get_json()
    fill = inst["open_tasks"][0]["id"]
    resp = admin_api.post(f"/api/v1/admin/tasks/{fill}/skip", json={"reason": "试跳过"})
    assert resp.status_code == 422 and "未做任何改动" in resp.get_json()["message"]
    assert state(app, inst["id"]) == ("running", ["Task_Fill"]) and not audit_rows(app, inst["id"], "admin_skip")
    assert admin_api.post(f"/api/v1/admin/instances/{inst['id']}/move-timers").status_code == 422  # none waiting
    assert admin_api.post("/api/v1/admin/tasks/999999/skip", json={"reason": "x"}).status_code == 404


TIMED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_timed"
                  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="timed_flow" name="定时后出错（测试流程）" isExecutable="true">
    <bpmn:laneSet id="LaneSet_timed">
      <bpmn:lane id="Lane_unit" name="unit_staff">
        <bpmn:flowNodeRef>Begin</bpmn:flowNodeRef><bpmn:flowNodeRef>Wait</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Script_Late</bpmn:flowNodeRef><bpmn:flowNodeRef>Finish</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Begin"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="Wait" name="等 30 天">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
      <bpmn:timerEventDefinition id="T1"><bpmn:timeDuration>"P30D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="Script_Late" name="到期计算">
      <bpmn:incoming>F2</bpmn:incoming><bpmn:outgoing>F3</bpmn:outgoing>
      <bpmn:script>ratio = 100 / missing_value</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="Finish"><bpmn:incoming>F3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Begin" targetRef="Wait" />
    <bpmn:sequenceFlow id="F2" sourceRef="Wait" targetRef="Script_Late" />
    <bpmn:sequenceFlow id="F3" sourceRef="Script_Late" targetRef="Finish" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_moved_timer_whose_next_step_fails_puts_the_instance_in_error(app, login_as):
    from tests.api.helpers import upload

    admin = login_as("admin")
    resp = upload(admin, "timed", {"timed.bpmn": TIMED})
    assert resp.status_code == 201, resp.get_json()
    inst = login_as("school1").post("/api/v1/process-instances", json={"process_key": "timed"}).get_json()
    assert state(app, inst["id"]) == ("waiting", [])
    resp = admin.post(f"/api/v1/admin/instances/{inst['id']}/move-timers")
    assert resp.status_code == 422 and resp.get_json()["error"] == "workflow_error"
    assert "错误编号 E-" in resp.get_json()["message"]
    assert state(app, inst["id"]) == ("error", [])
    listed = admin.get("/api/v1/admin/instances?status=error").get_json()["items"]
    assert [(i["id"], i["element"]) for i in listed] == [(inst["id"], "Script_Late")]
    assert audit_rows(app, inst["id"], "error")
