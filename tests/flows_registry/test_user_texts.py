"""Issue 12.4: the texts users read in the shipped flows (form titles, help, placeholders, choice labels,
messages; BPMN element names and documentation, which the task page shows as instructions) are Chinese prose,
never a variable name such as `quality_warnings` or `self_score` dropped into a sentence."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORMS = sorted((ROOT / "forms").glob("**/*.json"))
DIAGRAMS = sorted((ROOT / "workflows").glob("**/*.bpmn"))
RULE_TABLES = sorted((ROOT / "workflows").glob("**/*.dmn"))  # read in the rule-table editor
READ_KEYS = {"title", "description", "ui:help", "ui:placeholder", "x-enumTitles", "message"}
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"

CJK = re.compile(r"[\u3400-\u9fff]")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")  # {expected}: filled in before anyone reads it
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# Real terms a Chinese text may hold: file formats, units, acronyms (uppercase words pass on their own).
ALLOWED = {"Excel", "Word", "kg", "km", "cm", "mm", "ha", "kWh", "m2", "m3", "t"}


def identifiers(text: str) -> list[str]:
    """ASCII identifier-like words inside a Chinese text: snake_case, camelCase, or lowercase code words."""
    text = PLACEHOLDER.sub("", text)
    if not CJK.search(text):
        return []
    return [w for w in WORD.findall(text) if w not in ALLOWED
            and ("_" in w or re.search(r"[a-z][A-Z]", w) or (w.islower() and len(w) > 1))]


def _strings(node, key=None):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v, key)
    elif isinstance(node, str) and key in READ_KEYS:
        yield key, node


def _form_texts(path: Path):
    yield from _strings(json.loads(path.read_text(encoding="utf-8")))


def _diagram_texts(path: Path):
    for el in ElementTree.parse(path).iter():
        if not el.tag.startswith(BPMN):
            continue  # extension properties (formJsonSchemaFilename, dueIn) are configuration
        if el.tag == f"{BPMN}documentation" and el.text:
            yield "documentation", el.text
        elif el.get("name"):
            yield el.tag.removeprefix(BPMN), el.get("name")


def _rule_table_texts(path: Path):
    """Table names, column labels, descriptions and rule annotations; cells are expressions, not prose."""
    for el in ElementTree.parse(path).iter():
        tag = el.tag.rpartition("}")[2]
        for attr in ("name", "label"):
            if el.get(attr):
                yield f"{tag}@{attr}", el.get(attr)
        if tag == "description" and el.text:
            yield tag, el.text
    for entry in ElementTree.parse(path).iter():
        if entry.tag.endswith("}annotationEntry"):
            for text in entry:
                if text.text:
                    yield "annotation", text.text


def _texts(path: Path):
    return {".json": _form_texts, ".bpmn": _diagram_texts, ".dmn": _rule_table_texts}[path.suffix](path)


@pytest.mark.parametrize("path", FORMS + DIAGRAMS + RULE_TABLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_variable_name_inside_what_users_read(path):
    texts = _texts(path)
    found = [(where, words, text[:60]) for where, text in texts if (words := identifiers(text))]
    assert not found, found


def test_the_check_sees_what_the_issue_saw():
    assert identifiers("审核单位自评（self_score、self_grade）") == ["self_score", "self_grade"]
    assert identifiers("质量检查提示见 quality_warnings") == ["quality_warnings"]
    assert identifiers("按结果通知的整改要求（requirements）") == ["requirements"]
    assert identifiers("标记 compactLoop 的元素") == ["compactLoop"]
    assert identifiers("上传 PDF 或 Excel 文件，面积 500 m2，合计 {expected} 元") == []
    assert identifiers("unit_staff") == []  # not inside Chinese text (a lane's role code; see the diagram)
