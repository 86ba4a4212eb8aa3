"""POST /api/v1/messages: deliver a BPMN message to waiting instances (services.messages says who may)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from server.api.guard import json_body, login_required, me
from server.services.messages import send_message

bp = Blueprint("messages", __name__)


@bp.post("/v1/messages")
@login_required
def post_message():
    body = json_body()
    if not isinstance(body, dict):
        body = {"name": None}
    delivered = send_message(me(), body.get("name"), body.get("correlation"), body.get("payload"))
    return jsonify({"delivered": delivered}), 200
