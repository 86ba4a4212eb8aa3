"""部门评价 `/dept-evaluations?year=`: the supervising department chooses which of its units' projects of a year get
a department evaluation (checkboxes and reasons, CSRF, audited; locked once the evaluation has read them), the
office reads every department's choices; both export the list as .xlsx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from server.flows.evaluation import dept_selection
from server.services.errors import ValidationFailed
from server.services.list_query import QueryReader
from server.services.start_options import current_year
from server.services.task_page import label
from server.services.xlsx_export import Column, stream_xlsx
from server.web.project_views import wants_xlsx, xlsx_response

bp = Blueprint("dept_evaluations", __name__)


def _year(args: Any) -> int:
    read = QueryReader(args)
    year = read.integer("year", 2000, 2100)
    if read.errors:
        raise ValidationFailed(_("年度有误"), fields=read.errors)
    return year or current_year() - 1  # the year whose projects are evaluated now


def _xlsx(found: list[dept_selection.Row]) -> Iterator[list[Any]]:
    for r in found:
        e = r.evaluation
        yield [r.department, r.unit, r.project.code, r.project.name, r.project.amount,
               _("是") if r.selection else _("否"), r.selection.reason if r.selection else "",
               label("evaluation_status", e.status.value) if e else _("未开始评价"),
               e.self_grade if e else None, e.dept_score if e else None, e.dept_grade if e else None,
               _("已锁定") if r.locked else ""]


def _page(year: int, errors: dict[str, str] | None = None, posted: dict[int, str | None] | None = None,
          status: int = 200):
    found = dept_selection.rows(current_user, year)
    department = dept_selection.reviewer_department(current_user)
    return render_template("flows/evaluation/dept_evaluations.html", year=year, rows=found, department=department,
                           chosen=[r for r in found if r.selection], total=dept_selection.total_amount(found),
                           errors=errors or {}, posted=posted, label=label), status


@bp.get("/dept-evaluations")
@login_required
def index():
    if not dept_selection.may_read(current_user):
        abort(403)
    year = _year(request.args)
    if wants_xlsx():
        columns = [Column(_("主管部门"), 16), Column(_("实施单位"), 16), Column(_("项目编码"), 16), Column(_("项目名称"), 30),
                   Column(_("核定金额（元）"), 14, yuan=True), Column(_("选入部门评价"), 10), Column(_("选入理由"), 30),
                   Column(_("评价状态"), 14), Column(_("自评等次"), 8), Column(_("部门评价得分"), 10),
                   Column(_("部门评价等次"), 10), Column(_("选择"), 8)]
        found = dept_selection.rows(current_user, year)
        title = _("%(y)s 年度部门评价", y=year)
        return xlsx_response(stream_xlsx(title, columns, _xlsx(found)), title + ".xlsx")
    return _page(year)[0]


def _project_id(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        raise ValidationFailed(_("项目有误"), fields={"project_id": _("不是有效的项目")})
    return int(raw)


@bp.post("/dept-evaluations")
@login_required
def save():
    """The department's reviewer saves its choices; any refusal comes back by field and nothing is saved."""
    department = dept_selection.reviewer_department(current_user)
    if department is None:
        abort(403)
    year = _year(request.form)
    shown = {_project_id(v) for v in request.form.getlist("shown")[:1000]}
    checked = {_project_id(v) for v in request.form.getlist("project_id")[:1000]}
    candidates = {r.project.id for r in dept_selection.rows(current_user, year)}
    if not (shown | checked) <= candidates:
        abort(404)  # another department's project, or one not evaluable in this year
    wanted = {pid: ((request.form.get(f"reason_{pid}") or "").strip() if pid in checked else None)
              for pid in shown | checked}
    errors = dept_selection.save(current_user, department, year, wanted)
    if errors:
        return _page(year, errors, wanted, 422)
    chosen = sum(1 for r in dept_selection.rows(current_user, year) if r.selection)
    flash(_("已保存 %(y)s 年度部门评价选择（选入 %(n)s 个项目）。单位自评定级后，选入的项目转本部门“部门评价”待办，"
            "评价后报绩效管理股审核。", y=year, n=chosen), "success")
    return redirect(url_for("dept_evaluations.index", year=year), 303)
