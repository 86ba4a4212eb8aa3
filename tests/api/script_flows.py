"""Tiny one-lane flows built around a script of the test's choosing, for sandbox and script-result tests."""

from __future__ import annotations

from xml.sax.saxutils import escape

from tests.api.bpmn_text import FORM, one_step_flow
from tests.api.helpers import upload
from tests.support.api import ApiUser

__all__ = ["FORM", "deploy_script", "script_first_flow"]


def script_first_flow(script: str, process_id: str = "script_first") -> str:
    """start -> script task 计算 (id `run`) -> user task 填写 (id `fill`, unit_staff) -> end: starting runs it."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_1" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{process_id}" name="脚本测试" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_unit" name="unit_staff">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>run</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>fill</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="run" name="计算"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="fill" name="填写">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="f.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="run" />
    <bpmn:sequenceFlow id="f2" sourceRef="run" targetRef="fill" />
    <bpmn:sequenceFlow id="f3" sourceRef="fill" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def deploy_script(admin: ApiUser, key: str, script: str, *, at: str) -> None:
    """Deploy flow `key` whose script (element `run`) runs when the instance starts (`at="start"`) or when
    the user task `fill` is completed (`at="complete"`)."""
    bpmn = script_first_flow(script, key) if at == "start" else one_step_flow(script, key)
    resp = upload(admin, key, {f"{key}.bpmn": bpmn, "f.json": FORM})
    assert resp.status_code == 201, resp.get_json()
