"""Process models and deploying versions."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from server.api.errors import http_error
from server.api.guard import json_body, login_required, me
from server.api.schemas import BatchStartIn, ProcessModelOut
from server.db import db
from server.models import ProcessModel, Role
from server.services.batch_start import start_for_year
from server.services.deployment import deploy_version
from server.services.errors import ValidationFailed

bp = Blueprint("processes", __name__)


@bp.get("/v1/process-models")
@login_required
def list_process_models():
    models = db.session.scalars(select(ProcessModel).order_by(ProcessModel.key)).all()
    return jsonify(ProcessModelOut(many=True).dump(models))


@bp.post("/v1/process-models/<key>/versions")
@login_required
def create_version(key: str):
    if Role.ADMIN not in me().roles:
        return http_error(403, _("只有系统管理员可以部署流程"))
    uploads = request.files.getlist("files") or [f for k, f in request.files.items() if k != "lane_roles"]
    if not uploads:
        raise ValidationFailed(_("没有上传文件"), fields={"files": _("请以 multipart 表单上传 .bpmn、.dmn 和表单 .json 文件")})
    files: dict[str, bytes] = {}
    for upload in uploads:
        name = (upload.filename or "").strip()
        if name in files:
            raise ValidationFailed(_("文件名重复"), fields={name: _("同名文件只能上传一次")})
        files[name] = upload.read()
    version = deploy_version(key, files, actor=me(), name=request.form.get("name") or None, **_lane_options())
    return jsonify({"key": key, "version": version.number, "process_id": version.process_id,
                    "start_role": version.start_role, "lane_roles": version.lane_roles or {},
                    "default_role": version.default_role}), 201


MAX_OPTION_CHARS = 20_000


def _lane_options() -> dict:
    """`lane_roles` (a JSON object: lane name -> role code), `default_role`, `start_role`: multipart form fields,
    or parts of their own (e.g. a `lane_roles` part with content type application/json)."""
    raw = request.form.get("lane_roles")
    if raw is None and "lane_roles" in request.files:
        raw = request.files["lane_roles"].read(MAX_OPTION_CHARS + 1).decode("utf-8", "replace")
    lane_roles = None
    if raw is not None and raw.strip():
        try:
            if len(raw) > MAX_OPTION_CHARS:
                raise ValueError
            lane_roles = json.loads(raw)
        except ValueError:
            raise ValidationFailed(_("泳道映射不是有效的 JSON"),
                                   fields={"lane_roles": _("应为 JSON 对象：泳道名称 → 角色代码")}) from None
    return {"lane_roles": lane_roles,
            "default_role": (request.form.get("default_role") or "").strip() or None,
            "start_role": (request.form.get("start_role") or "").strip() or None}


_batch_in = BatchStartIn()


@bp.post("/v1/process-models/<key>/batch-start")
@login_required
def batch_start(key: str):
    """Start the flow for every eligible project of a fiscal year (performance office)."""
    body = _batch_in.load(json_body())
    result = start_for_year(key, me(), body["fiscal_year"], body["project_codes"])
    return jsonify({
        "started": [{"project_code": c, "instance_id": i} for c, i in result.started],
        "skipped": [{"project_code": c, "reason": r} for c, r in result.skipped],
    }), 201 if result.started else 200
