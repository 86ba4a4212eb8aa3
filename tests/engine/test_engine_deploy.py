"""compile_package: the good fixtures compile stably; hostile and broken uploads are refused by element."""

from __future__ import annotations

import json
import time

import pytest

from server.engine.errors import DeployError, Problem
from server.engine.operators import default_registry
from server.engine.parsing import compile_package
from tests.engine import snippets as s
from tests.engine.conftest import FLOWS, ROLES, compile_files, read_flow


def refused(files: dict[str, bytes]) -> list[Problem]:
    with pytest.raises(DeployError) as err:
        compile_files(files)
    assert err.value.problems
    return err.value.problems


def test_review_package_fields(review_pkg) -> None:
    assert (review_pkg.process_id, review_pkg.name) == ("review_flow", "项目审核（测试流程）")
    assert set(review_pkg.sources) == {"review.bpmn", "review_rules.dmn"}
    assert set(review_pkg.forms) == {
        "apply.json",
        "apply.ui.json",
        "review.json",
        "expert_score.json",
        "escalate.json",
    }
    assert review_pkg.forms["apply.json"]["properties"]["amount"]["minimum"] == 0
    spec = json.loads(review_pkg.spec_json)
    assert review_pkg.spec_json == json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert len(review_pkg.checksum) == 64


def test_compile_is_deterministic_and_checksum_tracks_content() -> None:
    files = read_flow("review")
    a, b = compile_files(files), compile_files(dict(reversed(list(files.items()))))
    assert (a.spec_json, a.checksum) == (b.spec_json, b.checksum)
    files["review.json"] = files["review.json"].replace("审核意见".encode(), "意见".encode())
    assert compile_files(files).checksum != a.checksum


@pytest.mark.parametrize(
    ("fixture", "element", "words"),
    [
        ("xxe.bpmn", None, "DOCTYPE"),
        ("billion_laughs.bpmn", None, "DOCTYPE"),
        ("import_os.bpmn", "Task_1", "import"),
        ("dunder_condition.bpmn", "Flow_2", "__class__"),
        ("unknown_lane.bpmn", "Lane_1", "泳道“hacker”不是已知角色"),
        ("missing_form.bpmn", "Task_1", "nope.json"),
        ("unknown_operator.bpmn", "Task_1", "os.system"),
        ("naive_timer.bpmn", "Task_1", "时区"),
    ],
)
def test_hostile_fixture_refused(fixture: str, element: str | None, words: str) -> None:
    hostile = FLOWS / "hostile"
    started = time.monotonic()
    problems = refused(
        {fixture: (hostile / fixture).read_bytes(), "a.json": (hostile / "a.json").read_bytes()}
    )
    assert time.monotonic() - started < 5
    assert any(p.element_id == element and words in p.message and p.file == fixture for p in problems), (
        problems
    )
    assert not any("root:" in p.message for p in problems)  # /etc/passwd never read


def test_runaway_script_compiles_it_is_stopped_at_run_time() -> None:
    hostile = FLOWS / "hostile"
    pkg = compile_files({"runaway_script.bpmn": (hostile / "runaway_script.bpmn").read_bytes()})
    assert pkg.process_id == "runaway_script"


@pytest.mark.parametrize(
    ("files", "element", "words"),
    [
        ({"p.bpmn": b"<bpmn:definitions"}, None, "XML"),
        ({"p.bpmn": s.flow(s.script_task("x = 1")).replace(b'id="F2"', b'id="F1"')}, "F1", "重复"),
        ({"p.txt": b"hello"}, None, "不支持"),
        ({"a.json": s.FORM}, None, "BPMN"),
        ({"p.bpmn": s.flow(s.user_task()), "a.json": b"{not json"}, None, "JSON"),
        ({"p.bpmn": s.flow(s.user_task()), "a.json": b'{"type": 12}'}, None, "JSON Schema"),
        ({"p.bpmn": s.flow(s.user_task(), lane=None), "a.json": s.FORM}, "Node", "不在任何泳道"),
        (
            {
                "p.bpmn": s.flow(
                    s.user_task(props='<spiffworkflow:property name="formUiSchemaFilename" value="u.json" />')
                ),
                "a.json": s.FORM,
            },
            "Node",
            "u.json",
        ),
        (
            {
                "p.bpmn": s.flow(
                    s.user_task(props='<spiffworkflow:property name="assignee" value="__import__" />')
                ),
                "a.json": s.FORM,
            },
            "Node",
            "assignee",
        ),
        (
            {
                "p.bpmn": s.flow(
                    s.user_task(props='<spiffworkflow:property name="titleSuffix" value="__import__(1)" />')
                ),
                "a.json": s.FORM,
            },
            "Node",
            "titleSuffix",
        ),
        (
            {
                "p.bpmn": s.flow(s.user_task(props='<spiffworkflow:property name="dueIn" value="5 days" />')),
                "a.json": s.FORM,
            },
            "Node",
            "dueIn",
        ),
        (
            {
                "p.bpmn": s.flow(s.user_task(
                    props='<spiffworkflow:property name="fieldErrorsVariable" value="report errors" />')),
                "a.json": s.FORM,
            },
            "Node",
            "fieldErrorsVariable",
        ),
        ({"p.bpmn": s.flow(s.script_task("x = (")), "a.json": s.FORM}, "Node", "语法错误"),
        ({"p.bpmn": s.flow(s.script_task("open('/etc/passwd')"))}, "Node", "open"),
        ({"p.bpmn": s.flow(s.timer_event("timeDuration", "P5D"))}, "Node", '"P5D"'),
        ({"p.bpmn": s.flow(s.timer_event("timeDuration", '"5 days"'))}, "Node", "无法解析"),
        ({"p.bpmn": s.flow(s.timer_event("timeCycle", '"R3/2026-01-01T00:00:00/P1D"'))}, "Node", "时区"),
        ({"p.bpmn": s.flow(s.service_task("util.echo", {"v": "x.__class__"}))}, "Node", "服务参数"),
        ({"p.bpmn": s.flow(s.business_rule("no_such_table"))}, "Node", "no_such_table"),
        (
            {
                "one.bpmn": s.flow(s.script_task("x = 1"), pid="one"),
                "two.bpmn": s.flow(s.script_task("x = 1"), pid="two"),
            },
            "one",
            "多个主流程",
        ),
        (
            {"p.bpmn": s.flow(s.script_task("x = 1")).replace(b'"StartEvent"', b'"Start"')},
            "Start",
            "内部名称",
        ),
        ({"p.bpmn": s.document(s.process("off", s.script_task("x = 1"), executable=False))}, None, "主流程"),
    ],
)
def test_broken_upload_refused(files: dict[str, bytes], element: str | None, words: str) -> None:
    problems = refused(files)
    assert any(p.element_id == element and words in p.message for p in problems), problems


def test_timer_forms_that_are_fine() -> None:
    for kind, expr in [
        ("timeDuration", '"PT1H"'),
        ("timeDate", '"2026-06-30T00:00:00+08:00"'),
        ("timeCycle", '"R2/2026-01-01T00:00:00Z/P1M"'),
        ("timeDate", "deadline"),  # an expression: checked when it runs
    ]:
        assert compile_files({"p.bpmn": s.flow(s.timer_event(kind, expr))}).process_id == "p"


def test_roles_come_from_the_caller() -> None:
    files = {"p.bpmn": s.flow(s.user_task(), lane="dept_reviewer"), "a.json": s.FORM}
    assert compile_files(files).process_id == "p"
    with pytest.raises(DeployError) as err:
        compile_package(files, known_roles={"unit_staff"}, operators=default_registry())
    assert "dept_reviewer" in err.value.problems[0].message


def test_operators_come_from_the_registry() -> None:
    files = {"p.bpmn": s.flow(s.service_task("library.admit", {"project": "'x'"}))}
    registry = default_registry()
    with pytest.raises(DeployError):
        compile_package(files, known_roles=ROLES, operators=registry)
    registry.register("library.admit", lambda call, **kw: None)
    assert compile_package(files, known_roles=ROLES, operators=registry).process_id == "p"


def test_call_activity_target_is_not_the_main_process() -> None:
    caller = """<bpmn:callActivity id="Node" name="调用" calledElement="child">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:callActivity>"""
    files = {
        "main.bpmn": s.document(s.process("main", caller, lane=None)),
        "child.bpmn": s.document(s.process("child", s.script_task("y = 2"), lane=None)),
    }
    pkg = compile_files(files)
    assert pkg.process_id == "main"
    assert "child" in json.loads(pkg.spec_json)["subprocess_specs"]


def test_dmn_entries_go_through_the_sandbox() -> None:
    dmn = (FLOWS / "review" / "review_rules.dmn").read_bytes().replace(b"&gt;= 1000000", b"().__class__")
    files = {**read_flow("review"), "review_rules.dmn": dmn}
    problems = refused(files)
    assert any(p.element_id == "InputEntry_major" and p.file == "review_rules.dmn" for p in problems), (
        problems
    )
