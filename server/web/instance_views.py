"""The instance page (diagram with done and current steps, timeline, submitted data, open tasks) and the
instance's own BPMN XML for the viewer — both only within the user's scope (404 otherwise)."""

from __future__ import annotations

from flask import Response, render_template
from flask_login import current_user, login_required

from server.services.errors import NotFound
from server.services.instance_page import diagram_xml, load_instance_page
from server.web import web_bp


@web_bp.get("/instances/<int:instance_id>")
@login_required
def instance_page(instance_id: int):
    return render_template("instance/page.html", page=load_instance_page(instance_id, current_user))


@web_bp.get("/instances/<int:instance_id>/diagram.bpmn")
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
        },
    )
