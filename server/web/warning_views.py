"""预警看板 `/warnings`: yellow and red monitoring reports in the finance section's sectors (the office: all),
with the open decision task one click away; `?format=xlsx` exports the same list."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from server.services import warnings
from server.services.errors import ValidationFailed
from server.services.project_library import COLOUR_WORDS, filter_choices
from server.services.task_page import label
from server.web.project_views import wants_xlsx, xlsx_response

bp = Blueprint("warnings", __name__)


@bp.get("/warnings")
@login_required
def board():
    if not warnings.may_read(current_user):
        abort(403)
    query = warnings.parse_query(request.args)
    if wants_xlsx():
        if query.errors:
            raise ValidationFailed(_("筛选条件有误"), fields=query.errors)
        return xlsx_response(warnings.export_xlsx(current_user, query), _("预警看板") + ".xlsx")
    listing = warnings.warnings_page(current_user, query)
    page = render_template("warnings/index.html", listing=listing, query=query, label=label,
                           choices=filter_choices(current_user), colour_words=COLOUR_WORDS,
                           script_root=request.script_root)
    return page, 422 if query.errors else 200
