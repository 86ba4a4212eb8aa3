"""Engine/Workflow behaviour on the simple flow and small generated flows."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from server.engine.errors import LoopLimitError, OperatorError, ScriptError, TaskNotReady
from server.engine.operators import OperatorCall, default_registry
from server.engine.runtime import Engine
from server.engine.timers import ClockDatetime
from tests.engine import snippets as s
from tests.engine.conftest import FLOWS, T0, Runner, compile_files


def test_simple_flow_both_branches(runner: Runner, simple_pkg) -> None:
    wf = runner.start(simple_pkg)
    a = wf.user_tasks()[0]
    assert (a.name, a.title, a.lane, a.form_schema, a.ready_at) == (
        "task_a",
        "填写 A",
        "unit_staff",
        "a.json",
        T0,
    )
    wf = runner.complete(wf, a.task_id, {"x": 11})
    b = wf.user_tasks()[0]
    assert (b.name, b.data) == ("task_b", {"x": 11})
    wf = runner.complete(wf, b.task_id, {"note": "好"})
    assert (wf.status, wf.data) == ("completed", {"x": 11, "note": "好"})
    assert wf.completed_task_names() == ["StartEvent_1", "task_a", "Gateway_X", "task_b", "EndEvent_1"]

    wf = runner.start(simple_pkg, {"seed": 1})
    wf = runner.complete(wf, wf.user_tasks()[0].task_id, {"x": 3})
    assert (wf.status, wf.data) == ("completed", {"seed": 1, "x": 3})
    assert "task_b" not in wf.completed_task_names()


def test_complete_refuses_tasks_that_are_not_open(runner: Runner, simple_pkg) -> None:
    wf = runner.start(simple_pkg)
    a = wf.user_tasks()[0].task_id
    for bad in ["not-a-uuid", str(uuid.uuid4())]:
        with pytest.raises(TaskNotReady):
            wf.complete(bad, {})
    future = next(t for t in wf.bpmn.get_tasks() if t.task_spec.name == "task_b")
    with pytest.raises(TaskNotReady):
        wf.complete(str(future.id), {})
    wf.complete(a, {"x": 11})
    with pytest.raises(TaskNotReady):
        wf.complete(a, {"x": 12})  # already done


def test_form_lists_replace_instead_of_merging(runner: Runner, simple_pkg) -> None:
    wf = runner.start(simple_pkg, {"x": 0, "tags": [1, 2]})
    wf = runner.complete(wf, wf.user_tasks()[0].task_id, {"x": 20, "tags": [5, 5]})
    assert wf.user_tasks()[0].data["tags"] == [5, 5]


def test_spec_is_deserialized_once_per_version(engine: Engine, simple_pkg) -> None:
    wf = engine.start("v1", simple_pkg.spec_json)
    cached = engine.specs("v1", simple_pkg.spec_json)
    again = engine.load("v1", "not even json: the cache answers", wf.dump())
    assert again.bpmn.spec is cached[0]
    assert '"task_specs"' not in wf.dump()  # the spec is stored by reference, not in the blob


def _timer_flow(kind: str, expression: str) -> Any:
    return compile_files({"p.bpmn": s.flow(s.timer_event(kind, expression))})


def test_duration_timer_waits_for_the_clock(runner: Runner, manual_clock) -> None:
    wf = runner.start(_timer_flow("timeDuration", '"PT1H"'))
    assert wf.status == "waiting" and wf.user_tasks() == []
    assert wf.next_timer_due() == T0 + timedelta(hours=1)
    manual_clock.advance(timedelta(minutes=59))
    wf.refresh()
    wf = runner.again(wf)
    assert wf.status == "waiting"
    manual_clock.advance(timedelta(minutes=2))
    wf.refresh()
    assert wf.status == "completed" and wf.next_timer_due() is None


def test_date_timer_far_in_the_future(runner: Runner, manual_clock) -> None:
    wf = runner.start(_timer_flow("timeDate", '"2026-06-30T00:00:00+08:00"'))
    due = datetime(2026, 6, 29, 16, 0, tzinfo=UTC)
    assert wf.next_timer_due() == due
    for month in range(4, 7):
        manual_clock.set(datetime(2026, month, 28, tzinfo=UTC))
        wf.refresh()
        wf = runner.again(wf)
        assert wf.status == "waiting"
    manual_clock.set(due + timedelta(minutes=1))
    wf.refresh()
    assert wf.status == "completed"


def test_timer_expression_from_data(runner: Runner, manual_clock) -> None:
    wf = runner.start(_timer_flow("timeDate", "deadline"), {"deadline": "2026-03-10T00:00:00+00:00"})
    assert wf.next_timer_due() == datetime(2026, 3, 10, tzinfo=UTC)
    with pytest.raises(ScriptError):
        runner.start(_timer_flow("timeDate", "deadline"), {"deadline": "2026-03-10T00:00:00"})  # naive


def test_patched_datetime_uses_real_time_outside_engine_calls() -> None:
    assert abs(ClockDatetime.now(UTC) - datetime.now(UTC)) < timedelta(seconds=5)
    assert isinstance(datetime.now(), ClockDatetime)


@pytest.mark.parametrize(
    ("script", "words"),
    [
        ("x = 1 / 0", "ZeroDivisionError"),
        ("y = '{0.__class__}'.format(1)", "format"),
        ("y = 'a' * 10 ** 10", "结果过大"),
        ("y = undefined_name", "NameError"),
    ],
)
def test_runtime_script_failures_name_the_element(runner: Runner, script: str, words: str) -> None:
    pkg = compile_files({"p.bpmn": s.flow(s.script_task(script))})
    with pytest.raises(ScriptError) as err:
        runner.start(pkg)
    assert err.value.element_id == "Node"
    assert "Node" in str(err.value) and words in str(err.value)


def test_runaway_script_is_stopped(runner: Runner) -> None:
    hostile = FLOWS / "hostile" / "runaway_script.bpmn"
    pkg = compile_files({"runaway_script.bpmn": hostile.read_bytes()})
    started = time.monotonic()
    with pytest.raises(ScriptError) as err:
        runner.start(pkg)  # default budget: 2 s
    assert time.monotonic() - started < 30  # generous: it stopped and raised
    assert err.value.element_id == "Task_1" and "秒" in str(err.value)


def test_gateway_condition_error_names_the_gateway(runner: Runner, simple_pkg) -> None:
    wf = runner.start(simple_pkg)
    with pytest.raises(ScriptError) as err:
        wf.complete(wf.user_tasks()[0].task_id, {"y": 1})  # no x: the condition fails
    assert "x" in str(err.value)


def test_operator_gets_context_and_result_is_stored(manual_clock) -> None:
    seen: list[OperatorCall] = []
    registry = default_registry()

    @registry.operator("library.admit")
    def admit(call: OperatorCall, project: str, amount: float) -> dict[str, Any]:
        seen.append(call)
        return {"admitted": project, "amount": amount}

    pkg = compile_files(
        {"p.bpmn": s.flow(s.service_task("library.admit", {"project": "name", "amount": "amount * 2"}))},
        registry,
    )
    runner = Runner(Engine(operators=registry, clock=manual_clock))
    session = object()
    wf = runner.start(pkg, {"name": "教学楼", "amount": 5}, context=session)
    assert wf.data["out"] == {"admitted": "教学楼", "amount": 10}
    assert seen[0].context is session and seen[0].element_id == "Node" and seen[0].data["name"] == "教学楼"
    with pytest.raises(TypeError):
        seen[0].data["name"] = "x"  # type: ignore[index]  # read-only view


def test_operator_failures_are_operator_errors(manual_clock) -> None:
    registry = default_registry()
    registry.register("util.fail", lambda call, **kw: 1 / 0)
    pkg = compile_files({"p.bpmn": s.flow(s.service_task("util.fail", {}))}, registry)
    with pytest.raises(OperatorError) as err:
        Runner(Engine(operators=registry, clock=manual_clock)).start(pkg)
    assert err.value.element_id == "Node" and isinstance(err.value, ScriptError)
    # deployed while the operator existed, run where it does not
    with pytest.raises(OperatorError, match="util.fail"):
        Runner(Engine(operators=default_registry(), clock=manual_clock)).start(pkg)


def test_assignee_and_due_at_expressions(runner: Runner) -> None:
    props = (
        '<spiffworkflow:property name="assignee" value="owner.upper()" />'
        '<spiffworkflow:property name="dueAt" value="deadline" />'
    )
    pkg = compile_files({"p.bpmn": s.flow(s.user_task(props=props)), "a.json": s.FORM})
    wf = runner.start(pkg, {"owner": "school1", "deadline": "2026-04-01T17:00:00+08:00"})
    task = wf.user_tasks()[0]
    assert task.assignee == "SCHOOL1"
    assert task.due_at == datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def test_title_suffix_names_the_task_once_it_is_ready(runner: Runner) -> None:
    """titleSuffix (issue 12.10): evaluated in the sandbox when the task becomes ready and kept with it; an
    expression that fails leaves the element's name (a title is for reading, it does not stop the flow)."""
    props = '<spiffworkflow:property name="titleSuffix" value="str(year) + &quot;年&quot; + str(month) + &quot;月&quot;" />'
    pkg = compile_files({"p.bpmn": s.flow(s.user_task(props=props, name="填报监控报告")), "a.json": s.FORM})
    wf = runner.start(pkg, {"year": 2026, "month": 3})
    assert wf.user_tasks()[0].title == "填报监控报告（2026年3月）"
    assert runner.start(pkg, {"year": 2026}).user_tasks()[0].title == "填报监控报告"  # month unknown


def test_due_in_months_is_calendar_aware(runner: Runner, manual_clock) -> None:
    manual_clock.set(datetime(2026, 1, 31, tzinfo=UTC))
    props = '<spiffworkflow:property name="dueIn" value="P1M" />'
    pkg = compile_files({"p.bpmn": s.flow(s.user_task(props=props)), "a.json": s.FORM})
    assert runner.start(pkg).user_tasks()[0].due_at == datetime(2026, 3, 3, tzinfo=UTC)


def test_decimal_and_date_data_survive_the_blob(runner: Runner) -> None:
    pkg = compile_files(
        {"p.bpmn": s.flow(s.script_task("total = Decimal('1.10') * 3\nday = date(2026, 6, 30)"))}
    )
    wf = runner.start(pkg)
    assert wf.data["total"] == Decimal("3.30")
    assert wf.data["day"].isoformat() == "2026-06-30"


def test_automatic_loop_without_user_task_is_stopped(runner: Runner) -> None:
    body = """<bpmn:scriptTask id="Node" name="加一"><bpmn:incoming>F1</bpmn:incoming><bpmn:incoming>Back</bpmn:incoming>
      <bpmn:outgoing>F2</bpmn:outgoing><bpmn:script>n = n + 1</bpmn:script></bpmn:scriptTask>"""
    doc = (
        s.flow(body)
        .replace(
            b'<bpmn:sequenceFlow id="F2" sourceRef="Node" targetRef="EndEvent" />',
            b"""<bpmn:sequenceFlow id="F2" sourceRef="Node" targetRef="Gw" />
        <bpmn:exclusiveGateway id="Gw" default="F3"><bpmn:incoming>F2</bpmn:incoming>
          <bpmn:outgoing>Back</bpmn:outgoing><bpmn:outgoing>F3</bpmn:outgoing></bpmn:exclusiveGateway>
        <bpmn:sequenceFlow id="Back" sourceRef="Gw" targetRef="Node">
          <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">n &lt; limit</bpmn:conditionExpression>
        </bpmn:sequenceFlow>
        <bpmn:sequenceFlow id="F3" sourceRef="Gw" targetRef="EndEvent" />""",
        )
        .replace(
            b"<bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>",
            b"<bpmn:incoming>F3</bpmn:incoming></bpmn:endEvent>",
        )
    )
    pkg = compile_files({"p.bpmn": doc})
    assert runner.start(pkg, {"n": 0, "limit": 5}).data["n"] == 5
    with pytest.raises(LoopLimitError, match="Node"):
        runner.start(pkg, {"n": 0, "limit": 10**9})


def test_scripts_keep_underscore_data_keys(runner: Runner) -> None:
    pkg = compile_files({"p.bpmn": s.flow(s.script_task("y = 1"))})
    assert runner.start(pkg, {"_meta": {"source": "api"}}).data == {"_meta": {"source": "api"}, "y": 1}
