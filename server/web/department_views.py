"""部门整体绩效 pages: `/departments` (the departments in the reader's scope) and `/departments/<id>` (a
department's goals, self-evaluation, finance evaluation and budget effect by year). Read-only: the work itself
is tasks in the inbox."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from server.db import db
from server.flows.dept_performance import page
from server.models import Organisation, OrgKind
from server.services.task_page import label

bp = Blueprint("departments", __name__)


@bp.get("/departments")
@login_required
def index():
    found = page.departments(current_user)
    if not found:
        abort(403)
    return render_template("flows/dept_performance/departments.html", departments=found)


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
