"""驾驶舱 `/dashboard?year=`: the work year's figures in the reader's scope, charts and tables whose numbers link
to the project list that makes them; `?format=xlsx&table=<key>` exports one table."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from server.services import dashboard, dashboard_tables
from server.services.dashboard import COLOURS, GRADES, MONTHS
from server.services.errors import ValidationFailed
from server.services.project_library import COLOUR_WORDS
from server.web.project_views import wants_xlsx, xlsx_response

bp = Blueprint("dashboard", __name__)


def list_url(args: dict) -> str:
    """The page a figure links to: the project page for one project, else the filtered project library."""
    # Built by hand rather than with url_for: a dashboard has a few hundred of them (url_for costs ~50 µs each).
    if "href" in args:  # a page of its own (e.g. 部门评价), under this application
        return f"{request.script_root}{args['href']}"
    if "project" in args:
        return f"{request.script_root}/projects/{int(args['project'])}"
    return f"{request.script_root}/projects?" + urlencode({k: v for k, v in args.items() if v is not None})


def read_year():
    if not dashboard.may_read(current_user):
        abort(403)
    year, errors = dashboard.parse_year(request.args)
    if errors:
        raise ValidationFailed(_("年度有误"), fields=errors)
    return year


def chart_data(d: dashboard.Dashboard) -> dict:
    """What the charts draw, with the list each bar opens (static/js/dashboard-charts.js)."""
    y = d.year
    months = [_("%(m)s月", m=m) for m in MONTHS]
    colours = {c: str(COLOUR_WORDS[c]) for c in COLOURS}
    by_month = {c: [d.monitoring_months["overall"][m][c] for m in MONTHS] for c in COLOURS}
    month_links = {c: [list_url({"year": y, "month": f"{y}-{m:02d}", "colour": c}) for m in MONTHS] for c in COLOURS}
    deviating = {g: [d.monitoring_months[g][m]["red"] + d.monitoring_months[g][m]["yellow"] for m in MONTHS]
                 for g in ("execution", "goal")}
    sectors = d.sectors()
    latest = {c: [d.latest.get(s, {}).get(c, 0) for s in sectors] for c in COLOURS}
    latest_links = {c: [list_url({"year": y, "sector": s or None, "colour": c}) for s in sectors] for c in COLOURS}
    e = d.evaluation
    return {
        "months": months, "colours": colours, "by_month": by_month, "month_links": month_links,
        "deviating": deviating,
        "deviating_links": {g: [list_url({"year": y, "month": f"{y}-{m:02d}", "gauge": g, "colour": "red"})
                                for m in MONTHS] for g in ("execution", "goal")},
        "sectors": [s or "—" for s in sectors], "latest": latest, "latest_links": latest_links,
        "grades": list(GRADES),
        "self": [e.count[f"self:{g}"] for g in GRADES], "key": [e.count[f"key:{g}"] for g in GRADES],
        "self_links": [list_url({"year": d.evaluated_year, "fact": "self_evaluated", "grade": g}) for g in GRADES],
        "key_links": [list_url({"year": d.evaluated_year, "fact": "key_evaluated", "grade": g}) for g in GRADES],
        "labels": {"by_month": _("各月监控颜色（项目数）"), "deviating": _("偏离（红、黄）项目数：预算执行与目标实现"),
                   "execution": _("预算执行"), "goal": _("目标实现"), "latest": _("各领域项目最新监控颜色"),
                   "grades": _("评价等次分布"), "self": _("单位自评"), "key": _("财政重点评价")},
    }


@bp.get("/dashboard")
@login_required
def page():
    year = read_year()
    d = dashboard.build(current_user, year)
    tables = dashboard_tables.tables(d)
    if wants_xlsx():
        if request.args.get("table") == "attention":  # the page shows the first entries, the file all of them
            d.attention = dashboard.ledger(current_user, year)
            tables = dashboard_tables.tables(d)
        table = tables.get(request.args.get("table", ""))
        if table is None:
            raise ValidationFailed(_("没有这张表"), fields={"table": _("不是可选的值")})
        return xlsx_response(dashboard_tables.export(table), f"{table.title}.xlsx")
    return render_template("dashboard/index.html", d=d, tables=tables, charts=chart_data(d), list_url=list_url,
                           years=range(year + 1, year - 6, -1), colour_words=COLOUR_WORDS)
