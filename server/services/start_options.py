"""发起 (/start): what a user may start, the start forms, and starting.

Units start flows themselves (a flow's `unit_start` in its FlowDefinition says with which words and for which
projects); the performance office starts the year-wide flows for every eligible project (`batch_start`:
services/batch_preview.py for the page, services/batch_start.py runs it). Who may start is the deployed
version's start lane, as for the API; which projects qualify is the flow's own rule narrowed to the user's
organisation, less the projects that already have a live instance of the flow — so the page offers what the
flow's opening step will accept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import defer

from server.clock import COUNTY_TZ
from server.db import db
from server.extensions import get_clock, get_flows
from server.flows.definition import FlowDefinition
from server.lru import BoundedLRU
from server.models import (
    HumanTask,
    InstanceStatus,
    ProcessInstance,
    ProcessModel,
    ProcessVersion,
    Project,
    Role,
    TaskStatus,
    User,
)
from server.services import audit, start_forms
from server.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.services.forms import validate_submission
from server.services.instance_errors import new_reference, user_message
from server.services.instances import start_in_transaction
from server.services.messages import forward_thrown
from server.services.persistence import Outcome
from server.services.scope import may_act_on_task
from server.services.start_lane import first_user_task
from server.services.tasks import StepFailed, WorkflowFailed, complete_in_transaction

log = logging.getLogger(__name__)

OFFICE_ROLES = frozenset({Role.PERFORMANCE_OFFICE, Role.ADMIN})
MAX_CHOICES = 500  # projects offered in one chooser; a unit has a few dozen a year
_ENDED = (InstanceStatus.CANCELLED,)  # an instance in error is still live: it is retried, not restarted


@dataclass(frozen=True)
class StartOption:
    """A flow the user may start: without a project (its first task's form is the start form) or for one of
    the listed projects."""

    key: str
    title: str
    action: str
    version: ProcessVersion
    projects: list[Project] | None  # None: starts without a project

    @property
    def by_project(self) -> bool:
        return self.projects is not None


@dataclass(frozen=True)
class NextStep:
    task_id: int
    title: str
    mine: bool  # the starter can work on it now (else services.handoff says where it went)


def current_year() -> int:
    return get_clock().now().astimezone(COUNTY_TZ).year


# ---------------------------------------------------------------- what the user may start


def versions(keys: list[str]) -> dict[str, ProcessVersion]:
    """The current version of each deployed flow among `keys` (forms not loaded)."""
    rows = db.session.execute(
        select(ProcessModel.key, ProcessVersion)
        .join(ProcessVersion, ProcessModel.current_version_id == ProcessVersion.id)
        .where(ProcessModel.key.in_(keys))
        .options(defer(ProcessVersion.forms))
    ).tuples().all()
    return dict(rows)


def _may_start(version: ProcessVersion, user: User) -> bool:
    return (version.start_role or Role.ADMIN.value) in user.roles  # as services.instances.start_instance


def _unit_flows() -> list[FlowDefinition]:
    return [flow for flow in get_flows().values() if flow.unit_start is not None]


def _taken(flow: FlowDefinition):
    """Project codes with an instance of the flow that rules out another one."""
    ended = _ENDED if not flow.unit_start or not flow.unit_start.repeatable else (*_ENDED, InstanceStatus.COMPLETED)
    return select(ProcessInstance.business_key).where(
        ProcessInstance.process_key == flow.key, ProcessInstance.status.not_in(ended),
        ProcessInstance.business_key.is_not(None),
    )


def _own_projects(flow: FlowDefinition, user: User, year: int) -> list[Project]:
    rule = flow.unit_start.projects if flow.unit_start else None
    assert rule is not None
    stmt = (rule(year)
            .where(Project.organisation_id == user.organisation_id, Project.code.not_in(_taken(flow)))
            .order_by(Project.fiscal_year.desc(), Project.code).limit(MAX_CHOICES))
    return list(db.session.scalars(stmt))


def unit_options(user: User) -> list[StartOption]:
    """The flows this user may start on 发起, in the registry's order, each with its eligible projects."""
    flows = _unit_flows()
    deployed = versions([f.key for f in flows])
    year = current_year()
    found = []
    for flow in flows:
        version = deployed.get(flow.key)
        if version is None or not _may_start(version, user):
            continue
        assert flow.unit_start is not None
        projects = _own_projects(flow, user, year) if flow.unit_start.projects else None
        found.append(StartOption(flow.key, version.model.name, str(flow.unit_start.action), version, projects))
    return found


def unit_option(key: str, user: User) -> StartOption:
    """One flow the user may start; NotFound when it is no flow started from 发起, Forbidden for another role."""
    flow = get_flows().get(key)
    if flow is None or flow.unit_start is None:
        raise NotFound(_("没有可以发起的“%(key)s”流程", key=key[:64]))
    version = versions([key]).get(key)
    if version is None:
        raise NotFound(_("流程“%(key)s”不存在或尚未部署", key=key))
    if not _may_start(version, user):
        raise Forbidden(_("您的角色不能发起此流程"))
    projects = _own_projects(flow, user, current_year()) if flow.unit_start.projects else None
    return StartOption(key, version.model.name, str(flow.unit_start.action), version, projects)


def may_start_anything(user: User) -> bool:
    """Has /start anything for this user? One query (the navigation asks on every page)."""
    flows = list(get_flows().values())
    unit_keys = [f.key for f in flows if f.unit_start is not None]
    batch_keys = [f.key for f in flows if f.batch_start is not None] if OFFICE_ROLES & user.roles else []
    starters = ProcessVersion.start_role.in_(sorted(user.roles))
    if Role.ADMIN in user.roles:
        starters = or_(starters, ProcessVersion.start_role.is_(None))
    stmt = (select(ProcessModel.id)
            .join(ProcessVersion, ProcessModel.current_version_id == ProcessVersion.id)
            .where(or_(and_(ProcessModel.key.in_(unit_keys), starters), ProcessModel.key.in_(batch_keys)))
            .limit(1))
    return db.session.scalar(stmt) is not None


# ---------------------------------------------------------------- the start forms

# A version never changes: its first task is read from its BPMN once per process (None is kept as (None,)).
_FIRST_TASKS: BoundedLRU[str, tuple[tuple[str, str | None, str | None] | None]] = BoundedLRU(64)


def _first_task(version: ProcessVersion) -> tuple[str, str | None, str | None] | None:
    return _FIRST_TASKS.get_or_make(version.cache_key,
                                    lambda: (first_user_task(version.sources, version.process_id),))[0]



def start_form(option: StartOption) -> tuple[dict[str, Any], dict[str, Any]]:
    """(schema, UI schema) of the option's start form: the first task's form from the deployed version, or the
    flow's forms/<flow>/start.json with the eligible projects as the chooser's choices."""
    if option.projects is None:
        first = _first_task(option.version)
        if first is None or first[1] is None:
            raise NotFound(_("此流程没有发起表单"))
        forms = option.version.forms
        return forms.get(first[1]) or {}, forms.get(first[2] or "") or {}
    flow = get_flows()[option.key]
    choices = [(p.code, _project_title(p)) for p in option.projects]
    return start_forms.with_choices(start_forms.load(flow.forms), choices)


def _project_title(project: Project) -> str:
    return f"{project.name}（{project.code}）"  # names carry their year already (2026年…)


# ---------------------------------------------------------------- starting


def start_for_project(option: StartOption, user: User, data: dict[str, Any]) -> Outcome:
    """Start a project-based flow for one of the user's eligible projects (a field error for any other)."""
    code = data.get("project_code")
    if not isinstance(code, str) or code not in {p.code for p in option.projects or []}:
        raise ValidationFailed(_("请选择符合条件的本单位项目"),
                               fields={"project_code": _("请从列表中选择符合条件的本单位项目")})
    try:
        outcome = start_in_transaction(option.version, user, user.organisation, {"project_code": code})
        _hand_to_starter(outcome, user)
        db.session.commit()
        forward_thrown(user)
    except OperationalError as err:  # a lock or deadlock: nothing of ours is kept
        db.session.rollback()
        raise Conflict(_("系统繁忙，未能发起，请稍后重试")) from err
    except BaseException:
        db.session.rollback()
        raise
    return outcome


def file_first_step(option: StartOption, user: User, data: dict[str, Any]) -> Outcome:
    """Start the flow and complete its first task (the start form) with `data` in one transaction: invalid
    input or a flow that refuses it leaves nothing behind, not even the instance."""
    first = _first_task(option.version)
    if first is None:
        raise NotFound(_("此流程没有发起表单"))
    validate_submission(option.version.forms.get(first[1] or ""), data)  # before anything is written
    try:
        started = start_in_transaction(option.version, user, user.organisation, {})
        task_id = next((t.id for t in started.open_tasks if t.task_name == first[0]), None)
        if task_id is None:
            raise ValidationFailed(_("流程没有停在发起表单，未能提交"))
        outcome = complete_in_transaction(task_id, user, data)
        _hand_to_starter(outcome, user)
        db.session.commit()
        forward_thrown(user)
    except StepFailed as failed:
        db.session.rollback()  # the instance goes too: there is nothing to mark as in error
        reference = new_reference()
        log.error("start of %s failed at its first step, reference %s: %s", option.key, reference, failed.err)
        raise WorkflowFailed(_("流程执行出错，本次提交未保存：%(err)s",
                               err=user_message(failed.err, reference))) from failed.err
    except OperationalError as err:
        db.session.rollback()
        raise Conflict(_("系统繁忙，未能发起，请稍后重试")) from err
    except BaseException:
        db.session.rollback()
        raise
    return outcome


def _hand_to_starter(outcome: Outcome, user: User) -> None:
    """The starter's own next step (the goal table, the self-assessment) is theirs at once, as if claimed: the
    page takes them straight to it, and colleagues do not pick it up meanwhile."""
    for task in _open_rows(outcome):
        if task.assignee_id is None and may_act_on_task(user, task):
            task.assignee_id = user.id
            audit.record("claim", actor=user, instance=task.instance, task=task)


def _open_rows(outcome: Outcome) -> list[HumanTask]:
    ids = [t.id for t in outcome.open_tasks]
    if not ids:
        return []
    return list(db.session.scalars(select(HumanTask).where(HumanTask.id.in_(ids), HumanTask.status == TaskStatus.OPEN)
                                   .order_by(HumanTask.id)))


def next_steps(outcome: Outcome, user: User) -> list[NextStep]:
    """The open tasks after a start, with where they went, for the page that says so."""
    return [NextStep(t.id, t.title, may_act_on_task(user, t)) for t in _open_rows(outcome)]

