"""项目库: the projects the user may see (units: their own; reviewers: their department or sectors; the office:
all), with filters, search, sort, paging and totals, and the same list as .xlsx (`?format=xlsx`)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from server.services import project_library
from server.services.errors import ValidationFailed
from server.services.task_page import label
from server.services.xlsx_export import XLSX_MIMETYPE
from server.web.nav import projects_label

bp = Blueprint("projects", __name__)

SORT_LABELS = {"new": _l("最新登记"), "old": _l("最早登记"), "amount_desc": _l("金额从高到低"),
               "amount_asc": _l("金额从低到高"), "score_desc": _l("评价得分从高到低"), "score_asc": _l("评价得分从低到高"),
               "code": _l("项目编码")}


def xlsx_response(chunks, filename: str) -> Response:
    """A streamed .xlsx download (the generator runs inside the request's context)."""
    disposition = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return Response(stream_with_context(chunks), mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


def wants_xlsx() -> bool:
    fmt = request.args.get("format")
    if fmt not in (None, "", "html", "xlsx"):
        raise ValidationFailed(_("不支持的导出格式"), fields={"format": _("不是可选的值")})
    return fmt == "xlsx"


@bp.get("/projects")
@login_required
def projects():
    title = projects_label(current_user.roles)
    if title is None:
        abort(403)  # experts work only on the instances they are assigned to
    query = project_library.parse_query(request.args)
    if wants_xlsx():
        if query.errors:
            raise ValidationFailed(_("筛选条件有误"), fields=query.errors)
        return xlsx_response(project_library.export_xlsx(current_user, query), f"{title}.xlsx")
    listing = project_library.library_page(current_user, query)
    page = render_template("projects/index.html", title=title, listing=listing, query=query, label=label,
                           choices=project_library.filter_choices(current_user), sort_labels=SORT_LABELS,
                           colour_words=project_library.COLOUR_WORDS, grades=project_library.GRADES,
                           facts=project_library.FACTS, gauges=project_library.GAUGES, script_root=request.script_root)
    return page, 422 if query.errors else 200
