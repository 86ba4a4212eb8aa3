"""Deploy-time checks that refuse a version which would fail later, naming file and element.

Documents are checked on the XML (namespace-agnostic by local name, so DMN 1.1-1.3 all work) because
that keeps element ids and file names at hand; the lane rule for user tasks is checked on the parsed
specs, where SpiffWorkflow has already given tasks inside embedded subprocesses their parent's lane.
Rule: every human task (user, manual, plain `<task>`) is offered to a role: its lane is a role code, or the
deploy maps the lane to one (server.engine.lanes), or the deploy gives a default role for it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec

from server.engine import form_schema, timers
from server.engine.errors import Problem
from server.engine.i18n import _
from server.engine.lanes import LaneRoles
from server.engine.operators import OperatorRegistry
from server.engine.sandbox import SandboxSyntaxError, compile_source

Docs = dict[str, tuple[str, etree._Element]]
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_EXEC = {"script", "preScript", "postScript"}
_EVAL = {
    "conditionExpression",
    "loopCardinality",
    "completionCondition",
    "loopCondition",
    "condition",
    "messagePayload",
    "formalExpression",
    "messagePath",
}
_TIMERS = {"timeDate", "timeDuration", "timeCycle"}
_RESERVED = {"Start", "End", "Root"}
_RESERVED_SUFFIXES = (".EndJoin", ".BoundaryEventSplit", ".BoundaryEventJoin", " [child]")
_UI_SUFFIXES = (".ui.json", "uischema.json", "-ui.json", "_ui.json")


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _iter(root: etree._Element, *names: str) -> Iterator[etree._Element]:
    wanted = set(names)
    for el in root.iter(etree.Element):
        if _local(el) in wanted:
            yield el


def _owner(el: etree._Element) -> str | None:
    """Id of the nearest diagram element (self or ancestor) that has one.

    Spiff extension elements (whose `id` is an operator or parameter name) and event definitions
    are skipped so the message names the task or event a modeller can click on.
    """
    cur: etree._Element | None = el
    while cur is not None:
        skip = etree.QName(cur).namespace == SPIFF_NS or _local(cur).endswith("EventDefinition")
        if cur.get("id") and not skip:
            return cur.get("id")
        cur = cur.getparent()
    return None


def _runs(el: etree._Element) -> bool:
    """The element belongs to an executable process (a partner's pool drawn for context never runs here)."""
    process = next((a for a in el.iterancestors() if _local(a) == "process"), None)
    return process is None or (process.get("isExecutable") or "true").strip().lower() != "false"


def lanes_of(root: etree._Element) -> Iterator[etree._Element]:
    return _iter(root, "lane")


def _properties(root: etree._Element) -> Iterator[tuple[etree._Element, str, str]]:
    for prop in _iter(root, "property"):
        yield prop, prop.get("name") or "", prop.get("value") or ""


def check_forms(raw_json: dict[str, bytes], docs: Docs) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    ui_names = {
        v for _kind, root in docs.values() for _el, n, v in _properties(root) if n == "formUiSchemaFilename"
    }
    forms: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for name, raw in raw_json.items():
        try:
            value = form_schema.strict_loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            problems.append(Problem(name, None, _("表单文件不是有效的 JSON：%(error)s", error=exc)))
            continue
        except RecursionError:
            problems.append(Problem(name, None, _("表单文件嵌套层级过深")))
            continue
        if not isinstance(value, dict):
            problems.append(Problem(name, None, _("表单文件必须是 JSON 对象")))
            continue
        if name not in ui_names and not name.lower().endswith(_UI_SUFFIXES):
            try:
                Draft202012Validator.check_schema(value)
            except SchemaError as exc:
                problems.append(
                    Problem(name, None, _("不是有效的 JSON Schema（2020-12）：%(error)s", error=exc.message))
                )
                continue
            except RecursionError:
                problems.append(Problem(name, None, _("表单文件嵌套层级过深")))
                continue
            unsafe = form_schema.form_problems(value)
            if unsafe:
                problems.extend(Problem(name, None, message) for message in unsafe)
                continue
        forms[name] = value
    return forms, problems


def _compile_problem(file: str, el: etree._Element, source: str, mode: str, what: str) -> Problem | None:
    try:
        compile_source(source, mode)  # type: ignore[arg-type]
    except SandboxSyntaxError as exc:
        return Problem(
            file,
            _owner(el),
            _(
                "%(what)s无法通过安全沙箱编译：%(error)s（元素 %(element)s）",
                what=what,
                error=exc.msg,
                element=_owner(el),
            ),
        )
    return None


def _timer_problem(file: str, el: etree._Element, text: str) -> Problem | None:
    kind, owner = _local(el), _owner(el)
    found = _compile_problem(file, el, text, "eval", _("定时器表达式"))
    if found is not None:
        return Problem(file, owner, found.message)
    node = ast.parse(text.strip(), mode="eval").body
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        message = timers.check_timer_literal(kind, node.value)
        if message:
            return Problem(file, owner, _("%(problem)s（元素 %(element)s）", problem=message, element=owner))
    elif isinstance(node, ast.Name) and timers.check_timer_literal(kind, node.id) is None:
        return Problem(
            file,
            owner,
            _(
                '定时器表达式是 Python 表达式，请写成 "%(name)s"（带引号）（元素 %(element)s）',
                name=node.id,
                element=owner,
            ),
        )
    return None


def _dmn_entry_problem(file: str, el: etree._Element, text: str) -> Problem | None:
    # Mirrors DMNEngine: `?` stands for the input; a bare comparison like `>= 5` gets a left operand.
    if text.strip() in ("", "-"):
        return None
    src = text.replace("?", "dmninputexpr")
    try:
        compile_source(src, "eval")
        return None
    except SandboxSyntaxError:
        return _compile_problem(file, el, f"v {src}", "eval", _("决策表条件"))


def _expression_problems(file: str, root: etree._Element, kind: str) -> Iterator[Problem | None]:
    for el in _iter(root, *_EXEC):
        if (el.text or "").strip():
            yield _compile_problem(file, el, el.text or "", "exec", _("脚本"))
    for el in _iter(root, *_EVAL):
        if (el.text or "").strip():
            yield _compile_problem(file, el, el.text or "", "eval", _("表达式"))
    for el in _iter(root, *_TIMERS):
        if (el.text or "").strip():
            yield _timer_problem(file, el, el.text or "")
    for el in _iter(root, "parameter"):
        if el.get("value"):
            yield _compile_problem(
                file, el, el.get("value") or "", "eval", _("服务参数“%(id)s”", id=el.get("id"))
            )
        elif el.get("value") is not None and etree.QName(el).namespace == SPIFF_NS:
            # SpiffWorkflow keeps an empty value and fails on it only when the step runs.
            yield Problem(file, _owner(el), _("服务参数“%(id)s”没有取值（元素 %(element)s）；请填写表达式，如变量名或 \"文字\"",
                                              id=el.get("id"), element=_owner(el)))
    for el, name, value in _properties(root):
        if name in ("assignee", "dueAt", "titleSuffix") and value:
            yield _compile_problem(file, el, value, "eval", _("属性 %(name)s ", name=name))
        elif name == "fieldErrorsVariable" and not value.strip().isidentifier():
            yield Problem(
                file,
                _owner(el),
                _("fieldErrorsVariable“%(value)s”不是变量名（元素 %(element)s）", value=value, element=_owner(el)),
            )
        elif name == "dueIn" and timers.check_timer_literal("timeDuration", value.strip()):
            yield Problem(
                file,
                _owner(el),
                _("dueIn“%(value)s”不是 ISO-8601 时长（元素 %(element)s）", value=value, element=_owner(el)),
            )
    if kind == "dmn":
        for el in _iter(root, "inputExpression", "outputEntry"):
            text = next((c.text for c in el if _local(c) == "text"), None)
            if text and text.strip():
                yield _compile_problem(file, el, text, "eval", _("决策表表达式"))
        for el in _iter(root, "inputEntry"):
            text = next((c.text for c in el if _local(c) == "text"), None)
            if text:
                yield _dmn_entry_problem(file, el, text)


def _reserved_ids(file: str, root: etree._Element) -> Iterator[Problem]:
    # SpiffWorkflow names its own task specs Start, End, Root and <process>.EndJoin / <task>.Boundary*;
    # a diagram element with such an id silently replaces them and the process loses its tasks.
    seen: set[str] = set()
    for el in root.iter(etree.Element):
        ident = el.get("id") or ""
        if ident and ident in seen and etree.QName(el).namespace != SPIFF_NS:
            # The XSD refuses this, but SpiffWorkflow's parser silently keeps one of the two elements.
            yield Problem(file, ident, _("元素 id“%(id)s”重复，请改名（元素 %(id)s）", id=ident))
        if etree.QName(el).namespace != SPIFF_NS:
            seen.add(ident)
        if ident in _RESERVED or ident.endswith(_RESERVED_SUFFIXES):
            yield Problem(
                file, ident, _("元素 id“%(id)s”与引擎内部名称冲突，请改名（元素 %(id)s）", id=ident)
            )


def check_documents(
    docs: Docs,
    *,
    known_roles: set[str],
    operators: OperatorRegistry,
    forms: dict[str, Any],
    lanes: LaneRoles | None = None,
) -> list[Problem]:
    lanes = lanes or LaneRoles(frozenset(known_roles))
    found: list[Problem | None] = []
    decisions = {
        d.get("id") for kind, root in docs.values() if kind == "dmn" for d in _iter(root, "decision")
    }
    for file, (kind, root) in docs.items():
        if kind == "bpmn":
            found.extend(_reserved_ids(file, root))
        for lane in _iter(root, "lane"):
            name = (lane.get("name") or "").strip()
            if lanes.role_for(name) is None and _runs(lane):
                found.append(
                    Problem(
                        file,
                        lane.get("id"),
                        _(
                            "泳道“%(name)s”不是已知角色，部署时请把它映射到角色（lane_roles）或指定默认角色"
                            "（default_role）；可选角色：%(valid)s（元素 %(element)s）",
                            name=name,
                            valid=lanes.valid_roles(),
                            element=lane.get("id"),
                        ),
                    )
                )
        for el, name, value in _properties(root):
            if name in ("formJsonSchemaFilename", "formUiSchemaFilename") and value and value not in forms:
                found.append(
                    Problem(
                        file,
                        _owner(el),
                        _("表单文件“%(value)s”未上传（元素 %(element)s）；可选表单：%(valid)s", value=value,
                          element=_owner(el), valid=_form_choices(forms, ui=name == "formUiSchemaFilename")),
                    )
                )
        for op in _iter(root, "serviceTaskOperator"):
            if op.get("id") not in operators:
                found.append(
                    Problem(
                        file,
                        _owner(op),
                        _(
                            "未知的服务操作“%(name)s”（元素 %(element)s）；可用的服务操作：%(valid)s",
                            name=op.get("id"),
                            element=_owner(op),
                            valid="、".join(sorted(operators.names())) or _("（无）"),
                        ),
                    )
                )
        for el in _iter(root, "calledDecisionId"):
            ref = (el.text or "").strip()
            if ref not in decisions:
                found.append(
                    Problem(
                        file,
                        _owner(el),
                        _(
                            "决策“%(ref)s”不在上传的 DMN 文件中（元素 %(element)s）；可选决策：%(valid)s",
                            ref=ref,
                            element=_owner(el),
                            valid="、".join(sorted(d for d in decisions if d)) or _("（没有上传决策表）"),
                        ),
                    )
                )
        found.extend(_expression_problems(file, root, kind))
    return [p for p in found if p is not None]


def _form_choices(forms: dict[str, Any], *, ui: bool) -> str:
    """"apply.json（申请表）、…": the package's forms (or UI schemas) a task may name, for refusal messages."""
    names = sorted(n for n in forms if n.lower().endswith(_UI_SUFFIXES) == ui)

    def shown(name: str) -> str:
        title = forms[name].get("title") if isinstance(forms[name], dict) else None
        return f"{name}（{title}）" if title and not ui else name

    return "、".join(shown(n) for n in names) or _("（没有上传表单）")


def check_references(docs: Docs) -> list[Problem]:
    """Sequence flows that start or end nowhere: SpiffWorkflow's parser fails on them with a misleading message
    ("we found two items"), so they are named here first."""
    problems: list[Problem] = []
    for file, (kind, root) in docs.items():
        if kind != "bpmn":
            continue
        ids = {el.get("id") for el in root.iter(etree.Element) if el.get("id")}
        for flow in _iter(root, "sequenceFlow"):
            ident = flow.get("id") or ""
            for attribute in ("sourceRef", "targetRef"):
                ref = flow.get(attribute)
                if not ref:
                    problems.append(Problem(file, ident or None, _(
                        "顺序流 %(flow)s 缺少 %(attribute)s（元素 %(flow)s）", flow=ident, attribute=attribute)))
                elif ref not in ids:
                    problems.append(Problem(file, ident or None, _(
                        "顺序流 %(flow)s 的 %(attribute)s“%(ref)s”不是图中的元素（元素 %(flow)s）",
                        flow=ident, attribute=attribute, ref=ref)))
    return problems


def check_specs(specs: list[BpmnProcessSpec], lanes: LaneRoles | None = None) -> list[Problem]:
    """Human tasks (user, manual, plain `<task>`: every spec SpiffWorkflow leaves to a person) need a role."""
    problems: list[Problem] = []
    valid = lanes.valid_roles() if lanes else ""
    for spec in specs:
        for ts in spec.task_specs.values():
            if getattr(ts, "manual", False) and not ts.lane and (lanes is None or lanes.default is None):
                ident = ts.bpmn_id or ts.name
                title = ts.bpmn_name or ident
                problems.append(
                    Problem(
                        spec.file or "",
                        ident,
                        _(
                            "人工任务“%(title)s”不在任何泳道中，部署时请指定默认角色（default_role）；"
                            "可选角色：%(valid)s（元素 %(element)s）",
                            title=title,
                            valid=valid,
                            element=ident,
                        ),
                    )
                )
    return problems


_CANCEL_PROPS = ("cancelRoles", "starterMayWithdraw")


def check_cancel_rules(docs: Docs, *, known_roles: set[str]) -> list[Problem]:
    """A process's cancel rule (see server.services.cancel_rules): `cancelRoles` must name known roles and
    `starterMayWithdraw` elements of that process, and both belong on the process itself."""
    problems: list[Problem] = []
    for file, (kind, root) in docs.items():
        if kind != "bpmn":
            continue
        for el, name, value in _properties(root):
            if name not in _CANCEL_PROPS:
                continue
            # The element whose extensionElements hold the property (past spiffworkflow:properties).
            process = next((a for a in el.iterancestors()
                            if etree.QName(a).namespace != SPIFF_NS and _local(a) != "extensionElements"), None)
            owner = _owner(el)
            if process is None or _local(process) != "process":
                problems.append(Problem(file, owner, _(
                    "撤销规则“%(name)s”只能写在流程（process）的扩展属性中（元素 %(element)s）",
                    name=name, element=owner)))
                continue
            items = [part.strip() for part in value.replace("，", ",").split(",") if part.strip()]
            if name == "cancelRoles":
                for role in items:
                    if role not in known_roles:
                        problems.append(Problem(file, owner, _(
                            "撤销规则 cancelRoles 中的“%(role)s”不是已知角色（元素 %(element)s）",
                            role=role, element=owner)))
            else:
                ids = {d.get("id") for d in process.iter(etree.Element) if d.get("id")}
                for step in items:
                    if step not in ids:
                        problems.append(Problem(file, owner, _(
                            "撤销规则 starterMayWithdraw 中的步骤“%(step)s”不在此流程中（元素 %(element)s）",
                            step=step, element=owner)))
    return problems
