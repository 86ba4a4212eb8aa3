"""A one-lane BPMN diagram built in the test, for hostile-input tests that need a script or condition of their own."""

from __future__ import annotations

import json

FORM = json.dumps({"type": "object", "properties": {"x": {"type": "number", "title": "数值"}}})


def one_step_flow(script: str, process_id: str = "hostile_flow") -> str:
    """start -> user task 填写 (unit_staff, form f.json) -> script task running `script` -> end."""
    from xml.sax.saxutils import escape

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_1" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="Collab_1"><bpmn:participant id="P_1" processRef="{process_id}" /></bpmn:collaboration>
  <bpmn:process id="{process_id}" name="敌意测试" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_unit" name="unit_staff">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>fill</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>run</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="fill" name="填写">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="f.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:scriptTask id="run" name="计算"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill" />
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="run" />
    <bpmn:sequenceFlow id="f3" sourceRef="run" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def admit_flow(process_id: str = "admit_flow") -> str:
    """start -> user task 申报 (unit_staff; project_name, amount) -> service task library.admit -> end."""
    form_ref = '<spiffworkflow:property name="formJsonSchemaFilename" value="p.json" />'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_2" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{process_id}" name="入库测试" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_unit" name="unit_staff">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>apply</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>admit</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="apply" name="申报">
      <bpmn:extensionElements><spiffworkflow:properties>{form_ref}</spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:serviceTask id="admit" name="入库">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="library.admit" resultVariable="library">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="name" type="str" value="project_name" />
            <spiffworkflow:parameter id="amount" type="float" value="amount" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="apply" />
    <bpmn:sequenceFlow id="f2" sourceRef="apply" targetRef="admit" />
    <bpmn:sequenceFlow id="f3" sourceRef="admit" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


PROJECT_FORM = json.dumps(
    {
        "type": "object",
        "required": ["project_name", "amount"],
        "properties": {
            "project_name": {"type": "string", "title": "项目名称", "minLength": 1, "maxLength": 100},
            "amount": {"type": "number", "title": "申报金额（元）", "minimum": 0},
        },
    }
)
