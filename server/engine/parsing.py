"""Turn uploaded .bpmn/.dmn/.json files into a validated, serialized process version.

Main process rule: exactly one executable process (isExecutable absent or "true") that no call
activity in the package calls. Other executable processes must be called by it (directly or not).
Collaborations with several executable participants are therefore refused as ambiguous.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from server.engine import serializer, validation
from server.engine.errors import DeployError, Problem
from server.engine.i18n import _
from server.engine.operators import OperatorRegistry

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


def _kind(filename: str) -> str | None:
    lower = filename.lower()
    if lower.endswith(".bpmn") or lower.endswith(".bpmn20.xml"):
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
    if line:
        return Problem(file, element, _("BPMN 校验失败（第 %(line)s 行）：%(error)s", line=line, error=exc))
    return Problem(file, element, _("BPMN 校验失败：%(error)s", error=exc))


def _main_process(parser: SpiffBpmnParser, names: dict[str, str]) -> tuple[str | None, list[Problem]]:
    executable = [pid for pid, p in parser.process_parsers.items() if p.process_executable]
    called = {c for c in parser.get_process_dependencies() if c}
    top = sorted(pid for pid in executable if pid not in called)
    if len(top) == 1:
        return top[0], []
    file = next(iter(names.values()), "")
    if not top:
        return None, [Problem(file, None, _("没有可执行的主流程（需要一个 isExecutable 的流程）"))]
    message = _("存在多个主流程：%(processes)s，只能有一个", processes="、".join(top))
    return None, [Problem(names.get(pid, file), pid, message) for pid in top]


def _checksum(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8") + b"\0" + files[name] + b"\0")
    return digest.hexdigest()


def compile_package(
    files: dict[str, bytes], *, known_roles: set[str], operators: OperatorRegistry
) -> CompiledPackage:
    problems: list[Problem] = []
    xml: dict[str, tuple[str, etree._Element]] = {}
    sources: dict[str, str] = {}
    raw_json: dict[str, bytes] = {}
    for name, raw in sorted(files.items()):
        kind = _kind(name)
        if kind is None:
            problems.append(Problem(name, None, _("不支持的文件类型（只接受 .bpmn、.dmn 和表单 .json）")))
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

    parser = SpiffBpmnParser(validator=VALIDATOR)
    for name, (kind, root) in xml.items():
        try:
            if kind == "dmn":
                parser.add_dmn_xml(root, filename=name)
            else:
                parser.add_bpmn_xml(root, filename=name)
        except (ValidationException, etree.LxmlError, KeyError, ValueError) as exc:
            problems.append(_spiff_problem(name, exc))
    if problems:
        raise DeployError(problems)

    problems += validation.check_documents(xml, known_roles=known_roles, operators=operators, forms=forms)
    problems += validation.check_cancel_rules(xml, known_roles=known_roles)
    names = {pid: p.filename or "" for pid, p in parser.process_parsers.items()}
    main, found = _main_process(parser, names)
    problems += found
    if problems or main is None:
        raise DeployError(problems)

    try:
        spec = parser.get_spec(main)
        subprocess_specs = parser.get_subprocess_specs(main)
    except ValidationException as exc:
        raise DeployError([_spiff_problem(names.get(main, ""), exc)]) from exc
    problems += validation.check_specs([spec, *subprocess_specs.values()])
    if problems:
        raise DeployError(problems)

    process_name = parser.process_parsers[main].node.get("name") or main
    return CompiledPackage(
        process_id=main,
        name=process_name,
        sources=sources,
        forms=forms,
        spec_json=serializer.dump_spec(spec, subprocess_specs),
        checksum=_checksum(files),
    )
