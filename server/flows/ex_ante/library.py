"""library.* operators: the project library (项目库) as a flow applies, admits or rejects a project."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from server.db import db
from server.engine.operators import OperatorCall
from server.extensions import get_clock
from server.flows.ex_ante import draft_goals
from server.flows.shared.support import context, money, optional_int, text
from server.models import FundSource, GoalStatus, Project, ProjectCategory, ProjectStatus, ProjectType

APPLICATION_KEYS = ("necessity", "implementation_plan", "budget_items", "materials", "contact", *draft_goals.GOAL_KEYS)


def _project_type(value: Any) -> ProjectType | None:
    if value in (None, ""):
        return None
    try:
        return ProjectType(str(value))
    except ValueError as err:
        raise ValueError(_("项目类型“%(value)s”应为 new（新增）或 continuing（延续）", value=value)) from err


def _category(value: Any) -> ProjectCategory:
    try:
        return ProjectCategory(str(value or ProjectCategory.SPECIFIC.value))
    except ValueError as err:
        raise ValueError(_("支出类别“%(value)s”应为人员类、运转类或特定目标类", value=str(value)[:40])) from err


def _fund_source(value: Any) -> FundSource:
    try:
        return FundSource(str(value or FundSource.LOCAL.value))
    except ValueError as err:
        raise ValueError(_("资金来源“%(value)s”不是可选的资金来源", value=str(value)[:40])) from err


def _find(call: OperatorCall, code: Any) -> Project | None:
    if code:
        return db.session.scalar(select(Project).where(Project.code == str(code)[:100]))
    instance = context(call).instance
    return db.session.scalar(
        select(Project).where(Project.instance_id == instance.id).order_by(Project.id.desc()).limit(1)
    )


def _new_project(call: OperatorCall, code: Any, fiscal_year: int | None) -> Project:
    instance = context(call).instance
    now = get_clock().now()
    project = Project(
        code=str(code or f"XM-{fiscal_year or now.year}-{instance.id:06d}")[:100],
        name="",
        organisation_id=instance.organisation_id,
        department_id=instance.department_id,
        sector=instance.sector,
        instance_id=instance.id,
        status=ProjectStatus.APPLIED,
        created_at=now,
    )
    db.session.add(project)
    return project


def apply_project(
    call: OperatorCall,
    *,
    name: Any,
    amount: Any,
    fiscal_year: Any = None,
    project_type: Any = None,
    start_year: Any = None,
    end_year: Any = None,
    fiscal_funds: Any = None,
    other_funds: Any = None,
    application: Any = None,
    code: Any = None,
    category: Any = None,
    fund_source: Any = None,
    confidential: Any = False,
) -> dict[str, Any]:
    """library.apply: record (or, after a send-back, update) the flow's application as an applied project."""
    year = optional_int(fiscal_year)
    project = _find(call, code) or _new_project(call, code, year)
    if project.status in (ProjectStatus.IN_LIBRARY, ProjectStatus.REJECTED):
        raise ValueError(_("项目 %(code)s 已有评估结论，不能再次申报", code=project.code))
    project.name = str(name)[:200]
    project.fiscal_year = year
    project.project_type = _project_type(project_type)
    project.start_year, project.end_year = optional_int(start_year), optional_int(end_year)
    project.requested_amount = money(amount, "申报金额")
    project.fiscal_funds = money(fiscal_funds, "财政拨款", allow_none=True)
    project.other_funds = money(other_funds, "其他资金", allow_none=True)
    project.category, project.fund_source = _category(category), _fund_source(fund_source)
    if confidential not in (None, True, False):
        raise ValueError(_("是否保密项目应为是或否"))
    project.confidential = bool(confidential)
    found: list[dict[str, str]] = []
    if isinstance(application, dict):
        kept = {k: application[k] for k in APPLICATION_KEYS if k in application}
        found = draft_goals.warnings(kept, project.sector)
        project.application = {**kept, draft_goals.WARNINGS: found}
    project.status = ProjectStatus.APPLIED
    project.updated_at = get_clock().now()
    db.session.flush()
    return {"project_id": project.id, "project_code": project.code, "warnings": found}


def admit_to_library(call: OperatorCall, *, amount: Any, name: Any = None, code: Any = None,
                     goals_required: Any = True) -> dict[str, Any]:
    """library.admit: enter the flow's project in the library at the approved amount (元), awaiting goals
    unless the category rule table (ex_ante_category) says its category does not fill goals.

    The cut (审减金额) is the requested amount minus the approved one. A flow without an earlier
    `library.apply` creates the project here (then `name` is required).
    """
    approved = money(amount, "入库金额")
    assert approved is not None
    project = _find(call, code)
    if project is None:
        if name in (None, ""):
            raise ValueError(_("入库需要项目名称"))
        project = _new_project(call, code, None)
    if name not in (None, ""):
        project.name = str(name)[:200]
    if project.status == ProjectStatus.REJECTED:
        raise ValueError(_("项目 %(code)s 已不予支持，不能入库", code=project.code))
    requested = project.requested_amount if project.requested_amount is not None else approved
    if approved > requested:
        raise ValueError(_("入库金额 %(approved)s 元超过申报金额 %(requested)s 元", approved=approved, requested=requested))
    now = get_clock().now()
    project.requested_amount = requested
    project.amount = approved
    project.cut_amount = requested - approved
    project.status = ProjectStatus.IN_LIBRARY
    project.goal_status = GoalStatus.AWAITING if goals_required is not False else None
    project.admitted_at = now
    project.updated_at = now
    db.session.flush()
    draft_goals.to_goal_version(project, now)  # the application's draft goals become goal version 1
    return {"project_id": project.id, "project_code": project.code, "amount": str(approved)}


def reject_project(call: OperatorCall, *, reason: Any) -> dict[str, Any]:
    """library.reject: 不予支持 — the project stays out of the library and may not be budgeted."""
    project = _find(call, None)
    if project is None:
        raise ValueError(_("本流程没有申报项目"))
    if project.status == ProjectStatus.IN_LIBRARY:
        raise ValueError(_("项目 %(code)s 已入库，不能再不予支持", code=project.code))
    project.status = ProjectStatus.REJECTED
    project.amount = None
    project.cut_amount = project.requested_amount
    project.goal_status = None
    project.rejection_reason = text(reason, 4000)
    project.updated_at = get_clock().now()
    db.session.flush()
    return {"project_id": project.id, "project_code": project.code, "cut_amount": str(project.cut_amount or Decimal(0))}
