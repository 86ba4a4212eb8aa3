"""Starting, reading, cancelling and retrying process instances."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from server.api.guard import json_body, login_required, me
from server.api.idempotent import idempotent
from server.api.schemas import CancelIn, RetryIn, StartIn
from server.api.views import instance_json, outcome_json
from server.services.instance_retry import retry_instance
from server.services.instances import cancel_instance, get_instance, start_instance
from server.services.messages import forward_thrown

bp = Blueprint("instances", __name__)

_start_in = StartIn()  # schemas hold no per-call state (marshmallow 4)
_cancel_in = CancelIn()
_retry_in = RetryIn()


@bp.post("/v1/process-instances")
@login_required
@idempotent
def create_instance():
    body = _start_in.load(json_body())
    outcome = start_instance(body["process_key"], me(), body["data"])
    forward_thrown(me())
    return jsonify(outcome_json(outcome)), 201


@bp.get("/v1/process-instances/<int:instance_id>")
@login_required
def read_instance(instance_id: int):
    return jsonify(instance_json(get_instance(instance_id, me()), me()))


@bp.post("/v1/process-instances/<int:instance_id>/cancel")
@login_required
def cancel(instance_id: int):
    body = _cancel_in.load(json_body())
    return jsonify(instance_json(cancel_instance(instance_id, me(), body["reason"]), me()))


@bp.post("/v1/process-instances/<int:instance_id>/retry")
@login_required
def retry(instance_id: int):
    # The body is optional: an empty POST retries on the instance's own version.
    body = _retry_in.load(json_body()) if request.content_length else _retry_in.load({})
    instance = retry_instance(instance_id, me(), use_current_version=body["use_current_version"])
    return jsonify(instance_json(instance, me()))
