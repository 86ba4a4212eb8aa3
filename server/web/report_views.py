"""年度工作报告 `/reports/annual/<year>` (page) and `/reports/annual/<year>.docx` (Word), in the reader's scope."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from server.db import db
from server.flows.evaluation import dept_selection
from server.models import Organisation, OrgKind
from server.services import annual_report, dashboard
from server.web.dashboard_views import list_url

bp = Blueprint("reports", __name__)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _report(year: int) -> annual_report.Report:
    if not dashboard.may_read(current_user):
        abort(403)
    if not 2000 <= year <= 2100:
        abort(404)
    bureau = db.session.scalar(select(Organisation.name).where(Organisation.kind == OrgKind.FINANCE_BUREAU).limit(1))
    county = (bureau or "").removesuffix("财政局") or _("本县")
    return annual_report.build(dashboard.build(current_user, year), county,
                               dept_selection.summary(current_user, year - 1))


@bp.get("/reports/annual/<int:year>")
@login_required
def annual(year: int):
    report = _report(year)
    return render_template("reports/annual.html", report=report, d=report.dashboard, list_url=list_url)


@bp.get("/reports/annual/<int:year>.docx")
@login_required
def annual_docx(year: int):
    report = _report(year)
    name = quote(f"{report.title}.docx")
    return Response(annual_report.docx_bytes(report), mimetype=DOCX, headers={
        "Content-Disposition": f"attachment; filename=\"report.docx\"; filename*=UTF-8''{name}",
        "Cache-Control": "no-store"})
