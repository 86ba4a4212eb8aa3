"""Stored specs and states written by an older SpiffWorkflow load, run on, and are saved in today's format.

`fixtures/state_v1_4` was written by SpiffWorkflow 3.1.1 (serializer format 1.4, see its make_fixture.py): the
spec of `upgrade.bpmn` and a state waiting in the user task inside its subprocess. The 1.3 state is today's
state with the one change of 1.3 -> 1.4 undone by hand (a started multi-instance task was WAITING).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION

from server.engine.runtime import Engine
from server.engine.state_migration import StateVersionError, migrate_spec
from tests.engine.conftest import Runner, compile_files

V14 = Path(__file__).resolve().parent / "fixtures" / "state_v1_4"
FORM = (V14 / "form.json").read_bytes()
SCORING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs" targetNamespace="t">
  <bpmn:process id="scoring" name="评分" isExecutable="true">
    <bpmn:laneSet id="LaneSet"><bpmn:lane id="Lane" name="expert">
      <bpmn:flowNodeRef>Begin</bpmn:flowNodeRef><bpmn:flowNodeRef>Sub</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>Done</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="Begin"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:subProcess id="Sub" name="专家评分">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
      <bpmn:startEvent id="SubStart"><bpmn:outgoing>S1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:userTask id="Score" name="评分">
        <bpmn:extensionElements><spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="form.json" />
        </spiffworkflow:properties></bpmn:extensionElements>
        <bpmn:incoming>S1</bpmn:incoming><bpmn:outgoing>S2</bpmn:outgoing>
        <bpmn:multiInstanceLoopCharacteristics>
          <bpmn:loopDataInputRef>experts</bpmn:loopDataInputRef>
          <bpmn:loopDataOutputRef>scores</bpmn:loopDataOutputRef>
          <bpmn:inputDataItem id="expert" name="expert" />
          <bpmn:outputDataItem id="x" name="x" />
        </bpmn:multiInstanceLoopCharacteristics>
      </bpmn:userTask>
      <bpmn:endEvent id="SubEnd"><bpmn:incoming>S2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="S1" sourceRef="SubStart" targetRef="Score" />
      <bpmn:sequenceFlow id="S2" sourceRef="Score" targetRef="SubEnd" />
    </bpmn:subProcess>
    <bpmn:endEvent id="Done"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Begin" targetRef="Sub" />
    <bpmn:sequenceFlow id="F2" sourceRef="Sub" targetRef="Done" />
  </bpmn:process>
</bpmn:definitions>"""


def v14() -> tuple[str, str]:
    return (V14 / "spec.json").read_text(encoding="utf-8"), (V14 / "state.json").read_text(encoding="utf-8")


def version_of(blob: str) -> str:
    return json.loads(blob)["serializer_version"]


def relabel(blob: str, version: str) -> str:
    dct = json.loads(blob)
    dct["serializer_version"] = version
    return json.dumps(dct)


def test_the_fixture_is_in_the_previous_format():
    spec, state = v14()
    assert version_of(spec) == version_of(state) == "1.4" != VERSION
    assert "1.4" in MIGRATIONS  # the library still knows the step from it


def test_a_state_saved_by_spiffworkflow_3_1_runs_to_the_end(engine: Engine, manual_clock):
    spec, state = v14()
    runner = Runner(engine)
    runner.specs["upgrade@old"] = spec
    wf = engine.load("upgrade@old", spec, state)
    [fill] = wf.user_tasks()
    assert (fill.name, fill.data) == ("Fill", {"amount": 1})

    wf = runner.complete(wf, fill.task_id, {"x": 5})
    saved = wf.dump()
    assert version_of(saved) == VERSION  # the next save writes today's format
    assert wf.status == "waiting"  # at the event-based gateway: 1 hour, or 30 days

    manual_clock.advance(timedelta(minutes=61))
    wf = engine.load("upgrade@old", spec, saved)
    wf.refresh()
    # The 1.4 spec also armed a timer on the gateway's branch; unmigrated, the branch waited another hour.
    [approve] = wf.user_tasks()
    assert (approve.name, approve.data) == ("Approve", {"amount": 1, "x": 5})
    wf = runner.complete(wf, approve.task_id, {"x": 6})
    assert wf.status == "completed"
    assert wf.data == {"amount": 1, "x": 6}
    assert wf.completed_task_names() == ["Begin", "SubStart", "Fill", "SubEnd", "Sub", "Gateway", "Soon",
                                         "Approve", "Done"]


def test_a_started_multi_instance_task_in_a_subprocess_of_a_1_3_state_still_merges(engine: Engine):
    # SpiffWorkflow's own 1.3 and 1.4 steps raise NameError on any state with a subprocess.
    pkg = compile_files({"scoring.bpmn": SCORING.encode(), "form.json": FORM})
    wf = engine.start("scoring", pkg.spec_json, {"experts": ["a", "b", "c"]})
    first, *rest = wf.user_tasks()
    wf.complete(first.task_id, {"x": 1})
    dct = json.loads(wf.dump())
    [sub] = dct["subprocesses"].values()
    [mi] = [t for t in sub["tasks"].values() if t["task_spec"] == "Score"]
    assert mi["state"] == 32  # STARTED; format 1.3 kept it WAITING
    mi["state"] = 8
    dct["serializer_version"] = "1.3"

    wf = engine.load("scoring", pkg.spec_json, json.dumps(dct))
    assert sorted(t.task_id for t in wf.user_tasks()) == sorted(t.task_id for t in rest)
    for n, task in enumerate(rest, start=2):
        wf.complete(task.task_id, {"x": n})
    assert wf.status == "completed"
    assert wf.data["scores"] == [1, 2, 3]


@pytest.mark.parametrize("version", ["1.6", "2.0"])
def test_a_state_from_a_newer_spiffworkflow_is_refused_and_left_as_it_was(engine: Engine, version):
    spec, state = v14()
    newer = relabel(state, version)
    with pytest.raises(StateVersionError, match=f"格式 {version}，本系统支持到 {VERSION}"):
        engine.load("upgrade@old", spec, newer)
    with pytest.raises(StateVersionError, match=f"格式 {version}"):
        engine.load("upgrade@newer", relabel(spec, version), state)


@pytest.mark.parametrize("version", ["1.2", "1.0", "x"])
def test_formats_from_before_this_project_are_refused_with_a_reason(engine: Engine, version):
    spec, state = v14()
    with pytest.raises(StateVersionError, match="重新部署|无法识别"):
        engine.load("upgrade@ancient", relabel(spec, version), relabel(state, version))
    with pytest.raises(StateVersionError, match="过旧|无法识别"):
        engine.load("upgrade@old", spec, relabel(state, version))


def test_an_old_spec_upgrades_to_what_the_installed_parser_builds():
    # Also fails when an upgraded SpiffWorkflow brings a step state_migration has no spec step for yet.
    fresh = json.loads(compile_files({"upgrade.bpmn": (V14 / "upgrade.bpmn").read_bytes(), "form.json": FORM}).spec_json)
    for version in ("1.3", "1.4"):
        old = json.loads(v14()[0])
        migrate_spec(old, version)
        for name in ("Soon", "Late", "Gateway"):
            assert old["spec"]["task_specs"][name]["event_definition"] == fresh["spec"]["task_specs"][name]["event_definition"]
def test_an_event_based_gateway_waiting_on_timers_reports_its_nearest_due_time(engine: Engine, manual_clock):
    """The timer worker wakes instances by next_timer_due: at a gateway racing two timers, the nearer one."""
    pkg = compile_files({"upgrade.bpmn": (V14 / "upgrade.bpmn").read_bytes(), "form.json": FORM})
    runner = Runner(engine)
    wf = runner.start(pkg, {"amount": 1})
    [fill] = wf.user_tasks()
    wf = runner.complete(wf, fill.task_id, {"x": 5})
    assert wf.status == "waiting"
    assert wf.next_timer_due() == manual_clock.now() + timedelta(hours=1)
