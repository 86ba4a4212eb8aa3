"""指标库 `/indicators`: everyone signed in reads it (units pick from it for their goal tables); the performance
office adds, changes and retires indicators. `?format=xlsx` exports the filtered list."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from server.models.indicator import LEVELS, OPERATORS
from server.services import indicator_library as library
from server.services.errors import ValidationFailed
from server.web.project_views import wants_xlsx, xlsx_response

bp = Blueprint("indicators", __name__, url_prefix="/indicators")

FIELDS = ("sector", "level1", "level2", "name", "operator", "unit", "typical_min", "typical_max", "note")


@bp.get("")
@login_required
def index():
    query = library.parse_query(request.args)
    if wants_xlsx():
        return xlsx_response(library.export_xlsx(query), _("指标库") + ".xlsx")
    rows = library.search(query)
    return render_template("indicators/index.html", rows=rows[:library.MAX_SHOWN], cut=len(rows) > library.MAX_SHOWN,
                           query=query, args=request.args, levels=LEVELS, sectors=library.known_sectors(),
                           may_edit=library.may_edit(current_user))


def _form(values: dict, fields: dict[str, str] | None = None, *, indicator=None, status: int = 200):
    page = render_template("indicators/form.html", values=values, fields=fields or {}, indicator=indicator,
                           levels=LEVELS, operators=OPERATORS, sectors=library.known_sectors())
    return page, status


def _values_of(indicator) -> dict:
    return {k: ("" if getattr(indicator, k) is None else getattr(indicator, k)) for k in FIELDS}


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    if not library.may_edit(current_user):
        abort(403)
    if request.method == "GET":
        return _form({"sector": request.args.get("sector", "")[:32]})
    try:
        row = library.save(current_user, request.form)
    except ValidationFailed as err:
        return _form(request.form.to_dict(), err.fields, status=422)
    flash(_("已将“%(name)s”加入指标库", name=row.name), "success")
    return redirect(url_for("indicators.index", sector=row.sector or "common", level2=row.level2), 303)


@bp.route("/<int:indicator_id>/edit", methods=["GET", "POST"])
@login_required
def edit(indicator_id: int):
    if not library.may_edit(current_user):
        abort(403)
    indicator = library.get(indicator_id)
    if request.method == "GET":
        return _form(_values_of(indicator), indicator=indicator)
    try:
        row = library.save(current_user, request.form, indicator_id)
    except ValidationFailed as err:
        return _form(request.form.to_dict(), err.fields, indicator=indicator, status=422)
    flash(_("已保存“%(name)s”", name=row.name), "success")
    return redirect(url_for("indicators.index", sector=row.sector or "common", level2=row.level2), 303)


@bp.post("/<int:indicator_id>/active")
@login_required
def set_active(indicator_id: int):
    active = request.form.get("active") == "1"
    row = library.set_active(current_user, indicator_id, active)
    flash(_("已恢复使用“%(name)s”", name=row.name) if active else _("已停用“%(name)s”；已填报的目标表不受影响",
                                                                    name=row.name), "success")
    return redirect(url_for("indicators.index", inactive="1"), 303)
