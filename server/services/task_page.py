"""What the task page shows besides the form: who may do what, the values the form starts from (draft or
flow data), the flow's quality warnings and notices, and the project's context — amounts, unit, previous
decisions and comments — read from the domain tables and audit events, not from the workflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from server.db import db
from server.flows import registry
from server.models import (
    AuditEvent,
    HumanTask,
    InstanceStatus,
    Organisation,
    ProcessInstance,
    Project,
    TaskStatus,
    User,
)
from server.services import choices, drafts, prefill
from server.services import tasks as task_service
from server.services.choices import Choice
from server.services.instance_page import TimelineEntry, readable, timeline
from server.services.panels import sealed_task_ids
from server.services.scope import may_act_on_task, offered_to

WARNINGS_KEY = "quality_warnings"  # goal flows put the goal_quality warnings here (see goal_review.bpmn)
NOTICE_SUFFIX = "_error"  # a flow's message for the user, e.g. office_error in ex_ante

# How the domain tables' codes read on the page: the project's own here, each flow's in its FlowDefinition.
LABELS: dict[str, Any] = {
    "project_status": {"applied": _l("已申报"), "assessing": _l("事前评估中"), "in_library": _l("已入库"),
                       "rejected": _l("不予支持"), "withdrawn": _l("已退出")},
    "project_type": {"new": _l("新增项目"), "continuing": _l("延续项目")},
    "category": {"personnel": _l("人员类"), "operating": _l("运转类"), "specific": _l("特定目标类")},
    "fund_source": {"local": _l("本级财政资金"), "transfer": _l("上级转移支付"), "direct": _l("直达资金"),
                    "special": _l("专项资金")},
    "goal_status": {"awaiting": _l("待编制绩效目标"), "drafting": _l("编制中"), "reviewing": _l("审核中"),
                    "approved": _l("已批复"), "refused": _l("审核未通过"), "adjusting": _l("调整审核中")},
    **registry.labels(),
}


def label(group: str, code: Any) -> str:
    """A domain code as words (an unknown code shows as itself rather than vanishing)."""
    if code is None:
        return ""
    found = LABELS.get(group, {}).get(str(code))
    return str(found) if found is not None else str(code)


@dataclass
class ShownBlock:
    template: str
    data: Any
    form_template: str | None = None  # ContextBlock.form_template


@dataclass
class ProjectContext:
    project: Project
    unit: str | None
    blocks: list[ShownBlock]  # each flow's part that has something for this project, in FLOWS order (side)
    under_review: list[ShownBlock] = field(default_factory=list)  # what this judging step judges (main column)

    @property
    def with_form_parts(self) -> list[ShownBlock]:
        """Blocks that add a part under the form's fields (ContextBlock.form_template), wherever they stand."""
        return [b for b in (*self.under_review, *self.blocks) if b.form_template]


@dataclass
class TaskPageData:
    task: HumanTask
    instance: ProcessInstance
    schema: dict[str, Any] | None
    ui_schema: dict[str, Any] | None
    values: dict[str, Any]
    from_draft: bool
    warnings: list[dict[str, Any]]
    notices: list[str]
    can_act: bool
    can_claim: bool
    can_unclaim: bool
    assignee: str | None
    completed_by: str | None
    project: ProjectContext | None
    history: list[TimelineEntry] = field(default_factory=list)
    submitted: list = field(default_factory=list)  # a done task: what was submitted (readable rows)
    draft_saved_at: datetime | None = None
    flow_errors: dict[str, str] = field(default_factory=dict)  # what the flow's own check refused last time
    held_reason: str | None = None  # the instance is suspended by an administrator: why (None: not held)
    judged: list[ShownBlock] = field(default_factory=list)  # a project-less flow's instance block (judging steps)
    choices: dict[str, list[Choice]] = field(default_factory=dict)  # entries of the choice sources the form names


def _name(user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return db.session.scalar(select(User.display_name).where(User.id == user_id))


def find_project(instance: ProcessInstance, task: HumanTask) -> Project | None:
    """The instance's project: by its business key (the project code), else the one the instance created."""
    codes = [c for c in (instance.business_key, task.project_code) if c]
    clauses = [Project.instance_id == instance.id] + ([Project.code.in_(codes)] if codes else [])
    found = db.session.scalars(select(Project).where(or_(*clauses)).limit(3)).all()
    by_code = next((p for p in found if p.code in codes), None)
    return by_code or (found[0] if found else None)


def project_context(instance: ProcessInstance, task: HumanTask) -> ProjectContext | None:
    project = find_project(instance, task)
    if project is None:
        return None
    judging = task.role not in prefill.AUTHORS
    side: list[ShownBlock] = []
    main: list[ShownBlock] = []
    for block, judged_in in registry.context_blocks():
        data = block.load(project, instance)
        if data is not None:
            (main if judging and instance.process_key in judged_in else side).append(ShownBlock(block.template, data, block.form_template))
    unit = db.session.scalar(select(Organisation.name).where(Organisation.id == project.organisation_id))
    return ProjectContext(project, unit, side, main)


def _submitted(task: HumanTask, schema: dict[str, Any] | None) -> list:
    data = db.session.scalar(
        select(AuditEvent.data).where(AuditEvent.task_id == task.id, AuditEvent.action == "complete")
        .order_by(AuditEvent.id.desc()).limit(1)
    )
    return readable(schema, data)


def load_task_page(task_id: int, actor: User) -> TaskPageData:
    task = task_service.get_task(task_id, actor)  # NotFound outside the user's scope
    instance = task.instance
    schema, ui_schema = task_service.task_form(task)
    is_open = task.status == TaskStatus.OPEN
    held = instance.status == InstanceStatus.SUSPENDED
    can_act = is_open and task.assignee_id == actor.id and not held  # completing a held task is refused (409)
    view = task_service.task_view(task) if is_open else None
    flow_data = dict(view.data) if view else {}
    draft = drafts.read_draft(task) if can_act else None
    warnings = flow_data.get(WARNINGS_KEY)
    notices = [str(v) for k, v in flow_data.items() if k.endswith(NOTICE_SUFFIX) and isinstance(v, str) and v]
    return TaskPageData(
        task=task,
        instance=instance,
        schema=schema,
        ui_schema=ui_schema,
        values=draft if draft is not None else prefill.starting_values(task, flow_data),
        from_draft=draft is not None,
        warnings=warnings if isinstance(warnings, list) else [],
        notices=notices,
        can_act=can_act,
        can_claim=is_open and not held and task.assignee_id is None and offered_to(actor, task),
        can_unclaim=can_act and may_act_on_task(actor, task),
        assignee=_name(task.assignee_id),
        completed_by=_name(task.completed_by_id),
        project=project_context(instance, task),
        history=[e for e in timeline(instance, only=("complete",), brief=True,
                                     sealed=sealed_task_ids(instance, actor)) if e.task_id != task.id],
        submitted=[] if is_open else _submitted(task, schema),
        draft_saved_at=task.draft_saved_at if draft is not None else None,
        flow_errors=view.field_errors if view else {},
        held_reason=_held_reason(instance) if held and is_open else None,
        judged=_instance_judged(instance, task),
        choices=choices.for_form(actor, ui_schema) if is_open else {},
    )


def _instance_judged(instance: ProcessInstance, task: HumanTask) -> list[ShownBlock]:
    """What a judging step of a flow without a project judges (FlowDefinition.instance_block)."""
    flow = registry.BY_KEY.get(instance.process_key)
    block = flow.instance_block if flow is not None else None
    if block is None or task.role in prefill.AUTHORS:
        return []
    data = block.load(None, instance)
    return [ShownBlock(block.template, data, block.form_template)] if data is not None else []


def _held_reason(instance: ProcessInstance) -> str:
    data = db.session.scalar(
        select(AuditEvent.data).where(AuditEvent.instance_id == instance.id, AuditEvent.action == "suspend")
        .order_by(AuditEvent.id.desc()).limit(1))
    return str((data or {}).get("reason") or "")


CONFIRM_FIELD = "confirmed_change"  # posted with the form: what the user confirmed (a block's confirmation token)


def unconfirmed(page: TaskPageData, values: dict[str, Any], confirmed: str) -> str | None:
    """The confirmation a context block asks for these values (e.g. monitoring: an amount decision's change to
    the budget) that the user has not given yet; the page then shows it and asks for the same click again.
    A block opts in with a `confirmation(values) -> token | None` method on its data."""
    for shown in page.project.with_form_parts if page.project else []:
        ask = getattr(shown.data, "confirmation", None)
        token = ask(values) if shown.form_template and callable(ask) else None
        if token and token != confirmed:
            return token
    return None
