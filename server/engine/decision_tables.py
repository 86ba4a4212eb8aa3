"""A DMN rule table as an administrator edits it, and as the engine reads and runs it.

Reading and writing go through the same safe XML parser as a deploy (no DTD, so no XXE); a write touches only
the hit policy and the rules (their order, entries and annotations) and keeps every id and every other element.
A cell is checked the way SpiffWorkflow's DMNEngine will evaluate it (`?` stands for the input; an entry that
does not compile alone gets the input as its left operand, `>= 90`) through the sandbox's own compiler, and a
test run evaluates the edited table in a one-task workflow with the sandboxed script engine.
"""

from __future__ import annotations

import ast
import copy
import re
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from server.engine.i18n import _
from server.engine.parsing import parse_xml
from server.engine.sandbox import SandboxSyntaxError, compile_source
from server.engine.xsd_text import parser_message

HIT_POLICIES = ("UNIQUE", "FIRST", "COLLECT")  # what SpiffWorkflow's DMNEngine tells apart
MAX_RULES = 200
MAX_CELL_CHARS = 2_000
# DMNEngine's own pattern: a `?` outside quotes stands for the input value.
_QUESTION = re.compile(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)')
_PROBE_TASK = "Rule_Probe"


class TableError(ValueError):
    """The file holds no decision table this page can show (message for the administrator)."""


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    text: str  # inputs: the input expression; outputs: the variable the value goes to
    type_ref: str


@dataclass
class Rule:
    id: str | None  # None: added on the page, gets an id when written
    note: str
    inputs: list[str]
    outputs: list[str]


@dataclass
class Table:
    file: str
    decision_id: str
    decision_name: str
    hit_policy: str
    inputs: list[Column]
    outputs: list[Column]
    rules: list[Rule] = field(default_factory=list)

    def edited(self, hit_policy: str, rules: list[Rule]) -> Table:
        return replace(self, hit_policy=hit_policy, rules=rules)


def _local(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c) == name]


def _text_of(el: etree._Element) -> str:
    node = next(iter(_children(el, "text")), None)
    return (node.text or "") if node is not None else ""


def _root(file: str, raw: bytes) -> etree._Element:
    root, _text, problems = parse_xml(file, raw)
    if root is None:
        raise TableError(problems[0].message if problems else _("无法读取文件"))
    return root


def _decision_table(root: etree._Element) -> tuple[etree._Element, etree._Element]:
    decisions = [el for el in root.iter(etree.Element) if _local(el) == "decision"]
    tables = [t for d in decisions for t in _children(d, "decisionTable")]
    if len(decisions) != 1 or len(tables) != 1:
        raise TableError(_("文件中应有且只有一个决策表（引擎每个 DMN 文件只读取一个决策）"))
    return decisions[0], tables[0]


def read(file: str, raw: bytes) -> Table:
    decision, table = _decision_table(_root(file, raw))
    inputs = [Column(el.get("id") or "", el.get("label") or "",
                     next((_text_of(x) for x in _children(el, "inputExpression")), ""),
                     next((x.get("typeRef") or "" for x in _children(el, "inputExpression")), ""))
              for el in _children(table, "input")]
    outputs = [Column(el.get("id") or "", el.get("label") or "", el.get("name") or "", el.get("typeRef") or "")
               for el in _children(table, "output")]
    rules = [Rule(el.get("id"), next((d.text or "" for d in _children(el, "description")), ""),
                  [_text_of(x) for x in _children(el, "inputEntry")],
                  [_text_of(x) for x in _children(el, "outputEntry")])
             for el in _children(table, "rule")]
    return Table(file, decision.get("id") or "", decision.get("name") or "",
                 (table.get("hitPolicy") or "UNIQUE").upper(), inputs, outputs, rules)


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(5)}"


def _set_entries(rule: etree._Element, ns: str | None, kind: str, texts: list[str]) -> None:
    entries = _children(rule, kind)
    for entry in entries[len(texts):]:
        rule.remove(entry)
    for i, value in enumerate(texts):
        if i < len(entries):
            entry = entries[i]
        else:
            entry = etree.SubElement(rule, etree.QName(ns, kind).text if ns else kind)
            entry.set("id", _new_id("InputEntry" if kind == "inputEntry" else "OutputEntry"))
        node = next(iter(_children(entry, "text")), None)
        if node is None:
            node = etree.SubElement(entry, etree.QName(ns, "text").text if ns else "text")
        node.text = value


def write(raw: bytes, table: Table) -> bytes:
    """The file with `table`'s hit policy and rules; rules that came from the file keep their element (ids,
    extensions); everything outside the rules is untouched."""
    root = _root(table.file, raw)
    _decision, dt = _decision_table(root)
    ns = etree.QName(dt).namespace
    dt.set("hitPolicy", table.hit_policy)
    old = {el.get("id"): el for el in _children(dt, "rule")}
    position = dt.index(next(iter(old.values()))) if old else len(dt)
    tail = next(iter(old.values())).tail if old else None
    for el in old.values():
        dt.remove(el)
    used: set[str] = set()
    for offset, rule in enumerate(table.rules):
        if rule.id in old and rule.id not in used:
            el = old[rule.id]
        else:
            el = etree.Element(etree.QName(ns, "rule").text if ns else "rule")
            el.set("id", _new_id("Rule"))
            el.tail = tail
        used.add(el.get("id") or "")
        description = next(iter(_children(el, "description")), None)
        if rule.note.strip():
            if description is None:
                description = etree.Element(etree.QName(ns, "description").text if ns else "description")
                el.insert(0, description)
            description.text = rule.note.strip()
        elif description is not None:
            el.remove(description)
        _set_entries(el, ns, "inputEntry", [v if v.strip() else "-" for v in rule.inputs])
        _set_entries(el, ns, "outputEntry", rule.outputs)
        # Entries stay in schema order: description, inputs, outputs.
        for kind in ("inputEntry", "outputEntry"):
            for entry in _children(el, kind):
                el.append(entry)
        dt.insert(position + offset, el)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


# ---- checks -------------------------------------------------------------------------------------------------

def _first_refusal(*sources: str) -> str | None:
    """None when any form compiles; else the sandbox's message, preferring a policy refusal to a syntax error."""
    messages = []
    for source in sources:
        try:
            compile_source(source, "eval")
            return None
        except SandboxSyntaxError as exc:
            messages.append(str(exc.msg))
    return next((m for m in messages if "语法错误" not in m), messages[0])


def entry_problem(text: str) -> str | None:
    """What is wrong with an input entry, as DMNEngine.evaluate would compile it (None: it is fine)."""
    stripped = text.strip()
    if stripped in ("", "-"):
        return None
    if len(text) > MAX_CELL_CHARS:
        return _("单元格最多 %(n)s 个字符", n=MAX_CELL_CHARS)
    marked = _QUESTION.sub("dmninputexpr", text)
    if "dmninputexpr" in marked:
        return _first_refusal(marked)
    return _first_refusal(text, f"v {text}")


def output_problem(text: str) -> str | None:
    if not text.strip():
        return None
    if len(text) > MAX_CELL_CHARS:
        return _("单元格最多 %(n)s 个字符", n=MAX_CELL_CHARS)
    return _first_refusal(text)


def cell_key(row: int, kind: str, column: int) -> str:
    """Form field name of a cell: rule row (0-based), `in` or `out`, column (0-based)."""
    return f"r{row}-{kind}{column}"


def element_cells(file: str, raw: bytes) -> dict[str, str]:
    """Rule and entry ids of a written file -> the cell (or the rule's annotation) they are shown in."""
    _decision, table = _decision_table(_root(file, raw))
    found: dict[str, str] = {}
    for i, rule in enumerate(_children(table, "rule")):
        found[rule.get("id") or ""] = f"r{i}-note"
        for kind, short in (("inputEntry", "in"), ("outputEntry", "out")):
            for j, entry in enumerate(_children(rule, kind)):
                found[entry.get("id") or ""] = cell_key(i, short, j)
    found.pop("", None)
    return found


def _tree(source: str) -> ast.AST | None:
    try:
        return ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def type_problem(text: str, column: Column, *, entry: bool) -> str | None:
    """What compiles but would fail or mislead at run time: text written without quotes (a Chinese word is read as
    a variable that does not exist), text where the column holds numbers, a result of the wrong kind."""
    stripped = text.strip()
    if stripped in ("", "-") or len(stripped) > MAX_CELL_CHARS:
        return None
    source = _QUESTION.sub("v", stripped) if entry else stripped
    tree = _tree(source) or (_tree(f"v {source}") if entry else None)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not node.id.isascii():
            return _("“%(word)s”是文字，请加引号写成 \"%(word)s\"", word=node.id)
    body = tree.body if isinstance(tree, ast.Expression) else None
    kind = column.type_ref.lower()
    if entry and kind == "number" and any(isinstance(n, ast.Constant) and isinstance(n.value, str)
                                          for n in ast.walk(tree)):
        return _("“%(label)s”是数值，条件里不能用文字（去掉引号）", label=column.label or column.text)
    if not entry and isinstance(body, ast.Constant):
        value = body.value
        if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
            return _("“%(label)s”应为数值，例如 10", label=column.label or column.text)
        if kind == "boolean" and not isinstance(value, bool):
            return _("“%(label)s”应为 True（是）或 False（否）", label=column.label or column.text)
    return None


def cell_problems(table: Table) -> dict[str, str]:
    found: dict[str, str] = {}
    for i, rule in enumerate(table.rules):
        for j, text in enumerate(rule.inputs):
            column = table.inputs[j] if j < len(table.inputs) else None
            message = entry_problem(text) or (column and type_problem(text, column, entry=True))
            if message:
                found[cell_key(i, "in", j)] = message
        for k, text in enumerate(rule.outputs):
            column = table.outputs[k] if k < len(table.outputs) else None
            message = output_problem(text) or (column and type_problem(text, column, entry=False))
            if message:
                found[cell_key(i, "out", k)] = message
        if len(rule.note) > MAX_CELL_CHARS:
            found[f"r{i}-note"] = _("单元格最多 %(n)s 个字符", n=MAX_CELL_CHARS)
    return found


def parser_problem(table: Table, raw: bytes) -> str | None:
    """SpiffWorkflow's own DMN parser on the written file (what a deploy and a run would read)."""
    try:
        parser = SpiffBpmnParser(validator=None)
        parser.add_dmn_xml(_root(table.file, raw), filename=table.file)
        parser.get_engine(table.decision_id, None)
    except (ValidationException, etree.LxmlError, KeyError, ValueError, AttributeError, TypeError,
            IndexError) as exc:
        return _("引擎无法读取该决策表：%(error)s", error=parser_message(str(exc)))
    return None


# ---- test run -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    rows: list[int]  # matched rules, 1-based as on the page
    outputs: dict[str, Any]
    error: str | None = None


def variables(table: Table) -> list[str]:
    """The task-data names the input expressions read, in column order (what a test run asks for)."""
    names: list[str] = []
    for column in table.inputs:
        try:
            tree = ast.parse(column.text.strip()[:MAX_CELL_CHARS], mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id not in names and node.id not in ("True", "False", "None"):
                names.append(node.id)
    return names


def _probe(decision_id: str) -> etree._Element:
    bpmn = "http://www.omg.org/spec/BPMN/20100524/MODEL"
    spiff = "http://spiffworkflow.org/bpmn/schema/1.0/core"
    root = etree.Element(f"{{{bpmn}}}definitions", nsmap={None: bpmn, "spiffworkflow": spiff},
                         id="Definitions_rule_probe", targetNamespace="http://jixiao.example/probe")
    process = etree.SubElement(root, f"{{{bpmn}}}process", id="rule_probe", isExecutable="true")
    etree.SubElement(process, f"{{{bpmn}}}startEvent", id="Start_Probe")
    task = etree.SubElement(process, f"{{{bpmn}}}businessRuleTask", id=_PROBE_TASK, name=_("试运行"))
    extensions = etree.SubElement(task, f"{{{bpmn}}}extensionElements")
    etree.SubElement(extensions, f"{{{spiff}}}calledDecisionId").text = decision_id
    etree.SubElement(process, f"{{{bpmn}}}endEvent", id="End_Probe")
    etree.SubElement(process, f"{{{bpmn}}}sequenceFlow", id="Flow_in", sourceRef="Start_Probe", targetRef=_PROBE_TASK)
    etree.SubElement(process, f"{{{bpmn}}}sequenceFlow", id="Flow_out", sourceRef=_PROBE_TASK, targetRef="End_Probe")
    return root


def run_table(table: Table, raw: bytes, data: dict[str, Any], script_engine: Any) -> Run:
    """Evaluate the written table for `data` as a business-rule task of a running workflow would: the matched
    rules and the outputs the task would merge into its data."""
    parser = SpiffBpmnParser(validator=None)
    try:
        parser.add_dmn_xml(_root(table.file, raw), filename=table.file)
        parser.add_bpmn_xml(_probe(table.decision_id), filename="probe.bpmn")
        spec = parser.get_spec("rule_probe")
    except (ValidationException, etree.LxmlError, KeyError, ValueError, AttributeError, TypeError,
            IndexError) as exc:
        return Run([], {}, _("引擎无法读取该决策表：%(error)s", error=parser_message(str(exc))))
    workflow = BpmnWorkflow(spec, script_engine=script_engine)
    workflow.task_tree.data.update(copy.deepcopy(data))
    for _step in range(10):
        task = workflow.get_next_task(state=TaskState.READY)
        if task is None:
            break
        if task.task_spec.bpmn_id != _PROBE_TASK:
            task.run()
            continue
        engine = task.task_spec.dmnEngine
        try:
            rows = [rule.row_number for rule in engine.decide(task)]
            return Run(rows, dict(engine.result(task)))
        except Exception as exc:  # noqa: BLE001 - any evaluation failure is the answer the admin asked for
            rows = [int(n) for note in getattr(exc, "__notes__", []) for n in re.findall(r"row (\d+)", note)]
            where = _("（第 %(n)s 条规则）", n=rows[0]) if rows else ""
            return Run([], {}, f"{exc}{where}")
    return Run([], {}, _("试运行没有到达决策任务"))
