"""Reading the project library within the reader's scope."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from server.db import db
from server.models import OrgKind, Project, Role, User
from server.services.errors import NotFound
from server.services.project_facts import budget_from_corrections
from server.services.scope import COUNTY_WIDE_ROLES


def visible_clause(user: User) -> ColumnElement[bool]:
    roles = user.roles
    if roles & set(COUNTY_WIDE_ROLES):
        return Project.id.is_not(None)
    clauses: list[ColumnElement[bool]] = [Project.organisation_id == user.organisation_id]
    if Role.DEPT_REVIEWER in roles and user.organisation.kind == OrgKind.DEPARTMENT:
        clauses.append(Project.department_id == user.organisation_id)
    if Role.FINANCE_SECTION in roles and user.sectors:
        clauses.append(Project.sector.in_(sorted(user.sectors)))
    if Role.EXPERT in roles and not (roles - {Role.EXPERT}):
        return false()  # experts read only the instances they are assigned to
    return or_(*clauses)


def list_projects(user: User, *, q: str = "", page: int = 1, per_page: int = 20) -> tuple[list[Project], int]:
    where = [visible_clause(user)]
    if q := q.strip()[:100]:
        where.append(or_(Project.name.ilike(f"%{q}%"), Project.code.ilike(f"%{q}%")))
    total = db.session.scalar(select(func.count()).select_from(Project).where(*where)) or 0
    rows = db.session.scalars(
        select(Project).where(*where).order_by(Project.created_at.desc(), Project.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return list(rows), total


def get_project(project_id: int, user: User) -> Project:
    project = db.session.scalar(select(Project).where(Project.id == project_id, visible_clause(user)))
    if project is None:
        raise NotFound(_("项目不存在"))
    return project


def budget_in_force(project: Project, fiscal_year: int | None = None) -> Decimal:
    """The year's budget as monitoring left it (预算 after 调整预算 / 收回结余 decisions)."""
    return budget_from_corrections(project, fiscal_year)
