"""Starting and reading process instances."""

from __future__ import annotations

from flask import jsonify

from server.api.blueprint import api_bp
from server.api.guard import json_body, login_required, me
from server.api.schemas import StartIn
from server.api.views import instance_json, outcome_json
from server.services.instances import cancel_instance, get_instance, start_instance

_start_in = StartIn()  # schemas hold no per-call state (marshmallow 4)


@api_bp.post("/v1/process-instances")
@login_required
def create_instance():
    body = _start_in.load(json_body())
    outcome = start_instance(body["process_key"], me(), body["data"])
    return jsonify(outcome_json(outcome)), 201


@api_bp.get("/v1/process-instances/<int:instance_id>")
@login_required
def read_instance(instance_id: int):
    return jsonify(instance_json(get_instance(instance_id, me())))


@api_bp.post("/v1/process-instances/<int:instance_id>/cancel")
@login_required
def cancel(instance_id: int):
    return jsonify(instance_json(cancel_instance(instance_id, me())))
