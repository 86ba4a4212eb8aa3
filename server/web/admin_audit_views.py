"""审计日志 `/admin/audit` (administrators): the append-only audit events, filtered, paged and exported."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from server.services import audit_log
from server.services.errors import ValidationFailed
from server.web.admin_views import admin_only, no_store
from server.web.project_views import wants_xlsx, xlsx_response

bp = Blueprint("admin_audit", __name__)
bp.before_request(admin_only)
bp.after_request(no_store)


@bp.get("/admin/audit")
def audit():
    query = audit_log.parse_query(request.args)
    if wants_xlsx():
        if query.errors:
            raise ValidationFailed(_("筛选条件有误"), fields=query.errors)
        return xlsx_response(audit_log.export_xlsx(current_user, query), _("审计日志") + ".xlsx")
    listing = audit_log.audit_page(current_user, query)
    page = render_template("admin/audit.html", listing=listing, query=query, actions=audit_log.ACTIONS,
                           details=audit_log.details)
    return page, 422 if query.errors else 200
