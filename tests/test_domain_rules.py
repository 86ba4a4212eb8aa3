"""Every rule of DOMAIN.md has a test (issue 16), without running any: tests/domain_rules.py maps each bullet of
DOMAIN.md to the tests that assert it; this file checks the map against DOMAIN.md (a new bullet without an entry
fails, as does an entry whose words left DOMAIN.md), that every listed test exists, that configurable rules
name their table and a test editing it, and that every shipped DMN table cites its source.

DOMAIN.md lives beside the repository (../shared, as CI checks it out); JIXIAO_SHARED names another folder.
"""

from __future__ import annotations

import importlib
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import on_ci
from tests.domain_rules import RULES, Rule

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("JIXIAO_SHARED") or ROOT.parent / "shared")
SECTION = re.compile(r"^## (\d+[a-z]?)\.")
# A seed number (000–004, not inside a larger number) or a public rule.
CITATION = re.compile(r"(?<![\d.])00[0-4](?!\d)|财政部|MoF|公开|\d+\s*号文|DOMAIN")
# Shipped tables whose description names no seed nor public rule (workflows/ belongs to the flows' owners).
UNCITED: set[str] = set()  # tables whose description cites no source yet (expected to fail until fixed)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def domain_rules(text: str) -> list[tuple[str, str]]:
    """(section, text) of each rule unit: a bullet with its continuation lines, or a paragraph of a numbered
    section (4c, 5 and 6 are prose)."""
    units: list[tuple[str, list[str]]] = []
    section = None
    for line in text.splitlines():
        if line.startswith("#"):
            match = SECTION.match(line)
            section = match.group(1) if match else None
            units.append(("", []))
        elif section is None:
            continue
        elif not line.strip():
            units.append(("", []))
        elif line.startswith("- ") or not units or not units[-1][1]:
            units.append((section, [line.removeprefix("- ")]))
        else:
            units[-1][1].append(line)
    return [(s, " ".join(lines)) for s, lines in units if s and lines]


@pytest.fixture(scope="module")
def units() -> list[tuple[str, str]]:
    path = SHARED / "DOMAIN.md"
    if not path.is_file():
        message = f"{path} not found: check out the shared folder beside the repository or set JIXIAO_SHARED"
        if on_ci():
            pytest.fail(f"{message}; CI=true requires it", pytrace=False)
        pytest.skip(message)
    return domain_rules(path.read_text(encoding="utf-8"))


def entries_of(section: str, text: str) -> list[Rule]:
    return [r for r in RULES if r.section == section and squash(r.quote) in squash(text)]


def test_the_parser_reads_bullets_and_paragraphs():
    text = "# T\nintro\n- not a rule\n## 1. A\n- one\n  two\n- three\n\n## 4c. B\nProse one\nstill.\n\nProse two.\n"
    assert domain_rules(text) == [("1", "one   two"), ("1", "three"), ("4c", "Prose one still."), ("4c", "Prose two.")]


def test_every_rule_of_domain_md_has_an_entry(units):
    assert {s for s, _ in units} >= {"1", "2", "3", "4", "4c", "5", "6"}
    bare = [f"§{s}: {text[:80]}" for s, text in units if not entries_of(s, text)]
    assert not bare, "DOMAIN.md rules without an entry in tests/domain_rules.py:\n" + "\n".join(bare)


def test_every_entry_quotes_a_rule_of_its_section(units):
    stale = [f"§{r.section}: {r.quote}" for r in RULES
             if not any(s == r.section and squash(r.quote) in squash(text) for s, text in units)]
    assert not stale, "entries whose quote is not in DOMAIN.md:\n" + "\n".join(stale)
    quotes = [(r.section, r.quote) for r in RULES]
    assert len(quotes) == len(set(quotes))


def rule_params() -> list[object]:
    return [pytest.param(rule, id=f"{rule.section}-{rule.quote[:30]}", marks=[
        pytest.mark.xfail(strict=True, reason=rule.missing)] if rule.missing else []) for rule in RULES]


@pytest.mark.parametrize("rule", rule_params())
def test_each_rule_names_its_tests(rule: Rule):
    assert rule.tests, f"§{rule.section} “{rule.quote}” has no test"
    assert bool(rule.table) == bool(rule.table_tests), "a configurable rule names its table and a test editing it"
    for name in re.findall(r"workflows/[\w/]+\.dmn", rule.table):
        assert (ROOT / name).is_file(), name


def test_every_shipped_rule_table_belongs_to_a_rule_with_an_edit_test():
    named = {name for rule in RULES if rule.table_tests for name in re.findall(r"workflows/[\w/]+\.dmn", rule.table)}
    shipped = {f"workflows/{name}" for name in dmn_files()}
    assert shipped - named == set(), "rule tables no DOMAIN rule names with a test editing them"


def parametrize_ids(function: object) -> set[str]:
    """The id parts pytest may give a parametrized test: explicit ids and the str() of plain values."""
    out: set[str] = set()
    for mark in getattr(function, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names, values = mark.args[0], mark.args[1]
        out.update(str(i) for i in mark.kwargs.get("ids") or [] if i is not None)
        for value in values:
            if hasattr(value, "values") and hasattr(value, "id"):  # pytest.param
                out.update({value.id} if value.id else set())
                value = value.values if len(value.values) > 1 else value.values[0]
            items = value if isinstance(value, tuple | list) and (
                "," in names if isinstance(names, str) else len(names) > 1) else (value,)
            out.update(str(v) for v in items if isinstance(v, str | int | float | bool) or v is None)
    return out


def node_ids() -> list[str]:
    return sorted({node for rule in RULES for node in (*rule.tests, *rule.table_tests)})


@pytest.mark.parametrize("node", node_ids(), ids=str)
def test_every_listed_test_exists(node: str):
    path, _, name = node.partition("::")
    assert path.startswith("tests/") and path.endswith(".py") and (ROOT / path).is_file(), f"no file {path}"
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    name, _, param = name.partition("[")
    target: object = module
    for part in name.split("::"):
        target = getattr(target, part, None)
        assert target is not None, f"{path} has no {name}"
    assert callable(target) and name.split("::")[-1].startswith("test")
    if param:
        ids = parametrize_ids(target)
        assert ids, f"{name} is not parametrized"
        assert param.rstrip("]") in ids or set(param.rstrip("]").split("-")) <= ids, f"{node}: no such parameter"


def dmn_files() -> list[str]:
    return sorted(str(p.relative_to(ROOT / "workflows")) for p in (ROOT / "workflows").glob("*/*.dmn"))


@pytest.mark.parametrize("name", [pytest.param(n, marks=[pytest.mark.xfail(
    strict=True, reason="the table's description cites no seed nor public rule (workflows/ is the flow owners')")]
    if n in UNCITED else []) for n in dmn_files()])
def test_each_dmn_table_cites_its_source(name: str):
    root = ET.parse(ROOT / "workflows" / name).getroot()
    decisions = [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "decision"]
    assert decisions, f"{name} holds no decision"
    for decision in decisions:
        texts = [(c.text or "") for c in decision if c.tag.rsplit("}", 1)[-1] == "description"]
        assert texts and texts[0].strip(), f"{name}: decision {decision.get('id')} has no <description>"
        assert CITATION.search(texts[0]), f"{name}: the description cites no seed (000–004) nor public rule"
