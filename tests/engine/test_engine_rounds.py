"""A loop whose start is marked `compactLoop` keeps one round in the instance state, however many rounds run."""

from __future__ import annotations

import pytest

from server.engine.errors import LoopLimitError
from tests.engine import snippets as s
from tests.engine.conftest import Runner, compile_files

FORM = s.FORM


def round_flow(*, mark: bool, side_timer: bool = False) -> bytes:
    """Start → [round start] → 填报 → add → loop while n < rounds → end. With `side_timer`, each round also
    forks a year-long timer branch that is still waiting when the next round begins."""
    props = (
        '<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="compactLoop" value="true" />'
        "</spiffworkflow:properties></bpmn:extensionElements>"
        if mark
        else ""
    )
    fork_in, fork = ("Fork", """
      <bpmn:parallelGateway id="Fork"><bpmn:incoming>R1</bpmn:incoming><bpmn:outgoing>R2</bpmn:outgoing>
        <bpmn:outgoing>T1</bpmn:outgoing></bpmn:parallelGateway>
      <bpmn:intermediateCatchEvent id="Wait"><bpmn:incoming>T1</bpmn:incoming><bpmn:outgoing>T2</bpmn:outgoing>
        <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P1Y"</bpmn:timeDuration>
        </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
      <bpmn:endEvent id="SideEnd"><bpmn:incoming>T2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="R2" sourceRef="Fork" targetRef="Node" />
      <bpmn:sequenceFlow id="T1" sourceRef="Fork" targetRef="Wait" />
      <bpmn:sequenceFlow id="T2" sourceRef="Wait" targetRef="SideEnd" />""") if side_timer else ("Node", "")
    body = f"""
      <bpmn:intermediateThrowEvent id="Round" name="新一轮">{props}<bpmn:incoming>F0</bpmn:incoming>
        <bpmn:incoming>Back</bpmn:incoming><bpmn:outgoing>R1</bpmn:outgoing></bpmn:intermediateThrowEvent>
      <bpmn:sequenceFlow id="R1" sourceRef="Round" targetRef="{fork_in}" />{fork}
      <bpmn:userTask id="Node" name="填报"><bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="a.json" /></spiffworkflow:properties>
        </bpmn:extensionElements><bpmn:incoming>{"R2" if side_timer else "R1"}</bpmn:incoming>
        <bpmn:outgoing>F2</bpmn:outgoing></bpmn:userTask>
      <bpmn:scriptTask id="Add" name="累加"><bpmn:incoming>F2</bpmn:incoming><bpmn:outgoing>F3</bpmn:outgoing>
        <bpmn:script>n = n + 1
total = total + x
scratch = n
del scratch</bpmn:script></bpmn:scriptTask>
      <bpmn:exclusiveGateway id="Gw" default="Out"><bpmn:incoming>F3</bpmn:incoming>
        <bpmn:outgoing>Back</bpmn:outgoing><bpmn:outgoing>Out</bpmn:outgoing></bpmn:exclusiveGateway>
      <bpmn:sequenceFlow id="F2" sourceRef="Node" targetRef="Add" />
      <bpmn:sequenceFlow id="F3" sourceRef="Add" targetRef="Gw" />
      <bpmn:sequenceFlow id="Back" sourceRef="Gw" targetRef="Round">
        <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">n &lt; rounds</bpmn:conditionExpression>
      </bpmn:sequenceFlow>
      <bpmn:endEvent id="Done"><bpmn:incoming>Out</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="Out" sourceRef="Gw" targetRef="Done" />"""
    doc = s.document(f"""
  <bpmn:process id="p" name="轮次" isExecutable="true">
    <bpmn:laneSet id="LS"><bpmn:lane id="L" name="unit_staff"><bpmn:flowNodeRef>Node</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="StartEvent"><bpmn:outgoing>F0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F0" sourceRef="StartEvent" targetRef="Round" />{body}
  </bpmn:process>""")
    return doc


def run_rounds(runner: Runner, doc: bytes, rounds: int, sizes: list[int] | None = None):
    pkg = compile_files({"p.bpmn": doc, "a.json": FORM})
    wf = runner.start(pkg, {"n": 0, "total": 0, "rounds": rounds})
    for i in range(1, rounds + 1):
        (task,) = [t for t in wf.user_tasks() if t.name == "Node"]
        wf = runner.complete(wf, task.task_id, {"x": i})
        if sizes is not None:
            sizes.append(len(wf.bpmn.tasks))
    return wf


def test_a_marked_loop_keeps_one_round_and_its_data(runner: Runner) -> None:
    sizes: list[int] = []
    wf = run_rounds(runner, round_flow(mark=True), 60, sizes)
    assert wf.status == "completed"
    assert wf.data["n"] == 60 and wf.data["total"] == sum(range(1, 61))
    assert "scratch" not in wf.data  # a variable deleted in a round stays deleted in the next
    # The tree is as large in round 59 as in round 2: nothing from finished rounds piles up,
    # and the loop limit (20 passes) is never reached because each pass is a fresh round.
    assert sizes[1] == sizes[58]


def test_the_state_text_stops_growing(runner: Runner) -> None:
    pkg = compile_files({"p.bpmn": round_flow(mark=True), "a.json": FORM})
    wf = runner.start(pkg, {"n": 0, "total": 0, "rounds": 1000})
    lengths = []
    for _ in range(30):
        (task,) = wf.user_tasks()
        wf = runner.complete(wf, task.task_id, {"x": 1})
        lengths.append(len(wf.dump()))
    assert max(lengths[2:]) - min(lengths[2:]) < 64  # only ids and digits differ


def test_without_the_mark_the_loop_grows_until_the_limit(runner: Runner) -> None:
    sizes: list[int] = []
    with pytest.raises(LoopLimitError, match="填报"):
        run_rounds(runner, round_flow(mark=False), 25, sizes)
    assert sizes[-1] > sizes[0] * 5


def test_a_round_with_a_branch_still_waiting_is_kept(runner: Runner, manual_clock) -> None:
    # Each round forks a timer that waits a year; dropping the old round would lose it, so nothing is dropped.
    sizes: list[int] = []
    wf = run_rounds(runner, round_flow(mark=True, side_timer=True), 5, sizes)
    assert sizes[-1] > sizes[0]
    assert wf.status == "waiting" and wf.data["n"] == 5
    waiting = wf.next_timer_due()
    assert waiting is not None
    from datetime import timedelta

    manual_clock.advance(timedelta(days=370))
    wf.refresh()
    assert wf.status == "completed"
