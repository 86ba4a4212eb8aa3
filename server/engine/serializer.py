"""JSON text for specs and instance state, with the spec stored by reference.

An instance blob holds only the task tree and data; the process spec is serialized once per deployed
version (`spec_json`) and restored once per process (cached by the Engine). The stock
BpmnWorkflowConverter embeds the whole spec in every blob and re-parses it on every load, which is
most of the cost of a request, so the workflow converter is replaced by one that takes the spec
objects as arguments.

Spec and state JSON written by an older SpiffWorkflow are upgraded on load (`state_migration`); the next
save writes the installed format. JSON from a newer SpiffWorkflow is refused (StateVersionError).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from server.engine.state_migration import migrate_spec, migrate_state

VERSION_KEY = "serializer_version"
Specs = tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]


class _ByReferenceWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(  # type: ignore[override]
        self,
        dct: dict[str, Any],
        spec: BpmnProcessSpec | None = None,
        subprocess_specs: dict[str, BpmnProcessSpec] | None = None,
        script_engine: Any = None,
    ) -> BpmnWorkflow:
        if spec is None:
            raise ValueError("instance state restores only against a cached spec")
        workflow = self.target_class(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _build_registry() -> Any:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _ByReferenceWorkflowConverter
    registry = BpmnWorkflowSerializer.configure(config)
    # Scripts may put these in task data; SpiffWorkflow only knows datetime/timedelta/UUID.
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda d: Decimal(d["value"]))
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda d: date.fromisoformat(d["value"]))
    return registry


REGISTRY = _build_registry()
_WORKFLOW_CONVERTER = _ByReferenceWorkflowConverter(BpmnWorkflow, REGISTRY)
_ENCODER = create_encoder(REGISTRY)


def _dumps(dct: dict[str, Any]) -> str:
    # Sorted keys and text: PostgreSQL jsonb reorders keys, so the blob is stored as text.
    return json.dumps(dct, cls=_ENCODER, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def dump_spec(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> str:
    return _dumps(
        {
            VERSION_KEY: VERSION,
            "spec": REGISTRY.convert(spec),
            "subprocess_specs": {name: REGISTRY.convert(sp) for name, sp in subprocess_specs.items()},
        }
    )


def load_spec(spec_json: str) -> Specs:
    dct = json.loads(spec_json)
    version = dct.get(VERSION_KEY, VERSION)
    if version != VERSION:
        migrate_spec(dct, version)
    spec = REGISTRY.restore(dct["spec"])
    subprocess_specs = {name: REGISTRY.restore(sp) for name, sp in dct.get("subprocess_specs", {}).items()}
    return spec, subprocess_specs


def _sort_deletions(wf_dct: dict[str, Any]) -> None:
    # Deleted keys come out in parent-dict order, which differs after a reload; sort for stable text.
    for task in wf_dct["tasks"].values():
        delta = task.get("delta")
        if delta and delta.get("deletions"):
            delta["deletions"] = sorted(delta["deletions"])


def dump_state(workflow: BpmnWorkflow) -> str:
    dct = _WORKFLOW_CONVERTER.to_dict(workflow)
    _sort_deletions(dct)
    for sub in dct["subprocesses"].values():
        _sort_deletions(sub)
    dct[VERSION_KEY] = VERSION
    return _dumps(dct)


def _parents_first(wf_dct: dict[str, Any]) -> None:
    """Reorder `tasks` so every parent precedes its children.

    Task data is stored as a delta against the parent and SpiffWorkflow restores tasks in mapping
    order, so with sorted keys (our blob format) children would otherwise lose their data.
    """
    tasks: dict[str, Any] = wf_dct["tasks"]
    ordered: dict[str, Any] = {}
    queue = [wf_dct["root"]]
    while queue:
        tid = queue.pop(0)
        task = tasks.get(tid)
        if task is not None and tid not in ordered:
            ordered[tid] = task
            queue.extend(task["children"])
    ordered.update((tid, t) for tid, t in tasks.items() if tid not in ordered)
    wf_dct["tasks"] = ordered


def load_state(state: str, specs: Specs, script_engine: Any) -> BpmnWorkflow:
    dct = json.loads(state)
    spec, subprocess_specs = specs
    version = dct.pop(VERSION_KEY, VERSION)
    if version != VERSION:
        # The steps read task spec typenames and outputs, which the current format keeps unchanged.
        migrate_state(dct, version, json.loads(dump_spec(spec, subprocess_specs)))
    _parents_first(dct)
    for sub in dct.get("subprocesses", {}).values():
        _parents_first(sub)
    return _WORKFLOW_CONVERTER.from_dict(
        dct, spec=spec, subprocess_specs=subprocess_specs, script_engine=script_engine
    )
