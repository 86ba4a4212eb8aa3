"""部门整体绩效 pages: `/departments?year=` (the departments in the reader's scope in one fiscal year, by default
the current one, or every year with `year=all`; also as .xlsx) and `/departments/<id>` (a department's years at a
glance, then each year's goals, mid-year monitoring colours and follow-up, self-evaluation, finance evaluation and
budget effect). Read-only: the work itself is tasks in the inbox."""

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


def _rows(found: list[tuple[Organisation, page.DeptYear | None]], year: int | None) -> Iterator[list[Any]]:
    for org, row in found:
        goal = row.goal if row else None
        ev = row.evaluation if row else None
        yield [org.name, row.fiscal_year if row else year,
               label("dept_goal_status", goal.status.value) if goal else _("未编制"),
               goal.review_grade if goal else None,
               label("colour", goal.monitor_colour.value) if goal and goal.monitor_colour else None,
               ev.self_score if ev else None, ev.office_score if ev else None,
               ev.grade if ev else None, ev.public_funds if ev else None, ev.adjustment if ev else None,
               ev.reason if ev else None]


def _year() -> tuple[int | None, str | None]:
    """The chosen fiscal year (None: every year) and, for a value that is no year, the selector's message."""
    raw = (request.args.get("year") or "").strip()[:10]
    if raw == "all":
        return None, None
    if not raw:
        return current_year(), None
    if raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= 2100:
        return int(raw), None
    return current_year(), _("应为 2000–2100 之间的四位年份")


@bp.get("/departments")
@login_required
def index():
    year, error = _year()
    if not page.departments(current_user):
        abort(403)
    found = page.overview(current_user, year)
    if wants_xlsx() and not error:
        columns = [Column(_("部门"), 18), Column(_("预算年度"), 10), Column(_("目标状态"), 14),
                   Column(_("财政审核等次"), 12), Column(_("运行监控预警"), 14), Column(_("部门自评得分"), 12),
                   Column(_("财政评价得分"), 12), Column(_("评价等次"), 10),
                   Column(_("部门公用经费（元）"), 16, yuan=True), Column(_("下一年度预算调整（元）"), 16, yuan=True),
                   Column(_("调整依据"), 40)]
        title = _("部门整体绩效") + (f" {year}" if year else "")
        return xlsx_response(stream_xlsx(title, columns, _rows(found, year)), title + ".xlsx")
    return render_template("flows/dept_performance/departments.html", rows=found, label=label, year=year,
                           year_error=error, years=page.known_years(current_user, current_year())), \
        422 if error else 200


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
                           label=label, chart=page.chart, may_start=_may_start(org),
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
