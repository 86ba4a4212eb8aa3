"""Every shipped flow is registered whole: its folders, the operators its diagrams call, its context templates,
its batch start and demo stages. Pure checks on the registry and the files: no database needed.

`problems()` lists what is missing; the shipped registry must have none, and each kind of gap below must be
reported, so a flow added without its registration (or with a part left out) fails here.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import server.models
from server.db import Base
from server.flows.definition import ContextBlock, DemoStage, FlowDefinition, UnitStart
from server.flows.registry import BY_KEY, FLOWS, labels, operators
from server.services import start_forms

ROOT = Path(__file__).resolve().parents[2]
FLOWS_DIR = ROOT / "server" / "flows"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"


def diagram_operators(folder: Path) -> set[str]:
    names = set()
    for bpmn in folder.glob("*.bpmn"):
        names |= {el.get("id", "") for el in ET.parse(bpmn).iter(f"{SPIFF}serviceTaskOperator")}
    return names


def template_path(name: str) -> Path:
    _, key, rest = name.split("/", 2)  # "flows/<key>/<file>" -> server/flows/<key>/templates/<file>
    return FLOWS_DIR / key / "templates" / rest


def problems(flows: tuple[FlowDefinition, ...]) -> list[str]:
    found: list[str] = []
    by_key = {f.key: f for f in flows}
    for kind in ("workflows", "forms"):
        folders = {p.name for p in (ROOT / kind).iterdir() if p.is_dir()}
        owners = [getattr(f, kind) for f in flows]
        found += [f"{kind}/{d} is owned by no registered flow" for d in sorted(folders - set(owners))]
        found += [f"{kind}/{d} is owned by two flows" for d in sorted({d for d in owners if owners.count(d) > 1})]
        found += [f"{f.key}: {kind}/{getattr(f, kind)} does not exist" for f in flows
                  if getattr(f, kind) not in folders]
    packages = {p.name for p in FLOWS_DIR.iterdir() if (p / "flow.py").is_file()}
    found += [f"server/flows/{k} is not in FLOWS" for k in sorted(packages - set(by_key))]
    names: dict[str, str] = {}
    for flow in flows:
        for name in flow.operators:
            if name in names:
                found.append(f"operator {name} registered by {names[name]} and {flow.key}")
            names.setdefault(name, flow.key)
    for flow in flows:
        missing = [r for r in flow.requires if r not in by_key]
        found += [f"{flow.key} requires unregistered flow {r}" for r in missing]
        callable_here = set(flow.operators).union(*(by_key[r].operators for r in flow.requires if r in by_key))
        for name in sorted(diagram_operators(ROOT / "workflows" / flow.workflows) - callable_here):
            found.append(f"{flow.key}: its diagram calls {name}, registered by neither it nor a flow it requires")
        found += [f"{flow.key}: context template {b.template} is missing" for b in flow.context
                  if not template_path(b.template).is_file()]
        for stage in flow.demo:
            found += [f"{flow.key}: demo stage {stage.name} needs unregistered flow {k}" for k in stage.flows
                      if k not in by_key]
    for flow in flows:
        found += start_form_problems(flow)
    tables = {t for flow in flows for module in flow.models for t in vars(module).values()
              if isinstance(t, type) and issubclass(t, Base) and t is not Base}
    flow_tables = {t.__table__.name for t in tables}
    core = {t.__table__.name for t in vars(server.models).values()
            if isinstance(t, type) and issubclass(t, Base) and t is not Base}
    found += [f"table {t} belongs to no registered flow nor server.models" for t in sorted(
        set(Base.metadata.tables) - flow_tables - core)]
    return found


def start_form_problems(flow: FlowDefinition) -> list[str]:
    """A flow a unit starts for a project shows forms/<forms>/start.json on 发起, with its project chooser."""
    if flow.unit_start is None or flow.unit_start.projects is None:
        return []
    try:
        _schema, ui = start_forms.load(flow.forms)
    except start_forms.StartFormMissing:
        return [f"{flow.key}: unit start needs forms/{flow.forms}/start.json"]
    if not start_forms.choice_fields(ui):
        return [f"{flow.key}: forms/{flow.forms}/start.ui.json marks no field \"ui:choices\": \"projects\""]
    return []


def test_shipped_flows_are_registered_whole():
    assert problems(FLOWS) == []


def test_operators_and_labels_do_not_conflict():
    assert len(operators()) == sum(len(f.operators) for f in FLOWS)
    for group in labels():
        texts: dict[str, str] = {}
        for flow in FLOWS:
            for code, words in flow.labels.get(group, {}).items():
                assert str(texts.setdefault(code, str(words))) == str(words), (group, code)


def test_batch_start_flows_are_the_year_wide_ones():
    assert sorted(f.key for f in FLOWS if f.batch_start) == ["evaluation", "key_monitoring", "monitoring"]


def test_every_flow_says_how_a_unit_starts_it():
    # 预算安排 is the office's (per year and sector, from its page), never a unit's; so is 重点绩效监控 (its batch);
    # 部门整体绩效 is the department's, started from its own page
    office = ("budget_arrangement", "key_monitoring", "dept_performance")
    starts = {f.key: f.unit_start for f in FLOWS if f.key not in office}
    assert all(BY_KEY[k].unit_start is None for k in office)
    assert all(isinstance(s, UnitStart) for s in starts.values())
    assert [k for k, s in starts.items() if s.projects is None] == ["ex_ante"]  # its first task is the form
    assert [k for k, s in starts.items() if s.repeatable] == ["goal_adjust"]


def _without(key: str, **changes) -> tuple[FlowDefinition, ...]:
    return tuple(dataclasses.replace(f, **changes) if f.key == key else f for f in FLOWS)


GAPS = {
    "flow left out of FLOWS": (tuple(f for f in FLOWS if f.key != "goal_adjust"),
                               "workflows/goal_adjust is owned by no registered flow"),
    "forms folder not owned": (_without("monitoring", forms="monitoring_forms"),
                               "forms/monitoring is owned by no registered flow"),
    "operator not registered": (_without("ex_ante", operators={}), "its diagram calls library.apply"),
    "operator of a flow not required": (_without("goal_adjust", requires=()), "its diagram calls goals.draft"),
    "context template missing": (_without("monitoring", context=(ContextBlock("flows/monitoring/nothing.html",
                                                                              lambda p, i: None),)),
                                 "context template flows/monitoring/nothing.html is missing"),
    "demo stage needs unknown flow": (_without("evaluation", demo=(DemoStage("x", ("budget_review",), list),)),
                                      "needs unregistered flow budget_review"),
    "start form missing": (_without("monitoring", forms="ex_ante"), "unit start needs forms/ex_ante/start.json"),
    "flow tables not registered": (_without("evaluation", models=()), "table evaluations belongs to no"),
}


@pytest.mark.parametrize("flows, message", GAPS.values(), ids=GAPS.keys())
def test_a_missing_part_is_reported(flows, message):
    assert any(message in p for p in problems(flows)), problems(flows)
