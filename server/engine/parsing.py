"""Turn uploaded .bpmn/.dmn/.json files into a validated, serialized process version.

Main process rule: exactly one executable process (isExecutable absent or "true") that no call
activity in the package calls; other executable processes must be called by it (directly or not). A
collaboration whose pools are several executable processes runs as SpiffWorkflow runs it (one instance,
each pool a subprocess): the one pool with a plain start event is what the user starts, every other pool
must start on a message (messages between the pools are caught inside the instance).

Schema: each BPMN file is checked against the BPMN XSD, but the check only explains a refusal: a diagram
SpiffWorkflow's own (non-validating) parser runs is accepted even when the XSD finds fault with it.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from server.engine import autoforms, serializer, validation
from server.engine import lanes as lane_rules
from server.engine.errors import DeployError, Problem
from server.engine.i18n import _
from server.engine.lanes import LaneRoles
from server.engine.operators import OperatorRegistry
from server.engine.xsd_text import parser_message, schema_message

# No DTDs at all: that rules out external entities (XXE) and entity-expansion bombs; the parser
# settings below are a second line of defence and never touch the network or local files.
_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
)
MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True)
class CompiledPackage:
    process_id: str
    name: str
    sources: dict[str, str]
    forms: dict[str, dict[str, Any]]
    spec_json: str
    checksum: str
    lane_names: tuple[str, ...] = ()  # every lane name in the BPMN files, as written


BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml")


def is_bpmn(filename: str) -> bool:
    return filename.lower().endswith(BPMN_SUFFIXES)


def _kind(filename: str) -> str | None:
    lower = filename.lower()
    if is_bpmn(lower):
        return "bpmn"
    if lower.endswith(".dmn"):
        return "dmn"
    if lower.endswith(".json"):
        return "json"
    return None


def parse_xml(filename: str, raw: bytes) -> tuple[etree._Element | None, str, list[Problem]]:
    """Safely parse one XML file; returns (root, text, problems)."""
    if len(raw) > MAX_FILE_BYTES:
        return None, "", [Problem(filename, None, _("文件超过 %(limit)s 字节", limit=MAX_FILE_BYTES))]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "", [Problem(filename, None, _("文件必须使用 UTF-8 编码"))]
    if _DTD.search(text):
        return (
            None,
            text,
            [Problem(filename, None, _("不允许 DOCTYPE 或实体声明（可能是 XXE/实体膨胀攻击）"))],
        )
    try:
        root = etree.fromstring(raw, parser=_XML_PARSER)
    except etree.XMLSyntaxError as exc:
        return None, text, [Problem(filename, None, _("XML 格式错误：%(error)s", error=exc))]
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        return None, text, [Problem(filename, None, _("不允许 DOCTYPE 或实体声明"))]
    return root, text, []


def _spiff_problem(filename: str, exc: Exception) -> Problem:
    element = getattr(exc, "id", None) or None
    file = getattr(exc, "file_name", None) or filename
    line = getattr(exc, "line_number", None)
    error = parser_message(str(exc))
    if line:
        return Problem(file, element, _("BPMN 校验失败（第 %(line)s 行）：%(error)s", line=line, error=error))
    return Problem(file, element, _("BPMN 校验失败：%(error)s", error=error))


def _plain_start(parser: SpiffBpmnParser, pid: str) -> bool:
    """The process has a start event without an event definition (one a user starts)."""
    node = parser.process_parsers[pid].node
    return any(
        not any(etree.QName(c).localname.endswith("EventDefinition") for c in start if isinstance(c.tag, str))
        for start in node.iter(etree.Element)
        if etree.QName(start).localname == "startEvent" and start.getparent() is node
    )


def _collaboration(
    parser: SpiffBpmnParser, top: list[str], names: dict[str, str]
) -> tuple[str | None, str | None, list[Problem]]:
    """(collaboration id, main pool) for several top processes that are the pools of one collaboration."""
    for collab, pools in parser.collaborations.items():
        if not set(top) <= set(pools):
            continue
        starters = [pid for pid in top if _plain_start(parser, pid)]
        if len(starters) == 1:
            return collab, starters[0], []
        file = names.get(top[0], "")
        if not starters:
            return None, None, [Problem(file, collab, _(
                "协作图“%(collab)s”的泳池都没有普通开始事件，无法发起；应有且只有一个泳池（%(pools)s 之一）由用户发起",
                collab=collab, pools="、".join(top)))]
        return None, None, [Problem(names.get(pid, file), pid, _(
            "协作图“%(collab)s”有多个泳池可由用户发起：%(pools)s；只能有一个，其他泳池应由消息开始事件启动",
            collab=collab, pools="、".join(starters))) for pid in starters]
    return None, None, []


def _main_process(
    parser: SpiffBpmnParser, names: dict[str, str]
) -> tuple[str | None, str | None, list[Problem]]:
    """(main process, collaboration to run it in or None, problems)."""
    executable = [pid for pid, p in parser.process_parsers.items() if p.process_executable]
    called = {c for c in parser.get_process_dependencies() if c}
    top = sorted(pid for pid in executable if pid not in called)
    if len(top) == 1:
        return top[0], None, []
    file = next(iter(names.values()), "")
    if not top:
        return None, None, [Problem(file, None, _("没有可执行的主流程（需要一个 isExecutable 的流程）"))]
    collab, main, found = _collaboration(parser, top, names)
    if main is not None or found:
        return main, collab, found
    message = _("存在多个主流程：%(processes)s，只能有一个（或把它们画在同一个协作图的不同泳池中）",
                processes="、".join(top))
    return None, None, [Problem(names.get(pid, file), pid, message) for pid in top]


_SCHEMA_LOCK = threading.Lock()


def _schema_problems(name: str, root: etree._Element) -> list[Problem]:
    """The XSD's findings in Chinese (at most three), on a copy: SpiffWorkflow's validator edits the tree it checks."""
    VALIDATOR.preprocess(copy := etree.fromstring(etree.tostring(root), parser=_XML_PARSER))
    with _SCHEMA_LOCK:  # one shared schema object, whose error log is that of its last validation
        if VALIDATOR.validator.validate(copy):
            return []
        entries = list(VALIDATOR.validator.error_log)[:3]
    return [
        Problem(name, None, _("不符合 BPMN 2.0 XML 规范（第 %(line)s 行）：%(error)s", line=entry.line,
                              error=schema_message(entry.message)))
        for entry in entries
    ]


def _checksum(files: dict[str, bytes], roles: LaneRoles | None = None) -> str:
    """Of the files, and of the lane options when there are any (same files mapped otherwise: a new version)."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8") + b"\0" + files[name] + b"\0")
    if roles is not None and (roles.mapping or roles.default):
        options = {"lane_roles": dict(roles.mapping), "default_role": roles.default}
        digest.update(json.dumps(options, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def compile_package(
    files: dict[str, bytes],
    *,
    known_roles: set[str],
    operators: OperatorRegistry,
    lane_roles: Mapping[str, str] | None = None,
    default_role: str | None = None,
    role_names: Mapping[str, str] | None = None,
) -> CompiledPackage:
    """`lane_roles` (lane name -> role code) and `default_role` map a diagram's lanes to roles (engine.lanes);
    `role_names` (role code -> readable name) go into the messages that list the valid roles."""
    roles = LaneRoles(frozenset(known_roles), dict(lane_roles or {}), default_role, dict(role_names or {}))
    files = autoforms.drop_generated(files)
    problems: list[Problem] = []
    xml: dict[str, tuple[str, etree._Element]] = {}
    sources: dict[str, str] = {}
    raw_json: dict[str, bytes] = {}
    for name, raw in sorted(files.items()):
        kind = _kind(name)
        if kind is None:
            problems.append(Problem(name, None, _("不支持的文件类型（只接受 .bpmn、.bpmn20.xml、.dmn 和表单 .json）")))
        elif kind == "json":
            raw_json[name] = raw
        else:
            root, text, found = parse_xml(name, raw)
            problems += found
            if root is not None:
                xml[name] = (kind, root)
                sources[name] = text
    if not any(kind == "bpmn" for kind, _root in xml.values()) and not problems:
        problems.append(Problem("", None, _("没有上传 BPMN 文件")))
    forms, form_problems = validation.check_forms(raw_json, xml)
    problems += form_problems
    if problems:
        raise DeployError(problems)

    problems += validation.check_references(xml)
    if problems:
        raise DeployError(problems)
    # The XSD only explains a refusal; SpiffWorkflow's own parser decides (see the module docstring).
    parser = SpiffBpmnParser(validator=None)
    schema: list[Problem] = []
    for name, (kind, root) in xml.items():
        try:
            if kind == "dmn":
                parser.add_dmn_xml(root, filename=name)
            else:
                schema += _schema_problems(name, root)
                parser.add_bpmn_xml(root, filename=name)
        except (ValidationException, etree.LxmlError, KeyError, ValueError, AttributeError, TypeError) as exc:
            problems.append(_spiff_problem(name, exc))
    if problems:
        raise DeployError(problems + schema)

    lane_names = sorted({(lane.get("name") or "").strip() for kind, root in xml.values() if kind == "bpmn"
                         for lane in validation.lanes_of(root)})
    problems += [Problem(next(iter(xml)), None, message) for _lane, message in
                 lane_rules.option_problems(roles, lane_names)]
    problems += validation.check_documents(
        xml, known_roles=known_roles, operators=operators, forms=forms, lanes=roles
    )
    problems += validation.check_cancel_rules(xml, known_roles=known_roles)
    form_links, found = autoforms.plan(xml, forms)
    problems += found
    names = {pid: p.filename or "" for pid, p in parser.process_parsers.items()}
    main, collab, found = _main_process(parser, names)
    problems += found
    if problems or main is None:
        raise DeployError(problems)

    try:
        if collab is not None:
            spec, subprocess_specs = parser.get_collaboration(collab)
        else:
            spec = parser.get_spec(main)
            subprocess_specs = parser.get_subprocess_specs(main)
    except (ValidationException, KeyError, ValueError, AttributeError, TypeError) as exc:
        raise DeployError([_spiff_problem(names.get(main, ""), exc), *schema]) from exc
    specs = [spec, *subprocess_specs.values()]
    lane_rules.apply(specs, roles)
    autoforms.attach(specs, form_links)
    problems += validation.check_specs(specs, roles)
    if problems:
        raise DeployError(problems)

    process_name = parser.process_parsers[main].node.get("name") or main
    return CompiledPackage(
        process_id=main,
        name=process_name,
        sources=sources,
        forms=forms,
        spec_json=serializer.dump_spec(spec, subprocess_specs),
        checksum=_checksum(files, roles),
        lane_names=tuple(lane_names),
    )
