"""Starting one flow for every eligible project of a fiscal year (the year's 运行监控, or after the year its
评价, for all projects with approved goals), on behalf of each project's unit.

Each project is its own transaction: one project whose flow refuses to start (its goals were withdrawn
meanwhile, say) is reported and skipped, and the others still start. Eligibility is data the flow owns:
a project qualifies when the flow's `batch_start` rule (its FlowDefinition) selects it and no live instance
of the flow has it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from server.db import db
from server.extensions import get_flows
from server.models import InstanceStatus, ProcessInstance, Project, Role, User
from server.services.errors import Forbidden, ServiceError, ValidationFailed
from server.services.instances import current_version, start_in_transaction
from server.services.messages import forward_thrown

MAX_BATCH = 2000
LIVE = (InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.SUSPENDED, InstanceStatus.COMPLETED)


@dataclass
class BatchResult:
    started: list[tuple[str, int]] = field(default_factory=list)  # (project code, instance id)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (project code, reason)


def eligible_projects(process_key: str, fiscal_year: int) -> list[Project]:
    flow = get_flows().get(process_key)
    rule = flow.batch_start if flow else None
    if rule is None:
        raise ValidationFailed(_("此流程不支持批量发起"), fields={"process_key": _("不支持批量发起")})
    taken = select(ProcessInstance.business_key).where(
        ProcessInstance.process_key == process_key, ProcessInstance.status.in_(LIVE),
        ProcessInstance.business_key.is_not(None),
    )
    stmt = rule(fiscal_year).where(Project.code.not_in(taken)).order_by(Project.code).limit(MAX_BATCH)
    return list(db.session.scalars(stmt))


def start_for_year(process_key: str, actor: User, fiscal_year: int, codes: list[str] | None = None) -> BatchResult:
    """Start `process_key` for the year's eligible projects (or the listed ones among them)."""
    if not {Role.PERFORMANCE_OFFICE, Role.ADMIN} & actor.roles:
        raise Forbidden(_("只有绩效管理股可以批量发起"))
    version = current_version(process_key)
    projects = eligible_projects(process_key, fiscal_year)
    result = BatchResult()
    if codes is not None:
        wanted = set(codes)
        found = {p.code for p in projects}
        result.skipped += [(c, _("不符合条件或已发起")) for c in sorted(wanted - found)]
        projects = [p for p in projects if p.code in wanted]
    for project in projects:
        code = project.code
        organisation = project.organisation
        try:
            outcome = start_in_transaction(version, actor, organisation, {"project_code": code, "batch": True})
            db.session.commit()
            forward_thrown(actor)
        except ServiceError as err:
            db.session.rollback()  # only this project's start; the ones before are committed
            result.skipped.append((code, err.message))
            continue
        result.started.append((code, outcome.instance.id))
    return result
