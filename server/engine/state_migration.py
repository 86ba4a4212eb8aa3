"""Bring spec and instance JSON written by an older SpiffWorkflow serializer up to the installed format.

SpiffWorkflow upgrades its own blobs (`BpmnWorkflowSerializer.migrate`), but three things stop us from
calling that as is:

- its migrations expect the spec embedded in the workflow dict; ours is stored once per process version
  (`serializer.dump_spec`), so the state is composed with its spec before a step and the spec stripped after;
- `migrate` runs one entry of `MIGRATIONS` only, and only the steps up to 1.2 chain on to the next one, so a
  1.3 blob would stop at 1.4; the steps are chained here, each from the version the previous one produced;
- the steps from 1.3 and from 1.4 fail on any workflow with a subprocess (NameError: they loop over `up` and
  read `sp`; and a subprocess's `spec` is a name, not a dict), so those two run here per (sub)workflow.

Formats before 1.3 (SpiffWorkflow < 3.0, older than this project) are refused.

A spec JSON has no tasks, and the library's spec changes are written as task-driven state changes (1.5
rewrites the children of an event-based gateway only when a task of that gateway exists), so specs are
upgraded by the spec steps below. A library upgrade that brings a step not listed there makes older specs
refuse to load with a clear error (and `test_serializer_migration` fail) until the step is added here.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn.serializer.migration.version_1_4 import update_mi_states
from SpiffWorkflow.bpmn.serializer.migration.version_1_5 import update_event_gateway_children
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION

from server.engine.errors import EngineError
from server.engine.i18n import _

Dict = dict[str, Any]


class StateVersionError(EngineError):
    """A spec or state was written in a serializer format this installation cannot read."""


def _key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except (AttributeError, ValueError):
        raise StateVersionError(_("流程数据的格式版本“%(version)s”无法识别", version=version)) from None


def _next(version: str) -> str:
    major, minor = _key(version)[:2]
    return f"{major}.{minor + 1}"


def _refuse_newer(version: str) -> None:
    if _key(version) > _key(VERSION):
        raise StateVersionError(
            _(
                "流程数据由更新版本的引擎保存（格式 %(found)s，本系统支持到 %(current)s），请使用相同或更新版本的系统办理",
                found=version,
                current=VERSION,
            )
        )


# --- instance state ---------------------------------------------------------------------------------------

def _per_workflow(update: Callable[[Dict], None]) -> Callable[[Dict], None]:
    """Run a library update on the top workflow and on each subprocess, each with its own spec."""

    def step(dct: Dict) -> None:
        update({"tasks": dct["tasks"], "spec": dct["spec"], "subprocesses": {}})
        for sub in dct["subprocesses"].values():
            spec = dct["subprocess_specs"][sub["spec"]]
            update({"tasks": sub["tasks"], "spec": spec, "subprocesses": {}})

    return step


# Formats before 1.3 changed specs in ways only the BPMN parser redoes; their states are refused. Steps from
# 1.5 on are the library's own, taken as they come.
_STATE_STEPS: dict[str, Callable[[Dict], None]] = {
    **{version: step for version, step in MIGRATIONS.items() if _key(version) > (1, 4)},
    "1.3": _per_workflow(update_mi_states),
    "1.4": _per_workflow(update_event_gateway_children),
}


def migrate_state(dct: Dict, version: str, spec: Dict) -> None:
    """Upgrade an instance dict (spec stripped, version popped) in place from `version` to `VERSION`.

    `spec` is the process version's spec JSON as a dict (`spec` and `subprocess_specs`); the steps get a copy
    composed into the state and it is taken out again afterwards, so the state is loaded against the cached
    spec as usual.
    """
    _refuse_newer(version)
    dct["spec"] = deepcopy(spec["spec"])
    dct["subprocess_specs"] = deepcopy(spec.get("subprocess_specs", {}))
    try:
        while _key(version) < _key(VERSION):
            step = _STATE_STEPS.get(version)
            if step is None:
                raise StateVersionError(
                    _("流程实例数据的格式 %(found)s 过旧，无法升级到 %(current)s", found=version, current=VERSION)
                )
            step(dct)
            version = _next(version)
    finally:
        for key in ("spec", "subprocess_specs", "VERSION"):
            dct.pop(key, None)


# --- process version spec ---------------------------------------------------------------------------------

def _gateway_children_without_events(spec: Dict) -> None:
    """1.4 -> 1.5: an event-based gateway holds its branches' events; the catch events after it get none."""
    task_specs = spec["task_specs"]
    for gateway in task_specs.values():
        if gateway["typename"] == "EventBasedGateway":
            for name in gateway["outputs"]:
                task_specs[name]["event_definition"] = {
                    "description": None,
                    "name": None,
                    "typename": "NoneEventDefinition",
                }


_SPEC_STEPS: dict[str, Callable[[Dict], None]] = {
    "1.3": lambda spec: None,  # 1.3 -> 1.4 changed task states only
    "1.4": _gateway_children_without_events,
}


def migrate_spec(dct: Dict, version: str) -> None:
    """Upgrade a spec JSON dict (`spec`, `subprocess_specs`) in place from `version` to `VERSION`."""
    _refuse_newer(version)
    while _key(version) < _key(VERSION):
        step = _SPEC_STEPS.get(version)
        if step is None:
            raise StateVersionError(
                _(
                    "流程版本的规格数据格式 %(found)s 无法自动升级到 %(current)s，请重新部署该流程",
                    found=version,
                    current=VERSION,
                )
            )
        for spec in (dct["spec"], *dct.get("subprocess_specs", {}).values()):
            step(spec)
        version = _next(version)
