"""部门整体绩效 pages: `/departments` (the departments in the reader's scope with their newest year, also as
.xlsx) and `/departments/<id>` (a department's goals, self-evaluation, finance evaluation and budget effect by
year). Read-only: the work itself is tasks in the inbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from server.db import db
from server.flows.dept_performance import page
from server.models import Organisation, OrgKind
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


@bp.get("/departments/<int:department_id>")
@login_required
def department(department_id: int):
    org = db.session.get(Organisation, department_id) if department_id < 2**31 else None
    if org is None or org.kind != OrgKind.DEPARTMENT:
        abort(404)
    if not page.may_read(current_user, org):
        abort(403)
    return render_template("flows/dept_performance/department.html", department=org, years=page.years(org),
                           label=label)
