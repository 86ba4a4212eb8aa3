"""Small BPMN documents built in tests (start -> one node -> end, optionally in a lane)."""

from __future__ import annotations

NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)
FORM = b'{"type": "object", "title": "\xe8\xa1\xa8\xe5\x8d\x95", "properties": {"x": {"type": "number"}}}'


def process(pid: str, body: str, *, lane: str | None = "unit_staff", executable: bool = True) -> str:
    lanes = ""
    if lane is not None:
        refs = "".join(
            f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in ("StartEvent", "Node", "EndEvent")
        )
        lanes = f'<bpmn:laneSet id="LaneSet_{pid}"><bpmn:lane id="Lane_{pid}" name="{lane}">{refs}</bpmn:lane></bpmn:laneSet>'
    return f"""
  <bpmn:process id="{pid}" name="测试 {pid}" isExecutable="{str(executable).lower()}">
    {lanes}
    <bpmn:startEvent id="StartEvent"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    {body}
    <bpmn:endEvent id="EndEvent"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="StartEvent" targetRef="Node" />
    <bpmn:sequenceFlow id="F2" sourceRef="Node" targetRef="EndEvent" />
  </bpmn:process>"""


def document(*processes: str) -> bytes:
    body = "".join(processes)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NS} id="Defs" targetNamespace="t">{body}\n</bpmn:definitions>\n'.encode()


def flow(body: str, *, lane: str | None = "unit_staff", pid: str = "p") -> bytes:
    return document(process(pid, body, lane=lane))


def script_task(script: str) -> str:
    return f"""<bpmn:scriptTask id="Node" name="脚本"><bpmn:incoming>F1</bpmn:incoming>
      <bpmn:outgoing>F2</bpmn:outgoing><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>"""


def user_task(form: str = "a.json", props: str = "", name: str = "填写") -> str:
    return f"""<bpmn:userTask id="Node" name="{name}"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="formJsonSchemaFilename" value="{form}" />{props}
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:userTask>"""


def timer_event(kind: str, expression: str) -> str:
    return f"""<bpmn:intermediateCatchEvent id="Node" name="等待"><bpmn:incoming>F1</bpmn:incoming>
      <bpmn:outgoing>F2</bpmn:outgoing><bpmn:timerEventDefinition id="TimerDef">
      <bpmn:{kind} xsi:type="bpmn:tFormalExpression">{expression}</bpmn:{kind}>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"""


def service_task(operator: str, params: dict[str, str], result: str | None = "out") -> str:
    plist = "".join(f'<spiffworkflow:parameter id="{k}" type="str" value="{v}" />' for k, v in params.items())
    rv = f' resultVariable="{result}"' if result else ""
    return f"""<bpmn:serviceTask id="Node" name="服务"><bpmn:extensionElements>
      <spiffworkflow:serviceTaskOperator id="{operator}"{rv}><spiffworkflow:parameters>{plist}
      </spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:serviceTask>"""


def business_rule(decision: str) -> str:
    return f"""<bpmn:businessRuleTask id="Node" name="规则"><bpmn:extensionElements>
      <spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId></bpmn:extensionElements>
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:businessRuleTask>"""
