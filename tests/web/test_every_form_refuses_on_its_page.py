"""Issue 12.1's form-error mechanism over every shipped form (generated, not one test per form): a probe flow
offers each form of forms/<flow>/ as a user task at once (a parallel split); on each task page the unit posts the
page's own form with its checks broken — required fields blanked, numbers given as words, inside groups too —
and the page answers 422 with a message by each broken field, the rest of the input kept, nothing recorded.
(tests/cli/test_demo_year.py does the same on the real flows for the forms the demo year has work in.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from server.db import db
from server.models import AuditEvent, HumanTask, TaskStatus
from tests.api.helpers import start, upload
from tests.engine.snippets import document
from tests.flows_monitoring.test_monitoring_page import logged_in
from tests.support.html_form import form_fields

FORMS = Path(__file__).resolve().parents[2] / "forms"
SHIPPED = sorted(p for p in FORMS.glob("*/*.json") if not p.name.endswith(".ui.json") and p.name != "start.json")


def _probe() -> dict[str, str | bytes]:
    """One BPMN offering every shipped form to the unit at once, and the forms renamed <flow>__<name>."""
    files: dict[str, str | bytes] = {}
    tasks, flows = [], ["<bpmn:sequenceFlow id='In' sourceRef='StartEvent' targetRef='Split' />",
                        "<bpmn:sequenceFlow id='Out' sourceRef='Join' targetRef='EndEvent' />"]
    for i, path in enumerate(SHIPPED):
        name = f"{path.parent.name}__{path.name}"
        files[name] = path.read_text(encoding="utf-8")
        ui = path.with_name(path.name.removesuffix(".json") + ".ui.json")
        ui_prop = ""
        if ui.exists():
            files[name.removesuffix(".json") + ".ui.json"] = ui.read_text(encoding="utf-8")
            ui_prop = f'<spiffworkflow:property name="formUiSchemaFilename" value="{name.removesuffix(".json")}.ui.json" />'
        tasks.append(f"""<bpmn:userTask id="Task_{i}" name="{name}"><bpmn:extensionElements><spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="{name}" />{ui_prop}
          </spiffworkflow:properties></bpmn:extensionElements>
          <bpmn:incoming>A{i}</bpmn:incoming><bpmn:outgoing>B{i}</bpmn:outgoing></bpmn:userTask>""")
        flows += [f"<bpmn:sequenceFlow id='A{i}' sourceRef='Split' targetRef='Task_{i}' />",
                  f"<bpmn:sequenceFlow id='B{i}' sourceRef='Task_{i}' targetRef='Join' />"]
    nodes = ["StartEvent", "Split", "Join", "EndEvent", *(f"Task_{i}" for i in range(len(SHIPPED)))]
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
    process = f"""<bpmn:process id="probe" name="表单探针" isExecutable="true">
      <bpmn:laneSet id="LaneSet"><bpmn:lane id="Lane" name="unit_staff">{refs}</bpmn:lane></bpmn:laneSet>
      <bpmn:startEvent id="StartEvent"><bpmn:outgoing>In</bpmn:outgoing></bpmn:startEvent>
      <bpmn:parallelGateway id="Split"><bpmn:incoming>In</bpmn:incoming>{''.join(f'<bpmn:outgoing>A{i}</bpmn:outgoing>' for i in range(len(SHIPPED)))}</bpmn:parallelGateway>
      {''.join(tasks)}
      <bpmn:parallelGateway id="Join">{''.join(f'<bpmn:incoming>B{i}</bpmn:incoming>' for i in range(len(SHIPPED)))}<bpmn:outgoing>Out</bpmn:outgoing></bpmn:parallelGateway>
      <bpmn:endEvent id="EndEvent"><bpmn:incoming>Out</bpmn:incoming></bpmn:endEvent>
      {''.join(flows)}
    </bpmn:process>"""
    files["probe.bpmn"] = document(process)
    return files


def _broken(schema: dict[str, Any], posted: dict[str, str], prefix: str = "") -> dict[str, str]:
    """Required fields the page posts blanked, numbers given as words; groups (objects) walked into."""
    changes: dict[str, str] = {}
    required = set(schema.get("required", []))
    for name, spec in (schema.get("properties") or {}).items():
        path = f"{prefix}{name}"
        if not isinstance(spec, dict) or spec.get("readOnly"):
            continue
        if spec.get("type") == "object":
            changes.update(_broken(spec, posted, f"{path}."))
        elif path in posted and name in required:
            changes[path] = ""
        elif path in posted and spec.get("type") in ("number", "integer"):
            changes[path] = "一百"
        elif spec.get("type") == "array" and (spec.get("items") or {}).get("pattern"):
            changes[f"{path}.0"] = "不合 格式!"  # a row its pattern refuses
    return changes


def test_every_shipped_form_shows_its_errors_by_field_and_keeps_the_input(app, login_as):
    import json

    assert len(SHIPPED) >= 20
    resp = upload(login_as("admin"), "probe", _probe())
    assert resp.status_code == 201, resp.get_json()
    instance = start(login_as("school1"), "probe")
    assert len(instance["open_tasks"]) == len(SHIPPED)
    school = logged_in(app.test_client(), "school1")
    checked = []
    for task in instance["open_tasks"]:
        name = task["title"]
        schema = json.loads((FORMS / name.replace("__", "/")).read_text(encoding="utf-8"))
        school.get(f"/tasks/{task['id']}")
        school.post(f"/tasks/{task['id']}/claim")
        page = school.get(f"/tasks/{task['id']}").get_data(as_text=True)
        posted = dict(form_fields(page, "task-form"))
        broken = _broken(schema, posted)
        assert broken, f"{name}: nothing on its page to break"
        with app.app_context():
            audits = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                       .where(AuditEvent.instance_id == instance["id"]))
        answer = school.post(f"/tasks/{task['id']}", {**posted, **broken})
        text = answer.get_data(as_text=True)
        assert answer.status_code == 422, (name, answer.status_code)
        assert 'class="error-summary"' in text, name
        for field in broken:
            assert f'id="e-f-{field.replace(".", "-")}"' in text, (name, field)  # the message sits by its field
        kept = dict(form_fields(text, "task-form"))
        for field, value in posted.items():
            if field not in broken and field != "csrf_token" and value.strip():
                assert kept.get(field, "").strip(), (name, field)  # the rest of the input is kept
        with app.app_context():
            assert db.session.get(HumanTask, task["id"]).status == TaskStatus.OPEN, name
            assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                     .where(AuditEvent.instance_id == instance["id"])) == audits, name
        checked.append(name)
    assert len(checked) == len(SHIPPED)
