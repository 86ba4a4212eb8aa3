"""Forms for user tasks drawn without one, generated at deploy from what the flow decides on next.

A user task without `formJsonSchemaFilename` used to offer only a confirm button, so the gateway after it
decided on data nobody was asked for. Now deploy reads the conditions of the sequence flows that leave the task
and, when the task leads straight into a gateway, those that leave the gateway; each variable a condition
compares gets a field: `decision == "approve"` a choice of the string literals, `amount > 1000` a number,
`urgent` / `not urgent` / `x is True` a yes/no. When conditions follow but no variable can be typed that way,
deploy refuses and names the task. A task with no condition after it keeps the plain 完成 button.

Convention (so nothing in the diagram needs rewriting): the form of task `T` is `T.form.json` (UI schema
`T.form.ui.json`). A generated form carries `"x-generated": true` and is regenerated at every deploy; once an
administrator saves it (the form editor drops the marker) it is an uploaded form like any other.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from typing import Any

from lxml import etree

from server.engine.errors import Problem
from server.engine.i18n import _

GENERATED = "x-generated"
FORM_SUFFIX = ".form.json"
UI_SUFFIX = ".form.ui.json"
MAX_FIELDS = 50  # a gateway deciding on more is no form a person fills in
_GATEWAYS = {"exclusiveGateway", "inclusiveGateway"}
_FORM_PROPS = ("formJsonSchemaFilename", "formUiSchemaFilename")
Docs = dict[str, tuple[str, etree._Element]]
# Readable titles for names and values flows commonly decide on. They are the generated form's content (like a
# form file's titles, not page text), so the administrator rewords them in the form editor.
COMMON_TITLES = {
    "decision": "审核意见", "amount": "金额", "approved": "是否同意", "agree": "是否同意", "score": "得分",
    "grade": "等级", "urgent": "是否紧急", "reason": "理由", "opinion": "意见", "total": "合计",
}
COMMON_VALUES = {"approve": "同意", "reject": "不同意", "send_back": "退回修改", "pass": "通过", "agree": "同意"}


def form_name(task_id: str) -> str:
    return task_id + FORM_SUFFIX


def ui_name(task_id: str) -> str:
    return task_id + UI_SUFFIX


def is_generated(form: Any) -> bool:
    return isinstance(form, dict) and form.get(GENERATED) is True


def drop_generated(files: dict[str, bytes]) -> dict[str, bytes]:
    """Uploaded files minus generated forms sent back unchanged (a version's files re-deployed as a whole):
    they are made afresh from the diagram, and do not change the checksum."""
    kept = {}
    for name, raw in files.items():
        if name.endswith(FORM_SUFFIX) and GENERATED.encode() in raw:
            try:
                if is_generated(json.loads(raw.decode("utf-8-sig"))):
                    continue
            except (UnicodeDecodeError, ValueError, RecursionError):
                pass
        kept[name] = raw
    return kept


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _props(el: etree._Element) -> dict[str, str]:
    return {p.get("name") or "": p.get("value") or "" for p in el.iter(etree.Element) if _local(p) == "property"}


def _condition(flow: etree._Element) -> str | None:
    for child in flow:
        if _local(child) == "conditionExpression" and (child.text or "").strip():
            return (child.text or "").strip()
    return None


def conditions_after(process: etree._Element, task_id: str) -> list[tuple[str, str]]:
    """(condition, the flow's name) that decide where the flow goes after `task_id`: on its own outgoing flows,
    and on the outgoing flows of a gateway it leads straight into."""
    by_id = {el.get("id"): el for el in process.iter(etree.Element) if el.get("id")}
    flows = [el for el in process.iter(etree.Element) if _local(el) == "sequenceFlow"]
    found: list[tuple[str, str]] = []
    for flow in (f for f in flows if f.get("sourceRef") == task_id):
        if text := _condition(flow):
            found.append((text, (flow.get("name") or "").strip()))
        target = by_id.get(flow.get("targetRef"))
        if target is not None and _local(target) in _GATEWAYS:
            found.extend((t, (f.get("name") or "").strip())
                         for f in flows if f.get("sourceRef") == target.get("id") if (t := _condition(f)))
    return found


# ---------------------------------------------------------------- reading conditions


class _Types:
    """Variable name -> (kind, string literals seen), in the order the conditions name them."""

    def __init__(self) -> None:
        self.kinds: dict[str, str] = {}
        self.literals: dict[str, list[str]] = {}
        self.titles: dict[tuple[str, str], str] = {}  # (name, literal) -> the name of the flow it takes
        self.open: set[str] = set()  # compared with != / not in: other values exist, so free text, not a choice

    def add(self, name: str, kind: str, literal: str | None = None) -> None:
        rank = {"boolean": 0, "number": 1, "string": 2}  # a string literal wins: it lists the choices
        if rank[kind] >= rank.get(self.kinds.get(name, ""), -1):
            self.kinds[name] = kind
        if literal is not None and literal not in (seen := self.literals.setdefault(name, [])):
            seen.append(literal)


def _literal_kind(node: ast.expr) -> tuple[str, list[str]] | None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return "boolean", []
        if isinstance(node.value, int | float):
            return "number", []
        if isinstance(node.value, str):
            return "string", [node.value]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return _literal_kind(node.operand)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        kinds = [_literal_kind(e) for e in node.elts]
        if kinds and all(k is not None and k[0] == "string" for k in kinds):
            return "string", [v for k in kinds if k for v in k[1]]
    return None


def _read(node: ast.AST, types: _Types) -> None:
    if isinstance(node, ast.Compare):
        operands = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
            for name, other in ((left, right), (right, left)):
                if not isinstance(name, ast.Name):
                    continue
                if (kind := _literal_kind(other)) is not None:
                    if kind[0] == "string" and isinstance(op, ast.NotEq | ast.NotIn | ast.IsNot):
                        types.open.add(name.id)
                    for literal in kind[1] or [None]:
                        types.add(name.id, kind[0], literal)
                elif isinstance(op, ast.Lt | ast.LtE | ast.Gt | ast.GtE):  # `spent > budget`: both amounts
                    types.add(name.id, "number")
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            if isinstance(value, ast.Name):
                types.add(value.id, "boolean")
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Name):
        types.add(node.operand.id, "boolean")
    for child in ast.iter_child_nodes(node):
        _read(child, types)


def infer(conditions: list[tuple[str, str]]) -> _Types:
    types = _Types()
    for text, label in conditions:
        try:
            tree = ast.parse(text, mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # the sandbox check names a broken condition
        if isinstance(tree.body, ast.Name):
            types.add(tree.body.id, "boolean")
        body = tree.body
        if (label and isinstance(body, ast.Compare) and len(body.ops) == 1 and isinstance(body.ops[0], ast.Eq)
                and isinstance(body.left, ast.Name) and isinstance(const := body.comparators[0], ast.Constant)
                and isinstance(const.value, str)):
            types.titles[(body.left.id, const.value)] = label  # `decision == "approve"` on the flow 通过
        try:
            _read(tree.body, types)
        except RecursionError:
            continue  # nested past reason: the sandbox check refuses it
    return types


def _field(name: str, types: _Types) -> dict[str, Any]:
    kind, literals = types.kinds[name], types.literals.get(name, [])
    title = COMMON_TITLES.get(name, name)
    if kind == "string" and name in types.open:
        return {"title": title, "type": "string", "minLength": 1}
    if kind == "string":
        titles = [types.titles.get((name, v)) or COMMON_VALUES.get(v, v) for v in literals]
        return {"title": title, "type": "string", "enum": literals,
                **({"x-enumTitles": titles} if titles != literals else {})}
    return {"title": title, "type": kind}


def generated_form(title: str, types: _Types) -> dict[str, Any]:
    names = list(types.kinds)
    return {
        "title": title,
        "type": "object",
        "required": names,
        "properties": {n: _field(n, types) for n in names},
        GENERATED: True,
    }


# ---------------------------------------------------------------- deploy


def _user_tasks(root: etree._Element) -> Iterator[tuple[etree._Element, etree._Element]]:
    for process in (el for el in root.iter(etree.Element) if _local(el) == "process"):
        if (process.get("isExecutable") or "true").strip().lower() == "false":
            continue
        for task in process.iter(etree.Element):
            if _local(task) == "userTask" and task.get("id"):
                yield process, task


def plan(docs: Docs, forms: dict[str, dict[str, Any]]) -> tuple[dict[str, tuple[str, str | None]], list[Problem]]:
    """For each user task drawn without a form: (form file, UI file or None) it gets, adding generated forms
    to `forms`; and the tasks refused because conditions follow them that name nothing a form could ask."""
    links: dict[str, tuple[str, str | None]] = {}
    problems: list[Problem] = []
    for file, (kind, root) in docs.items():
        if kind != "bpmn":
            continue
        for process, task in _user_tasks(root):
            ident = task.get("id") or ""
            if _props(task).get(_FORM_PROPS[0]):
                continue
            ui = ui_name(ident) if ui_name(ident) in forms else None
            if form_name(ident) in forms:  # saved by an administrator (or uploaded under the convention)
                links[ident] = (form_name(ident), ui)
                continue
            conditions = conditions_after(process, ident)
            if not conditions:
                continue  # nothing decides on this task's data: the plain 完成 button
            types = infer(conditions)
            if not types.kinds:
                problems.append(Problem(file, ident, _(
                    "用户任务“%(title)s”没有表单，其后的条件（%(conditions)s）读不出需要填写的变量。请为该任务指定表单"
                    "（formJsonSchemaFilename），或把条件写成“变量 == \"取值\"”“变量 > 数字”“变量”这样的形式"
                    "（元素 %(element)s）",
                    title=task.get("name") or ident, conditions="；".join(c[:80] for c, _label in conditions[:3]),
                    element=ident)))
                continue
            if len(types.kinds) > MAX_FIELDS:
                problems.append(Problem(file, ident, _(
                    "用户任务“%(title)s”之后的条件读取了 %(n)s 个变量，超过自动生成表单的上限 %(max)s；请为该任务指定表单"
                    "（元素 %(element)s）", title=task.get("name") or ident, n=len(types.kinds), max=MAX_FIELDS,
                    element=ident)))
                continue
            forms[form_name(ident)] = generated_form(task.get("name") or ident, types)
            links[ident] = (form_name(ident), ui)
    return links, problems


def attach(specs: list[Any], links: dict[str, tuple[str, str | None]]) -> None:
    """Name each planned form on its task spec, as the property would if the diagram said it."""
    for spec in specs:
        for ts in spec.task_specs.values():
            link = links.get(getattr(ts, "bpmn_id", None) or "")
            if link is None:
                continue
            extensions = ts.extensions if isinstance(getattr(ts, "extensions", None), dict) else {}
            props = dict(extensions.get("properties") or {})
            props[_FORM_PROPS[0]] = link[0]
            if link[1]:
                props[_FORM_PROPS[1]] = link[1]
            ts.extensions = {**extensions, "properties": props}
