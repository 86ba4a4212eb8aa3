"""Where a step's work went: the next steps and who now has them, in words a user reads after submitting
("已提交，已转 县教育局（主管部门）：主管部门审核"), so no hand-off leaves the sender guessing."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from server.db import db
from server.models import HumanTask, InstanceStatus, Organisation, Role, User, UserRole, UserSector
from server.services.cancel_rules import ROLE_LABELS
from server.services.persistence import Outcome

MAX_LISTED = 3  # a parallel panel (several experts) is named by its count beyond this


def where_it_went(outcome: Outcome, actor: User) -> str:
    """One sentence: the open steps after this one and their holders, or that the flow ended or waits."""
    rows = outcome.open_tasks
    if not rows:
        if outcome.instance.status == InstanceStatus.COMPLETED:
            return _("流程已办结。")
        return _("流程进入等待（到期后自动继续）。")
    tasks = db.session.scalars(select(HumanTask).where(HumanTask.id.in_([r.id for r in rows]))
                               .order_by(HumanTask.id)).all()
    parts = [f"{_holder(t, actor)}：{t.title}" for t in tasks[:MAX_LISTED]]
    if len(tasks) > MAX_LISTED:
        parts.append(_("等 %(n)s 项", n=len(tasks)))
    return _("已转 %(to)s。", to="；".join(parts))


def _holder(task: HumanTask, actor: User) -> str:
    if task.assignee_id == actor.id:
        return _("您本人")
    if task.assignee_id is not None:
        name = db.session.scalar(select(User.display_name).where(User.id == task.assignee_id))
        return name or _("指定办理人")
    role = str(ROLE_LABELS.get(task.role, task.role))
    if task.role == Role.UNIT_STAFF:
        return f"{_org_name(task.organisation_id)}（{role}）"
    if task.role == Role.DEPT_REVIEWER and task.department_id is not None:
        return f"{_org_name(task.department_id)}（{role}）"
    if task.role == Role.FINANCE_SECTION and task.sector:
        names = db.session.scalars(
            select(Organisation.name).distinct()
            .join(User, User.organisation_id == Organisation.id)
            .join(UserRole, UserRole.user_id == User.id)
            .join(UserSector, UserSector.user_id == User.id)
            .where(UserRole.role == Role.FINANCE_SECTION, UserSector.sector == task.sector, User.active.is_(True))
            .order_by(Organisation.name)
        ).all()
        return f"{'、'.join(names)}（{role}）" if names else _("%(sector)s领域的财政业务股室", sector=task.sector)
    return role


def _org_name(organisation_id: int | None) -> str:
    if organisation_id is None:
        return ""
    return db.session.scalar(select(Organisation.name).where(Organisation.id == organisation_id)) or ""
