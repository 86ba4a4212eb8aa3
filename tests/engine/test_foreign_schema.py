"""The schema check refuses nothing SpiffWorkflow's own parser runs, and what it says is Chinese (issue 13.8g)."""

from __future__ import annotations

import pytest

from server.engine.errors import DeployError
from server.engine.xsd_text import schema_message
from tests.engine import snippets as s
from tests.engine.conftest import compile_files

BASE = s.flow(s.script_task("x = 1"))


def test_a_diagram_the_xsd_faults_but_spiffworkflow_runs_deploys(runner) -> None:
    # Elements out of the schema's order, and an unknown element in the BPMN namespace: the parser runs both.
    shuffled = BASE.replace(b"<bpmn:incoming>F1</bpmn:incoming>\n      <bpmn:outgoing>F2</bpmn:outgoing>",
                            b"<bpmn:outgoing>F2</bpmn:outgoing><bpmn:incoming>F1</bpmn:incoming>")
    shuffled = shuffled.replace(b'<bpmn:endEvent id="EndEvent">', b'<bpmn:note id="N1"/><bpmn:endEvent id="EndEvent">')
    assert shuffled != BASE
    wf = runner.start(compile_files({"p.bpmn": shuffled}))
    assert wf.status == "completed" and wf.data["x"] == 1


@pytest.mark.parametrize(("old", "new", "element", "words"), [
    (b' targetRef="EndEvent"', b"", "F2", "顺序流 F2 缺少 targetRef"),
    (b'targetRef="EndEvent"', b'targetRef="Nowhere"', "F2", "“Nowhere”不是图中的元素"),
])
def test_broken_references_are_named_in_chinese(old: bytes, new: bytes, element: str, words: str) -> None:
    with pytest.raises(DeployError) as err:
        compile_files({"p.bpmn": BASE.replace(old, new)})
    assert any(p.element_id == element and words in p.message for p in err.value.problems), err.value.problems


def test_schema_findings_read_in_chinese() -> None:
    ns = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    assert schema_message(f"Element '{ns}task': This element is not expected. Expected is one of "
                          f"( {ns}incoming, {ns}outgoing ).") == "元素 task 不应出现在此处，此处应为：incoming、outgoing"
    assert schema_message(f"Element '{ns}sequenceFlow': The attribute 'targetRef' is required but missing.") == (
        "元素 sequenceFlow 缺少必需的属性 targetRef")
    assert schema_message("something new").startswith("不符合规范")


def test_spiffworkflow_refusals_read_in_chinese() -> None:
    no_start = BASE.replace(b'<bpmn:startEvent id="StartEvent"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>', b"")
    no_start = no_start.replace(b'<bpmn:sequenceFlow id="F1" sourceRef="StartEvent" targetRef="Node" />', b"")
    with pytest.raises(DeployError) as err:
        compile_files({"p.bpmn": no_start})
    assert any("流程没有开始事件" in p.message for p in err.value.problems), err.value.problems
