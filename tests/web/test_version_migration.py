"""Issue 13.5: what changed between two versions of a flow (/admin/models/<key>/diff, the admin API), and moving
running instances of the old version onto the new one — SpiffWorkflow decides which can move; each moves in its
own transaction, audited, with its open tasks still right; a refusal is reported and changes nothing."""

from __future__ import annotations

import io
import json
import re

import openpyxl
from sqlalchemy import select

from server.db import db
from server.models import AuditEvent, HumanTask, ProcessInstance, TaskStatus
from tests.api.helpers import FLOWS, complete, deploy_folder, deploy_variant, start, upload, workable
from tests.engine import snippets as s
from tests.web.conftest import apply

# v2: a new user step 确认审核结果 (finance) right after 审核 (so the step instances wait at now leads elsewhere), and
# the application step renamed.
CONFIRM = """<bpmn:userTask id="Task_Confirm" name="确认审核结果">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="review.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>Flow_ToDecision</bpmn:incoming><bpmn:outgoing>Flow_Confirmed</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_Confirmed" sourceRef="Task_Confirm" targetRef="Gateway_Decision" />
    <bpmn:exclusiveGateway id="Gateway_Decision" name="审核结论">"""
V2 = {"review.bpmn": [
    ('<bpmn:flowNodeRef>Service_Record</bpmn:flowNodeRef>',
     '<bpmn:flowNodeRef>Service_Record</bpmn:flowNodeRef><bpmn:flowNodeRef>Task_Confirm</bpmn:flowNodeRef>'),
    ('<bpmn:exclusiveGateway id="Gateway_Decision" name="审核结论">', CONFIRM),
    ('<bpmn:incoming>Flow_ToDecision</bpmn:incoming>\n      <bpmn:outgoing>Flow_Approve',
     '<bpmn:incoming>Flow_Confirmed</bpmn:incoming>\n      <bpmn:outgoing>Flow_Approve'),
    ('sourceRef="Task_Review" targetRef="Gateway_Decision"', 'sourceRef="Task_Review" targetRef="Task_Confirm"'),
    ('<bpmndi:BPMNShape id="Service_Record_di"', '<bpmndi:BPMNShape id="Task_Confirm_di" bpmnElement="Task_Confirm">'
     '<dc:Bounds x="1000" y="420" width="100" height="80" /></bpmndi:BPMNShape><bpmndi:BPMNShape id="Service_Record_di"'),
    ('<bpmn:userTask id="Task_Apply" name="申报">', '<bpmn:userTask id="Task_Apply" name="项目申报">'),
]}
API = "/api/v1/admin/process-models/review"


def _setup(login_as):
    """v1 deployed; one instance waiting at 审核 (can move), one at 申报 (renamed in v2: cannot); then v2."""
    school = login_as("school1")
    at_review = apply(school, "迁移测试项目")
    at_apply = start(school, "review")
    deploy_variant(login_as("admin"), "review", FLOWS / "review", V2)
    return at_review["id"], at_apply["id"]


def _row(app, instance_id):
    with app.app_context():
        i = db.session.get(ProcessInstance, instance_id)
        open_rows = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                               HumanTask.status == TaskStatus.OPEN)).all()
        return i.version.number, i.state, i.next_timer_at, [(t.id, t.task_name) for t in open_rows]


def test_the_diff_lists_and_marks_what_changed_and_which_instances_can_move(app, review, login_as, browser):
    movable, blocked = _setup(login_as)
    admin = browser("admin")
    models = admin.get("/admin/models").get_data(as_text=True)
    assert "/admin/models/review/diff?from=1&amp;to=2" in models  # the link from the models page

    html = admin.get("/admin/models/review/diff?from=1&to=2").get_data(as_text=True)
    assert "新增 1 个元素，修改 3 个，删除 0 个" in html
    added = re.search(r'<tr class="diff-added" data-element="Task_Confirm">(.*?)</tr>', html, re.S).group(1)
    assert "确认审核结果" in added and "人工任务" in added
    changed = re.search(r'<tr class="diff-changed" data-element="Task_Apply">(.*?)</tr>', html, re.S).group(1)
    assert "项目申报" in changed and "名称" in changed
    review = re.search(r'<tr class="diff-changed" data-element="Task_Review">(.*?)</tr>', html, re.S).group(1)
    assert "去向连线" in review and 'data-element="Gateway_Decision"' in html
    # Both diagrams carry the elements to mark: the old one the changed (and removed), the new one the added.
    old_marks = re.search(r'id="diagram-v1-1"[^>]*data-changed="([^"]*)"', html).group(1)
    assert "Task_Apply" in json.loads(old_marks.replace("&#34;", '"'))
    assert re.search(r'id="diagram-v2-2"[^>]*data-added="\[&#34;Task_Confirm&#34;\]"', html)
    diagram = admin.client.get("/admin/models/review/versions/2/diagram.bpmn")
    assert diagram.status_code == 200 and b"Task_Confirm" in diagram.data

    # The instances of v1 are listed from SQL, their verdicts still to come (the script asks the API for them a
    # few rows at a time); ?check=1 puts them in the page: the one waiting at 审核 can move, the one at 申报
    # cannot, and says why.
    row = re.search(rf'<tr data-instance="{movable}" class="unchecked">(.*?)</tr>', html, re.S).group(1)
    assert "正在检查" in row and "审核" in row and "disabled" not in row
    assert 'id="verdict-progress"' in html and "check=1" in html
    html = admin.get("/admin/models/review/diff?from=1&to=2&check=1").get_data(as_text=True)
    row = re.search(rf'<tr data-instance="{movable}" class="movable">(.*?)</tr>', html, re.S).group(1)
    assert "可以迁移" in row and "审核" in row
    row = re.search(rf'<tr data-instance="{blocked}" class="blocked">(.*?)</tr>', html, re.S).group(1)
    assert "不能迁移" in row and "正在办理的步骤“申报”（Task_Apply）在新版本中有改动（名称）" in row and "disabled" in row

    sheet = openpyxl.load_workbook(io.BytesIO(admin.client.get(
        "/admin/models/review/diff?from=1&to=2&format=xlsx").data)).active
    exported = list(sheet.iter_rows(values_only=True))
    assert exported[0][:3] == ("变化", "元素", "名称") and ("新增", "Task_Confirm", "确认审核结果") in [r[:3] for r in exported]

    # Backwards: v2 -> v1 shows the new step as removed, and offers no migration.
    back = admin.get("/admin/models/review/diff?from=2&to=1").get_data(as_text=True)
    assert '<tr class="diff-removed" data-element="Task_Confirm">' in back and "只能把实例从旧版本迁移到更新的版本" in back
    assert re.search(r'id="diagram-v2-1"[^>]*data-removed="\[&#34;Task_Confirm&#34;\]"', back)  # on the old diagram
    # Instances on other older versions are pointed to (here v1's, seen from v2 -> v2).
    same = admin.get("/admin/models/review/diff?from=2&to=2").get_data(as_text=True)
    assert "两个版本的流程图元素相同" in same and re.search(r'id="other-versions".*第 1 版 2 个', same, re.S)

    admin.post("/language", {"lang": "en", "next": "/admin"})  # the page in English too
    english = admin.get("/admin/models/review/diff?from=1&to=2").get_data(as_text=True)
    assert "1 elements added, 3 changed, 0 removed." in english and "Cannot move" in english and "User task" in english

    api = login_as("admin")
    body = api.get(f"{API}/diff", query_string={"from": 1, "to": 2}).get_json()
    assert [c["element_id"] for c in body["added"]] == ["Task_Confirm"] and body["removed"] == []
    items = {i["id"]: i for i in api.get(f"{API}/migrations", query_string={"to_version": 2}).get_json()["items"]}
    assert items[movable]["movable"] and not items[blocked]["movable"] and "Task_Apply" in items[blocked]["reasons"][0]
    # What the page's script asks: the verdicts of the rows it names, of one older version.
    named = api.get(f"{API}/migrations", query_string={"to_version": 2, "from_version": 1,
                                                       "instance_ids": f"{blocked}"}).get_json()
    assert [(i["id"], i["movable"]) for i in named["items"]] == [(blocked, False)] and named["total"] == 1
    for bad in ({"instance_ids": "1,x"}, {"instance_ids": ",".join(["1"] * 51)}, {"instance_ids": ""},
                {"from_version": "9"}, {"from_version": "1; drop"}):
        resp = api.get(f"{API}/migrations", query_string={"to_version": 2, **bad})
        assert resp.status_code == 422, (bad, resp.status_code)
        assert set(resp.get_json()["fields"]) <= {"instance_ids", "from_version"}


def test_migrating_moves_what_can_move_and_it_continues_on_the_new_version(app, review, login_as, browser):
    movable, blocked = _setup(login_as)
    before_moved, before_blocked = _row(app, movable), _row(app, blocked)
    api = login_as("admin")
    resp = api.post(f"{API}/migrations", json={"to_version": 2, "instance_ids": [movable, blocked]})
    assert resp.status_code == 200, resp.get_json()
    results = {r["instance_id"]: r for r in resp.get_json()["results"]}
    assert results[movable]["moved"] and results[movable]["from_version"] == 1 and results[movable]["to_version"] == 2
    assert not results[blocked]["moved"] and "Task_Apply" in results[blocked]["reason"]

    number, _state, due, open_rows = _row(app, movable)
    assert number == 2 and open_rows == before_moved[3]  # the same task row, still open
    assert due == before_moved[2]  # the 5-day escalation timer was not restarted by the move
    assert _row(app, blocked) == before_blocked  # refused: untouched
    with app.app_context():
        events = {e.instance_id: e for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(("migrate", "migrate_refused"))))}
        assert events[movable].action == "migrate" and events[movable].data["from_version"] == 1
        assert events[movable].data["to_version"] == 2 and events[movable].actor_id is not None
        assert events[blocked].action == "migrate_refused" and "Task_Apply" in events[blocked].data["reason"]

    # The instance's own page says so, with the version it runs on now.
    page = browser("admin").get(f"/instances/{movable}").get_data(as_text=True)
    assert "迁移到新版本" in page and "版本 2" in page

    # It goes on on v2: after approval the new step 确认审核结果 reaches finance, then the flow ends.
    finance = login_as("fin_edu")
    review_task = next(t for t in workable(finance) if t["instance_id"] == movable)
    complete(finance, review_task["id"], {"decision": "approve", "opinion": "同意"})
    confirm = next(t for t in workable(finance) if t["instance_id"] == movable)
    assert confirm["element_id"] == "Task_Confirm"
    done = complete(finance, confirm["id"], {"decision": "approve", "opinion": "确认"})
    assert done["instance"]["status"] == "completed"

    # A suspended instance is not moved either (it says why), and stays suspended on its version.
    assert api.post(f"/api/v1/admin/instances/{blocked}/suspend", json={"reason": "核查中"}).status_code == 200
    held = api.post(f"{API}/migrations", json={"to_version": 2, "instance_ids": [blocked]}).get_json()["results"][0]
    assert not held["moved"] and "已挂起" in held["reason"]
    assert api.post(f"/api/v1/admin/instances/{blocked}/resume").status_code == 200
    before_blocked = _row(app, blocked)

    # The page without JavaScript: migrating the blocked one again is refused and reported, nothing changes.
    admin = browser("admin")
    admin.get("/admin/models/review/diff?from=1&to=2")
    page = admin.post("/admin/models/review/diff/migrate", {"from": "1", "to": "2", "instance_ids": str(blocked)})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "已迁移 0 个，未迁移 1 个" in html and "Task_Apply" in html
    everything = admin.post("/admin/models/review/diff/migrate", {"from": "1", "to": "2", "all": "1"})
    html = everything.get_data(as_text=True)  # 全部迁移: every v1 instance still running (only the blocked one)
    assert everything.status_code == 200 and "已迁移 0 个，未迁移 1 个" in html and f"#{blocked}" in html
    assert _row(app, blocked) == before_blocked


def test_hostile_migration_requests_are_refused_and_change_nothing(app, review, login_as, browser):
    movable, blocked = _setup(login_as)
    other = start(login_as("school1"), "review")["id"]  # on v2 already
    before = _row(app, movable)
    api = login_as("admin")

    def refused(body, status=422):
        resp = api.post(f"{API}/migrations", json=body)
        assert resp.status_code == status, resp.get_json()
        return resp.get_json()

    assert "版本号不正确" in refused({"to_version": 9, "instance_ids": [movable]})["message"]
    refused({"to_version": "2; drop", "instance_ids": [movable]})
    refused({"to_version": True, "instance_ids": [movable]})
    refused({"to_version": 2.0, "instance_ids": [movable]})
    refused({"to_version": 2, "instance_ids": []})
    refused({"to_version": 2, "instance_ids": "all"})
    refused({"to_version": 2, "instance_ids": [True]})
    refused({"to_version": 2, "instance_ids": [-1]})
    refused({"to_version": 2, "instance_ids": list(range(1, 200))})
    assert "不存在" in refused({"to_version": 2, "instance_ids": [movable, 999_999]})["message"]
    # To the same version, and to an older one.
    assert "只能迁移到更新的版本" in refused({"to_version": 2, "instance_ids": [other]})["message"]
    assert "只能迁移到更新的版本" in refused({"to_version": 1, "instance_ids": [movable]})["message"]
    # An instance of another flow.
    assert deploy_folder(api, "review_copy", FLOWS / "review").status_code == 201
    foreign = start(login_as("school1"), "review_copy")["id"]
    assert "不属于流程 review" in refused({"to_version": 2, "instance_ids": [foreign]})["message"]
    assert api.post("/api/v1/admin/process-models/nope/migrations",
                    json={"to_version": 2, "instance_ids": [movable]}).status_code == 404
    assert _row(app, movable) == before  # a whole request refused: nothing moved

    # Not an administrator: 403 on the API and on every page.
    school = login_as("school1")
    assert school.post(f"{API}/migrations", json={"to_version": 2, "instance_ids": [movable]}).status_code == 403
    assert school.get(f"{API}/diff", query_string={"from": 1, "to": 2}).status_code == 403
    unit = browser("school1")
    assert unit.get("/admin/models/review/diff?from=1&to=2").status_code == 403
    assert unit.client.get("/admin/models/review/versions/1/diagram.bpmn").status_code == 403
    admin = browser("admin")
    assert admin.get("/admin/models/review/diff?from=1&to=7").status_code == 422
    assert admin.get("/admin/models/review/diff?from=x&to=2").status_code == 422
    assert admin.get("/admin/models/nope/diff").status_code == 404
    no_csrf = admin.post("/admin/models/review/diff/migrate", {"to": "2", "instance_ids": str(movable)}, csrf=False)
    assert no_csrf.status_code == 400
    bad = admin.post("/admin/models/review/diff/migrate", {"from": "1", "to": "2", "instance_ids": "abc"})
    assert bad.status_code == 422 and "未迁移，系统未做任何改动" in bad.get_data(as_text=True)
    none = admin.post("/admin/models/review/diff/migrate", {"from": "1", "to": "2"})
    assert none.status_code == 422 and "请选择要迁移的实例" in none.get_data(as_text=True)
    assert _row(app, movable) == before


def _call_package(child_body: str) -> dict[str, bytes]:
    caller = """<bpmn:callActivity id="Node" name="调用子流程" calledElement="child">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:callActivity>"""
    first = "C_Fill" if 'id="C_Fill"' in child_body else "C_Count"
    child = f"""
  <bpmn:process id="child" name="子流程" isExecutable="true">
    <bpmn:laneSet id="LaneSet_child"><bpmn:lane id="Lane_child" name="unit_staff">
      <bpmn:flowNodeRef>C_Start</bpmn:flowNodeRef><bpmn:flowNodeRef>{first}</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>C_End</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="C_Start"><bpmn:outgoing>C1</bpmn:outgoing></bpmn:startEvent>
    {child_body}
    <bpmn:endEvent id="C_End"><bpmn:incoming>C2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="C1" sourceRef="C_Start" targetRef="{first}" />
  </bpmn:process>"""
    return {"main.bpmn": s.document(s.process("main", caller)), "child.bpmn": s.document(child), "a.json": s.FORM}


FILL = """<bpmn:userTask id="C_Fill" name="{name}"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="formJsonSchemaFilename" value="a.json" /></spiffworkflow:properties>
      </bpmn:extensionElements><bpmn:incoming>C1</bpmn:incoming><bpmn:outgoing>{out}</bpmn:outgoing></bpmn:userTask>"""
CHILD_V1 = FILL.format(name="填写", out="C2") + '<bpmn:sequenceFlow id="C2" sourceRef="C_Fill" targetRef="C_End" />'
CHILD_V2 = (FILL.format(name="填写", out="C3") + '<bpmn:scriptTask id="C_Count" name="计数"><bpmn:incoming>C3</bpmn:incoming>'
            '<bpmn:outgoing>C2</bpmn:outgoing><bpmn:script>counted = 1</bpmn:script></bpmn:scriptTask>'
            '<bpmn:sequenceFlow id="C3" sourceRef="C_Fill" targetRef="C_Count" />'
            '<bpmn:sequenceFlow id="C2" sourceRef="C_Count" targetRef="C_End" />')
CHILD_V3 = CHILD_V2.replace('name="填写"', 'name="填写（新）"')
CHILD_TIMED = CHILD_V1 + """<bpmn:boundaryEvent id="C_Late" name="超期" attachedToRef="C_Fill">
      <bpmn:outgoing>C9</bpmn:outgoing><bpmn:timerEventDefinition id="C_LateTimer">
      <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P5D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent><bpmn:endEvent id="C_LateEnd"><bpmn:incoming>C9</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="C9" sourceRef="C_Late" targetRef="C_LateEnd" />"""
CHILD_WITHOUT_FILL = ('<bpmn:scriptTask id="C_Count" name="计数"><bpmn:incoming>C1</bpmn:incoming><bpmn:outgoing>C2</bpmn:outgoing>'
            '<bpmn:script>counted = 1</bpmn:script></bpmn:scriptTask>'
            '<bpmn:sequenceFlow id="C2" sourceRef="C_Count" targetRef="C_End" />')


def test_a_step_waiting_inside_a_called_process_moves_or_is_refused_by_the_called_process_diff(app, login_as):
    admin, school = login_as("admin"), login_as("school1")
    assert upload(admin, "callflow", _call_package(CHILD_V1)).status_code == 201
    first, second = start(school, "callflow")["id"], start(school, "callflow")["id"]
    assert upload(admin, "callflow", _call_package(CHILD_V2)).status_code == 201
    assert upload(admin, "callflow", _call_package(CHILD_V3)).status_code == 201
    url = "/api/v1/admin/process-models/callflow/migrations"

    # v1 -> v2: only what follows the waiting step changed inside the called process; it moves and runs the new step.
    moved = admin.post(url, json={"to_version": 2, "instance_ids": [first]}).get_json()["results"][0]
    assert moved["moved"], moved
    fill = next(t for t in workable(school) if t["instance_id"] == first)
    assert fill["element_id"] == "C_Fill"
    assert complete(school, fill["id"], {"x": 1})["instance"]["status"] == "completed"
    number, state, _due, _open = _row(app, first)
    assert number == 2 and '"counted":1' in state  # the step v2 added ran
    # v1 -> v3: the waiting step itself was renamed inside the called process: refused, untouched.
    before = _row(app, second)
    refused = admin.post(url, json={"to_version": 3, "instance_ids": [second]}).get_json()["results"][0]
    assert not refused["moved"] and "C_Fill" in refused["reason"] and "名称" in refused["reason"]
    assert _row(app, second) == before
    # v1 -> v4: a timer was attached to the waiting step; the step already waiting would never arm it: refused.
    assert upload(admin, "callflow", _call_package(CHILD_TIMED)).status_code == 201
    timed = admin.post(url, json={"to_version": 4, "instance_ids": [second]}).get_json()["results"][0]
    assert not timed["moved"] and "边界事件" in timed["reason"], timed
    # v1 -> v5: the waiting step is gone from the called process: refused, untouched.
    assert upload(admin, "callflow", _call_package(CHILD_WITHOUT_FILL)).status_code == 201
    gone = admin.post(url, json={"to_version": 5, "instance_ids": [second]}).get_json()["results"][0]
    assert not gone["moved"] and "“填写”（C_Fill）" in gone["reason"], gone
    assert _row(app, second) == before
