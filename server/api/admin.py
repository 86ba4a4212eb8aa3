"""The administrator's API (/api/v1/admin/…): instance repair and user management, the same services as the
/admin pages. Every endpoint answers 403 to anyone without the admin role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, fields, validate

from server.api.errors import http_error
from server.api.guard import json_body, login_required, me
from server.api.schemas import CancelIn, RetryIn, UserOut
from server.api.views import instance_json
from server.services import instance_migration, instance_repair, people, version_diff
from server.services.admin_access import is_admin
from server.services.errors import ValidationFailed
from server.services.instance_retry import retry_instance
from server.services.instances import cancel_instance
from server.services.user_import import import_users

bp = Blueprint("admin_api", __name__)


class ReasonIn(Schema):
    class Meta:
        unknown = EXCLUDE

    reason = fields.String(required=True, validate=validate.Length(max=500))


class ReassignIn(Schema):
    class Meta:
        unknown = EXCLUDE

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))


class UserIn(Schema):
    class Meta:
        unknown = EXCLUDE

    username = fields.String(validate=validate.Length(max=64))
    display_name = fields.String(required=True, validate=validate.Length(max=100))
    organisation = fields.String(required=True, validate=validate.Length(max=64))
    roles = fields.List(fields.String(validate=validate.Length(max=64)), required=True, validate=validate.Length(max=10))
    sectors = fields.List(fields.String(validate=validate.Length(max=32)), load_default=list,
                          validate=validate.Length(max=30))
    password = fields.String(load_default="", validate=validate.Length(max=128))


class PasswordIn(Schema):
    class Meta:
        unknown = EXCLUDE

    password = fields.String(load_default="", validate=validate.Length(max=128))


class RepairOut(Schema):
    id = fields.Integer()
    process_key = fields.String()
    status = fields.String()
    error_message = fields.String(allow_none=True)
    element = fields.String(allow_none=True)
    open_tasks = fields.List(fields.Dict())


class MigrateIn(Schema):
    """Documents the body; services.instance_migration checks it (its refusals name the ids in Chinese)."""

    to_version = fields.Integer(required=True, metadata={"description": "目标版本号（须比各实例的版本新）"})
    instance_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=100),
                               metadata={"description": "该流程的实例编号，每次最多 100 个"})


SCHEMAS = {"ReasonIn": ReasonIn, "ReassignIn": ReassignIn, "UserIn": UserIn, "PasswordIn": PasswordIn,
           "RepairOut": RepairOut, "MigrateIn": MigrateIn}
_reason_in, _reassign_in, _user_in, _password_in = ReasonIn(), ReassignIn(), UserIn(), PasswordIn()
_cancel_in, _retry_in, _user_out = CancelIn(), RetryIn(), UserOut()


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not is_admin(me()):
            return http_error(403, _("只有系统管理员可以进行此操作"))
        return view(*args, **kwargs)

    return login_required(wrapper)


def _body() -> dict[str, Any]:
    return json_body() if request.content_length else {}


@bp.get("/v1/admin/instances")
@admin_required
def list_instances():
    arg = request.args.get("page", "1")
    page = int(arg) if arg.isdigit() and 0 < int(arg) < 100_000 else 1
    rows, total = instance_repair.repair_rows(request.args.get("status") or "error", page)
    items = [{"id": r.instance.id, "process_key": r.instance.process_key, "status": r.instance.status.value,
              "error_message": r.instance.error_message, "element": r.element,
              "open_tasks": [{"id": t.id, "title": t.title, "element_id": t.task_name, "role": t.role,
                              "assignee_id": t.assignee_id} for t in r.open_steps]} for r in rows]
    return jsonify({"items": items, "total": total})


@bp.post("/v1/admin/instances/<int:instance_id>/retry")
@admin_required
def retry(instance_id: int):
    body = _retry_in.load(_body())
    return jsonify(instance_json(retry_instance(instance_id, me(), use_current_version=body["use_current_version"]), me()))


@bp.post("/v1/admin/instances/<int:instance_id>/cancel")
@admin_required
def cancel(instance_id: int):
    body = _cancel_in.load(json_body())
    return jsonify(instance_json(cancel_instance(instance_id, me(), body["reason"]), me()))


@bp.post("/v1/admin/instances/<int:instance_id>/suspend")
@admin_required
def suspend(instance_id: int):
    body = _reason_in.load(json_body())
    return jsonify(instance_json(instance_repair.suspend(instance_id, me(), body["reason"]), me()))


@bp.post("/v1/admin/instances/<int:instance_id>/resume")
@admin_required
def resume(instance_id: int):
    return jsonify(instance_json(instance_repair.resume(instance_id, me()), me()))


@bp.post("/v1/admin/instances/<int:instance_id>/move-timers")
@admin_required
def move_timers(instance_id: int):
    instance, was = instance_repair.move_timers(instance_id, me())
    return jsonify({**instance_json(instance, me()), "timer_was_due": was.isoformat()})


@bp.post("/v1/admin/tasks/<int:task_id>/skip")
@admin_required
def skip(task_id: int):
    body = _reason_in.load(json_body())
    return jsonify(instance_json(instance_repair.skip_task(task_id, me(), body["reason"]), me()))


@bp.post("/v1/admin/tasks/<int:task_id>/reassign")
@admin_required
def reassign(task_id: int):
    body = _reassign_in.load(json_body())
    task = instance_repair.reassign(task_id, me(), body["username"])
    return jsonify({"id": task.id, "assignee": body["username"].strip()})


@bp.get("/v1/admin/users")
@admin_required
def list_users():
    return jsonify({"items": [{**_user_out.dump(u), "active": u.active} for u in people.user_list()]})


@bp.post("/v1/admin/users")
@admin_required
def create_user():
    user, shown = people.create_user(me(), _user_in.load(json_body()))
    return jsonify({**_user_out.dump(user), "active": user.active, "one_time_password": shown}), 201


@bp.post("/v1/admin/users/<int:user_id>")
@admin_required
def update_user(user_id: int):
    user = people.update_user(me(), user_id, _user_in.load(json_body()))
    return jsonify({**_user_out.dump(user), "active": user.active})


@bp.post("/v1/admin/users/<int:user_id>/deactivate")
@admin_required
def deactivate(user_id: int):
    return jsonify({"released_tasks": people.deactivate(me(), user_id)})


@bp.post("/v1/admin/users/<int:user_id>/reactivate")
@admin_required
def reactivate(user_id: int):
    user = people.reactivate(me(), user_id)
    return jsonify({**_user_out.dump(user), "active": user.active})


@bp.post("/v1/admin/users/<int:user_id>/password")
@admin_required
def reset_password(user_id: int):
    shown = people.reset_password(me(), user_id, _password_in.load(_body())["password"])
    return jsonify({"one_time_password": shown})


@bp.post("/v1/admin/users/import")
@admin_required
def import_xlsx():
    upload = request.files.get("file")
    created = import_users(me(), upload.read() if upload else b"")
    return jsonify({"created": [{"username": u, "one_time_password": p} for u, p in created]}), 201


# --- versions: what changed, and moving running instances onto a newer version -----------------------------

def _change_json(c: version_diff.ElementChange) -> dict[str, Any]:
    return {"element_id": c.element_id, "name": c.name, "kind": c.kind, "changed": list(c.attributes),
            "process": c.process}


@bp.get("/v1/admin/process-models/<key>/diff")
@admin_required
def version_changes(key: str):
    d = version_diff.diff_versions(key, request.args.get("from"), request.args.get("to"))
    return jsonify({"from_version": d.old.number, "to_version": d.new.number,
                    **{kind: [_change_json(c) for c in getattr(d, kind)] for kind in ("added", "changed", "removed")}})


@bp.get("/v1/admin/process-models/<key>/migrations")
@admin_required
def migration_candidates(key: str):
    """The instances that could move to `to_version` with SpiffWorkflow's verdict: a page of them, or the
    `instance_ids` named (comma-separated, at most a page), of every older version or of `from_version`."""
    arg = request.args.get("page", "1")
    page = int(arg) if arg.isdigit() and 0 < int(arg) < 100_000 else 1
    frm = request.args.get("from_version")
    from_number = version_diff.model_version(key, frm, "from_version").number if frm else None
    rows, total = instance_migration.candidates(me(), key, request.args.get("to_version"), from_number,
                                                page=page, ids=_instance_ids(request.args.get("instance_ids")))
    return jsonify({"total": total, "items": [
        {"id": r.instance.id, "version": r.instance.version.number, "status": r.instance.status.value,
         "title": r.instance.title, "open_steps": r.open_steps, "movable": r.movable, "reasons": r.reasons}
        for r in rows]})


def _instance_ids(raw: str | None) -> list[int] | None:
    if raw is None:
        return None
    parts = raw.split(",")
    if not all(p.strip().isdigit() and len(p.strip()) < 10 for p in parts) or len(parts) > instance_migration.PER_PAGE:
        raise ValidationFailed(_("实例编号不正确"), fields={"instance_ids": _(
            "应为逗号分隔的实例编号，最多 %(n)s 个", n=instance_migration.PER_PAGE)})
    return [int(p) for p in parts]


@bp.post("/v1/admin/process-models/<key>/migrations")
@admin_required
def migrate_instances(key: str):
    body = json_body()
    results = instance_migration.migrate(me(), key, body.get("to_version"), body.get("instance_ids"))
    return jsonify({"results": [r.as_json() for r in results], "moved": sum(r.moved for r in results),
                    "refused": sum(not r.moved for r in results)})
