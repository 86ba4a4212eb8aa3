"""预算安排 `/budget-arrangements`: a fiscal year's budget lines in the reader's scope with their reasons, the
totals, `?format=xlsx` and an A4 print sheet; the office starts a sector's arrangement here (the review and
confirmation are tasks in the inbox)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from server.models import Role
from server.services import budget_arrangements as arrangements
from server.services.errors import ServiceError, ValidationFailed
from server.services.handoff import where_it_went
from server.services.instances import start_instance
from server.services.list_query import QueryReader
from server.services.start_options import current_year
from server.services.task_page import label
from server.web.project_views import wants_xlsx, xlsx_response

bp = Blueprint("arrangements", __name__)
KEY = "budget_arrangement"


PER_PAGE = 100  # lines per page: a province-size sector has thousands; the xlsx holds them all


@dataclass(frozen=True)
class _Listing:
    """The list's filters and page, and the query string of a link to another page of it."""

    year: int
    sector: str | None
    page: int = 1

    def args(self, **changes: Any) -> dict[str, Any]:
        values = {"fiscal_year": self.year, "sector": self.sector, "page": self.page, **changes}
        return {k: v for k, v in values.items() if v not in (None, "") and not (k == "page" and v == 1)}


def _read() -> tuple[int, str | None, int, dict[str, str]]:
    read = QueryReader(request.args)
    year = (read.integer("fiscal_year", 2000, 2100, _("应为 2000–2100 之间的年份"))
            or arrangements.latest_year(current_user) or current_year() + 1)
    sector = read.choice("sector", arrangements.sectors(current_user))
    return year, sector, read.page(), read.errors


def _page(year: int, sector: str | None, errors: dict[str, str], *, page: int = 1,
          start_values: dict[str, Any] | None = None, start_errors: dict[str, str] | None = None, status: int = 200):
    totals = arrangements.count_lines(current_user, year, sector)
    pages = max(1, -(-totals.count // PER_PAGE))
    page = min(page, pages)
    lines = arrangements.list_lines(current_user, year, sector, page=page, per_page=PER_PAGE)
    may_start = Role.PERFORMANCE_OFFICE in current_user.roles
    return render_template(
        "budget_arrangements/index.html", year=year, sector=sector, errors=errors, lines=lines,
        totals=totals, label=label, query=_Listing(year, sector, page), page=page, pages=pages,
        sectors=arrangements.sectors(current_user), may_start=may_start, start_values=start_values or {"fiscal_year": year},
        start_errors=start_errors or {},
    ), status


@bp.get("/budget-arrangements")
@login_required
def index():
    if not arrangements.may_read(current_user):
        abort(403)
    year, sector, page, errors = _read()
    if wants_xlsx():
        if errors:
            raise ValidationFailed(_("筛选条件有误"), fields=errors)
        return xlsx_response(arrangements.export_xlsx(current_user, year, sector),
                             _("%(year)s 年度预算安排", year=year) + ".xlsx")
    return _page(year, sector, errors, page=page, status=422 if errors else 200)


@bp.get("/budget-arrangements/print")
@login_required
def print_sheet():
    if not arrangements.may_read(current_user):
        abort(403)
    year, sector, _page_number, errors = _read()
    if errors:
        raise ValidationFailed(_("筛选条件有误"), fields=errors)
    lines = arrangements.list_lines(current_user, year, sector, per_page=2000)
    return render_template("budget_arrangements/print.html", year=year, sector=sector, lines=lines, label=label,
                           totals=arrangements.count_lines(current_user, year, sector))


@bp.post("/budget-arrangements/start")
@login_required
def start():
    """The office starts one sector's arrangement; refusals come back by field, nothing is started."""
    if Role.PERFORMANCE_OFFICE not in current_user.roles:
        abort(403)
    form = request.form
    values = {"fiscal_year": (form.get("fiscal_year") or "").strip()[:10], "sector": (form.get("sector") or "")[:32]}
    errors: dict[str, str] = {}
    year = values["fiscal_year"]
    if not (year.isdigit() and len(year) == 4 and 2000 <= int(year) <= 2100):
        errors["fiscal_year"] = _("应为 2000–2100 之间的四位年份")
    if values["sector"] not in arrangements.sectors(current_user):
        errors["sector"] = _("请选择领域")
    shown = int(year) if "fiscal_year" not in errors else current_year() + 1
    if errors:
        return _page(shown, None, {}, start_values=values, start_errors=errors, status=422)
    try:
        outcome = start_instance(KEY, current_user, {"fiscal_year": int(year), "sector": values["sector"]})
    except ServiceError as err:
        return _page(shown, None, {}, start_values=values, start_errors={"form": err.message},
                     status=err.status)
    flash(_("已发起 %(year)s 年度%(sector)s领域的预算安排，%(where)s", year=year, sector=values["sector"],
            where=where_it_went(outcome, current_user)), "success")
    return redirect(url_for("arrangements.index", fiscal_year=year, sector=values["sector"]), 303)
