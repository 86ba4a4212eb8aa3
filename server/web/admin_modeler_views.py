"""The BPMN modeler page /admin/models/<key>/modeler (bpmn-js Modeler, static/js/modeler.js) and the two JSON
posts its buttons make: 校验 (check the edited diagram, store nothing) and 部署 (a new version). Both answer
JSON: 200 on success, 422 with the problems by element, 409 when another version was deployed meanwhile,
404 for an unknown flow.
Administrators only, like every /admin page; the posts carry Flask-WTF's token in the X-CSRFToken header."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from server.services import modeler
from server.services.errors import Conflict, NotFound, ValidationFailed
from server.web.admin_views import admin_only, no_store

bp = Blueprint("admin_modeler", __name__)
bp.before_request(admin_only)
bp.after_request(no_store)


@bp.get("/admin/models/<key>/modeler")
def page(key: str):
    return render_template("admin/modeler.html", diagram=modeler.diagram(current_user, key))


def _edit() -> tuple[Any, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed(_("请求格式不正确"), fields={"xml": _("应为 JSON：{xml, base}")})
    base = body.get("base")
    if base is not None and (not isinstance(base, int) or isinstance(base, bool)):
        raise ValidationFailed(_("请求格式不正确"), fields={"base": _("应为版本号")})
    return body.get("xml"), base


def _refused(err: ValidationFailed | Conflict | NotFound):
    problems = modeler.problems_of(err) if isinstance(err, ValidationFailed) else []
    return jsonify(message=err.message, problems=[p.as_json() for p in problems]), err.status


@bp.post("/admin/models/<key>/modeler/validate")
def validate(key: str):
    try:
        xml, base = _edit()
        modeler.validate(current_user, key, xml, base)
    except (ValidationFailed, Conflict, NotFound) as err:
        return _refused(err)
    return jsonify(ok=True, message=_("校验通过，可以部署"))


@bp.post("/admin/models/<key>/modeler/deploy")
def deploy(key: str):
    try:
        xml, base = _edit()
        version = modeler.deploy(current_user, key, xml, base)
    except (ValidationFailed, Conflict, NotFound) as err:
        return _refused(err)
    if base is not None and version.number == base:
        message = _("流程没有改动，仍为第 %(n)s 版", n=version.number)
    else:
        message = _("已部署 %(key)s 第 %(n)s 版", key=key, n=version.number)
    return jsonify(ok=True, version=version.number, message=message, note=_(
        "编辑的是第 %(n)s 版（当前版本）；规则表和表单沿用该版本的文件。部署生成新版本，运行中的实例仍按原版本办理。",
        n=version.number))
