"""The instance page (diagram with done and current steps, timeline, submitted data, open tasks) and the
instance's own BPMN XML for the viewer — both only within the user's scope (404 otherwise)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from server.models import InstanceStatus, Role
from server.services import cancel_rules
from server.services.errors import NotFound
from server.services.instance_page import diagram_xml, instance_xlsx, load_instance_page
from server.services.instance_retry import retry_instance
from server.services.instances import cancel_instance
from server.web.actions import act_and_return
from server.web.project_views import wants_xlsx, xlsx_response

bp = Blueprint("instances", __name__)


@bp.get("/instances/<int:instance_id>")
@login_required
def instance_page(instance_id: int):
    page = load_instance_page(instance_id, current_user)
    if wants_xlsx():  # 办理记录 and 当前待办, the page's two lists
        return xlsx_response(instance_xlsx(page), _("流程 #%(id)s 办理记录", id=instance_id) + ".xlsx")
    inst = page.instance
    active = inst.status not in (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED)
    # The same rule the API applies, shown to everyone who sees the page; the form only to who may use it.
    cancel = cancel_rules.decide(inst, current_user) if active else None
    may_retry = inst.status == InstanceStatus.ERROR and bool({Role.ADMIN, Role.PERFORMANCE_OFFICE} & current_user.roles)
    return render_template("instance/page.html", page=page, cancel=cancel, may_retry=may_retry)


@bp.post("/instances/<int:instance_id>/cancel")
@login_required
def instance_cancel(instance_id: int):
    reason = request.form.get("reason", "")
    return _act(instance_id, lambda: cancel_instance(instance_id, current_user, reason), _("流程已撤销"))


@bp.post("/instances/<int:instance_id>/retry")
@login_required
def instance_retry(instance_id: int):
    latest = request.form.get("use_current_version") == "1"
    return _act(instance_id, lambda: retry_instance(instance_id, current_user, use_current_version=latest),
                _("已重试，流程恢复办理"))


def _act(instance_id: int, action, success: str):
    return act_and_return(action, success, url_for("instances.instance_page", instance_id=instance_id))


@bp.get("/instances/<int:instance_id>/diagram.bpmn")
@login_required
def instance_diagram(instance_id: int):
    try:
        xml = diagram_xml(instance_id, current_user)
    except NotFound:
        return Response("", status=404)
    # Read by the viewer with fetch(); never rendered by the browser itself (an uploaded diagram is data).
    return Response(
        xml,
        mimetype="application/xml",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Content-Disposition": "attachment; filename=diagram.bpmn",
            "Cache-Control": "private, max-age=300",
            "Vary": "Cookie",  # lane names follow the visit's language
        },
    )
