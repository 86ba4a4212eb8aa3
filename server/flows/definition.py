"""What a flow registers about itself: one FlowDefinition per flow package, listed in registry.FLOWS.

A flow is its BPMN/DMN folder under workflows/, its forms folder under forms/ (the product's layout) and a
package server/flows/<key>/ holding the Python side: the service-task operators its diagrams call, its
tables, the words for its codes, what the task page shows of it, whether it can be started for a whole year
and its part of the demo year. The definition names each of these so nothing else has to list them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select

from server.engine.operators import Operator

if TYPE_CHECKING:
    from server.models import ProcessInstance, Project
    from server.services.demo_year.calendar import YearPlan
    from server.services.demo_year.story import Story


@dataclass(frozen=True)
class ContextBlock:
    """One section of the task page's project context. `load` reads what it shows from the domain tables
    (None: nothing of this flow for that project, the section is left out); the template gets it as `block`,
    and `wide` when it stands in the main column.

    On a judging step (any role but the unit's own, see prefill.AUTHORS) of its own flow or of a flow named in
    `judged_in`, the block is what the reviewer is asked to judge: it stands in the main column above the form,
    wide enough for its tables, with the computed results (scores, grades, colours, rule outcomes). Elsewhere
    it is background in the side column."""

    template: str  # under templates/, e.g. "flows/ex_ante/context.html"
    load: Callable[[Project, ProcessInstance], Any | None]
    judged_in: tuple[str, ...] = ()  # other flows whose review steps judge what this block shows
    # Optional: a part shown in the main column under the form's fields, with the same `block` — for what the
    # user must read before submitting (e.g. what an amount decision does to the budget); it decides itself
    # whether the task's form concerns it.
    form_template: str | None = None


@dataclass(frozen=True)
class DemoStage:
    """A stage of the demo year (`jixiao init --demo`): the flows it needs deployed and the stories it plays."""

    name: str
    flows: tuple[str, ...]
    stories: Callable[[YearPlan], list[Story]]


@dataclass(frozen=True)
class UnitStart:
    """How a unit starts this flow itself on 发起 (/start). `projects` (None: the flow starts without a project and
    its first user task is the start form) selects, for the current fiscal year, the projects the flow's opening
    step accepts as `{"project_code": …}` — any unit's: the page narrows it to the user's own. A project with a
    live instance of the flow is never offered; `repeatable` says a finished one does not count (an adjustment
    may be asked for again, a year's monitoring may not)."""

    action: str  # what the button says, e.g. 发起绩效目标编审
    projects: Callable[[int], Select[tuple[Project]]] | None = None
    repeatable: bool = False


@dataclass(frozen=True)
class FlowDefinition:
    key: str  # the process key: the BPMN process id and the folder names below
    title: str  # what the flow is called (Chinese, as in the product)
    workflows: str  # the folder under workflows/ holding its BPMN and DMN
    forms: str  # the folder under forms/ holding its user-task forms
    operators: Mapping[str, Operator] = field(default_factory=dict)  # service-task name -> function
    requires: tuple[str, ...] = ()  # flows whose operators its diagrams also call
    models: tuple[ModuleType, ...] = ()  # the modules defining the tables it writes
    labels: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # code group -> code -> words
    context: tuple[ContextBlock, ...] = ()
    # For a flow whose instance concerns no single project (a sector's budget arrangement): what its judging
    # steps judge, loaded from the instance alone (`load(None, instance)`) and shown above the form.
    instance_block: ContextBlock | None = None
    # batch start: the projects of a fiscal year this flow is started for (None: not startable per year)
    batch_start: Callable[[int], Select[tuple[Project]]] | None = None
    # unit start: what a unit may start itself on 发起, and for which of its projects (None: not from 发起)
    unit_start: UnitStart | None = None
    demo: tuple[DemoStage, ...] = ()
