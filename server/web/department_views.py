"""部门整体绩效 pages: `/departments` (the departments in the reader's scope with their newest year, also as
.xlsx) and `/departments/<id>` (a department's goals, self-evaluation, finance evaluation and budget effect by
year). Read-only: the work itself is tasks in the inbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from server.db import db
from server.flows.dept_performance import page
from server.models import Organisation, OrgKind, Role
from server.services.errors import ServiceError
from server.services.handoff import where_it_went
from server.services.instances import start_instance
from server.services.start_options import current_year
from server.services.task_page import label
from server.services.xlsx_export import Column, stream_xlsx
from server.web.project_views import wants_xlsx, xlsx_response

bp = Blueprint("departments", __name__)


def _rows(found: list[tuple[Organisation, page.DeptYear | None]]) -> Iterator[list[Any]]:
    for org, year in found:
        goal = year.goal if year else None
        ev = year.evaluation if year else None
        yield [org.name, year.fiscal_year if year else None,
               label("dept_goal_status", goal.status.value) if goal else _("未编制"),
               goal.review_grade if goal else None, ev.self_score if ev else None, ev.office_score if ev else None,
               ev.grade if ev else None, ev.public_funds if ev else None, ev.adjustment if ev else None,
               ev.reason if ev else None]


@bp.get("/departments")
@login_required
def index():
    found = page.overview(current_user)
    if not found:
        abort(403)
    if wants_xlsx():
        columns = [Column(_("部门"), 18), Column(_("预算年度"), 10), Column(_("目标状态"), 14),
                   Column(_("财政审核等次"), 12), Column(_("部门自评得分"), 12), Column(_("财政评价得分"), 12),
                   Column(_("评价等次"), 10), Column(_("部门公用经费（元）"), 16, yuan=True),
                   Column(_("下一年度预算调整（元）"), 16, yuan=True), Column(_("调整依据"), 40)]
        return xlsx_response(stream_xlsx(_("部门整体绩效"), columns, _rows(found)), _("部门整体绩效") + ".xlsx")
    return render_template("flows/dept_performance/departments.html", rows=found, label=label)


def _department(department_id: int) -> Organisation:
    org = db.session.get(Organisation, department_id) if department_id < 2**31 else None
    if org is None or org.kind != OrgKind.DEPARTMENT:
        abort(404)
    if not page.may_read(current_user, org):
        abort(403)
    return org


def _may_start(org: Organisation) -> bool:
    """Only the department's own reviewer sets its goals (the flow's start lane)."""
    return current_user.organisation_id == org.id and Role.DEPT_REVIEWER in current_user.roles


def _page(org: Organisation, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
          status: int = 200):
    return render_template("flows/dept_performance/department.html", department=org, years=page.years(org),
                           label=label, may_start=_may_start(org),
                           start_values=values or {"fiscal_year": str(current_year() + 1)},
                           start_errors=errors or {}), status


@bp.get("/departments/<int:department_id>")
@login_required
def department(department_id: int):
    return _page(_department(department_id))


@bp.post("/departments/<int:department_id>/goals")
@login_required
def start_goals(department_id: int):
    """The department starts its year's goal table; refusals come back by field, nothing is started."""
    org = _department(department_id)
    if not _may_start(org):
        abort(403)
    year = (request.form.get("fiscal_year") or "").strip()[:10]
    values = {"fiscal_year": year}
    if not (year.isdigit() and len(year) == 4 and 2000 <= int(year) <= 2100):
        return _page(org, values, {"fiscal_year": _("应为 2000–2100 之间的四位年份")}, 422)
    try:
        outcome = start_instance(page.KEY, current_user, {"fiscal_year": int(year)})
    except ServiceError as err:
        return _page(org, values, {"form": err.message}, err.status)
    flash(_("已开始编制 %(year)s 年度部门整体绩效目标，%(where)s", year=year,
            where=where_it_went(outcome, current_user)), "success")
    return redirect(url_for("departments.department", department_id=org.id), 303)
