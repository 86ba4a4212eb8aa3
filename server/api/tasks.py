"""The task inbox over JSON: list, read with form, claim, unclaim, complete."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from server.api.guard import json_body, login_required, me
from server.api.idempotent import idempotent
from server.api.schemas import CompleteIn, TaskListQuery
from server.api.views import outcome_json, task_json, tasks_json
from server.services import choices
from server.services import tasks as task_service

bp = Blueprint("tasks", __name__)

# Schemas hold no per-call state (marshmallow 4), so each is built once rather than per request.
_complete_in = CompleteIn()
_list_query = TaskListQuery()


@bp.get("/v1/tasks")
@login_required
def list_tasks():
    args = _list_query.load(request.args)
    page = task_service.list_tasks(me(), args["view"], q=args["q"], page=args["page"], per_page=args["per_page"],
                                   after=args["after"])
    # total_capped: more than `total` tasks match (counting stops there). next_after: pass it as `after` for
    # the next page (keyset paging, as fast deep in a long history as at its start); null on the last page.
    return jsonify({"items": [task_json(t, name) for t, name in page.items], "total": page.total,
                    "total_capped": page.total_capped, "next_after": page.next_after})


@bp.get("/v1/tasks/<int:task_id>")
@login_required
def read_task(task_id: int):
    task = task_service.get_task(task_id, me())
    schema, ui_schema = task_service.task_form(task)
    body = tasks_json([task])[0]
    body.update(
        instructions=task.instructions,
        # choices: the entries of the choice sources the form's fields name (services.choices), by source
        form={"schema": schema, "ui_schema": ui_schema, "choices": {
            name: [{"value": c.value, "label": c.label} for c in found]
            for name, found in choices.for_form(me(), ui_schema).items()}},
        data=task_service.task_data(task),
    )
    return jsonify(body)


@bp.get("/v1/choices/<name>")
@login_required
def list_choices(name: str):
    """A choice source's current entries (the firms a form offers): 403 outside its roles, 404 unknown."""
    return jsonify({"items": [{"value": c.value, "label": c.label} for c in choices.entries(me(), name[:64])]})


@bp.post("/v1/tasks/<int:task_id>/claim")
@login_required
def claim(task_id: int):
    return jsonify(tasks_json([task_service.claim(task_id, me())])[0])


@bp.post("/v1/tasks/<int:task_id>/unclaim")
@login_required
def unclaim(task_id: int):
    return jsonify(tasks_json([task_service.unclaim(task_id, me())])[0])


@bp.post("/v1/tasks/<int:task_id>/complete")
@login_required
@idempotent
def complete(task_id: int):
    outcome = task_service.complete(task_id, me(), _complete_data(json_body()))
    return jsonify({"instance": outcome_json(outcome)})


def _complete_data(body: dict) -> dict:
    """CompleteIn's `data`: the common well-formed body is checked here directly; anything else goes through
    the schema, which gives the same result or the same error."""
    data = body.get("data")
    if isinstance(data, dict) and all(isinstance(k, str) and len(k) <= 100 for k in data):
        return dict(data)
    return _complete_in.load(body)["data"]
