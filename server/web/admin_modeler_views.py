"""The BPMN modeler page /admin/models/<key>/modeler (bpmn-js Modeler and its side panel, static/js/modeler.js,
modeler-panel.js) and the JSON posts its buttons make: 校验 (check the edited diagram, store nothing), 部署 (a new
version) and 保存草稿 / 丢弃草稿 (the admin's draft, never run). Answers are JSON: 200 on success, 422 with the
problems by element, 409 when another version was deployed meanwhile, 404 for an unknown flow.
Administrators only, like every /admin page; the posts carry Flask-WTF's token in the X-CSRFToken header."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from server.services import modeler, modeler_drafts
from server.services.errors import Conflict, NotFound, ValidationFailed
from server.web.admin_views import admin_only, no_store
from server.web.formatting import local_datetime

bp = Blueprint("admin_modeler", __name__)
bp.before_request(admin_only)
bp.after_request(no_store)


@bp.get("/admin/models/<key>/modeler")
def page(key: str):
    return render_template("admin/modeler.html", diagram=modeler.diagram(current_user, key), draft_line=draft_line,
                           panel_labels=panel_labels)


def _edit() -> tuple[Any, Any, dict[str, Any]]:
    """{xml, base[, lane_roles, default_role]}: the lane options only when the page sent them."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed(_("请求格式不正确"), fields={"xml": _("应为 JSON：{xml, base}")})
    base = body.get("base")
    if base is not None and (not isinstance(base, int) or isinstance(base, bool)):
        raise ValidationFailed(_("请求格式不正确"), fields={"base": _("应为版本号")})
    lanes = {name: body[name] for name in ("lane_roles", "default_role") if name in body}
    return body.get("xml"), base, lanes


def _refused(err: ValidationFailed | Conflict | NotFound):
    problems = modeler.problems_of(err) if isinstance(err, ValidationFailed) else []
    return jsonify(message=err.message, problems=[p.as_json() for p in problems]), err.status


@bp.post("/admin/models/<key>/modeler/validate")
def validate(key: str):
    try:
        xml, base, lanes = _edit()
        modeler.validate(current_user, key, xml, base, **lanes)
    except (ValidationFailed, Conflict, NotFound) as err:
        return _refused(err)
    return jsonify(ok=True, message=_("校验通过，可以部署"))


@bp.post("/admin/models/<key>/modeler/deploy")
def deploy(key: str):
    try:
        xml, base, lanes = _edit()
        version = modeler.deploy(current_user, key, xml, base, **lanes)
    except (ValidationFailed, Conflict, NotFound) as err:
        return _refused(err)
    if base is not None and version.number == base:
        message = _("流程没有改动，仍为第 %(n)s 版", n=version.number)
    else:
        message = _("已部署 %(key)s 第 %(n)s 版", key=key, n=version.number)
    return jsonify(ok=True, version=version.number, message=message, note=_(
        "编辑的是第 %(n)s 版（当前版本）；规则表和表单沿用该版本的文件。部署生成新版本，运行中的实例仍按原版本办理。",
        n=version.number))


def draft_line(draft: modeler_drafts.DraftInfo) -> str:
    """草稿：who, when, on which version (the page shows it, and the save answer repeats it)."""
    return _("草稿：%(who)s 于 %(when)s 保存（基于第 %(n)s 版）", who=draft.saved_by,
             when=local_datetime(draft.saved_at), n=draft.base)


@bp.post("/admin/models/<key>/modeler/draft")
def save_draft(key: str):
    try:
        xml, base, lanes = _edit()
        draft = modeler_drafts.save(current_user, key, xml, base, lanes.get("lane_roles"), lanes.get("default_role"))
    except (ValidationFailed, Conflict, NotFound) as err:
        return _refused(err)
    return jsonify(ok=True, message=_("草稿已保存（未部署，不会运行）"), draft=draft_line(draft))


@bp.get("/admin/models/<key>/modeler/draft")
def draft_file(key: str):
    """The draft's XML for the modeler to open (its lane options come with the page)."""
    draft = modeler_drafts.load(current_user, key)
    return Response(draft.xml, mimetype="application/xml")


@bp.post("/admin/models/<key>/modeler/draft/discard")
def discard_draft(key: str):
    try:
        gone = modeler_drafts.discard(current_user, key)
    except NotFound as err:
        return _refused(err)
    return jsonify(ok=True, message=_("草稿已丢弃") if gone else _("没有草稿"))


def panel_labels() -> dict[str, str]:
    """The side panel's texts for modeler-panel.js ({x} marks where a value goes)."""
    return {
        "title": _("属性"),
        "nothing": _("选中图中的元素，在这里设置它的办理角色、表单、系统操作、定时器或条件。"),
        "other": _("此元素没有需要设置的内容。"),
        "name": _("名称"),
        "process": _("整个流程"),
        "default_role": _("默认角色"),
        "default_role_hint": _("没有映射的泳道、不在泳道里的人工任务交给这个角色办理。"),
        "no_role": _("（不指定）"),
        "lane": _("泳道"),
        "lane_role": _("办理角色"),
        "lane_hint": _("泳道名称不变，部署时按这里的选择把泳道映射到角色。"),
        "lane_unmapped": _("尚未映射到角色：部署会被拒绝，除非指定了默认角色。"),
        "user_task": _("用户任务"),
        "form": _("表单"),
        "no_form": _("（无表单）"),
        "ui_form": _("界面布局"),
        "no_ui_form": _("（默认布局）"),
        "instructions": _("办理说明"),
        "title_suffix": _("标题后缀（表达式，可选）"),
        "due_in": _("办理期限（可选）"),
        "due_in_hint": _("ISO 8601 时长，如 P10D 表示 10 天内办理。"),
        "due_in_value": _("即：{value}内办理"),
        "service_task": _("服务任务"),
        "operator": _("系统操作"),
        "no_operator": _("（请选择）"),
        "result_variable": _("结果变量"),
        "params": _("参数"),
        "param_name": _("参数名"),
        "param_value": _("取值（表达式）"),
        "add_param": _("添加参数"),
        "remove": _("删除"),
        "timer": _("定时器"),
        "timer_kind": _("定时方式"),
        "timeDate": _("指定时间"),
        "timeDuration": _("等待时长"),
        "timeCycle": _("循环"),
        "timer_value": _("值（表达式）"),
        "timer_hint": _("值是表达式：流程变量名（如 opens_at），或加引号的 ISO 8601 值（如 \"P3D\"）。"),
        "hint_after": _("即：等待 {value}"),
        "hint_at": _("即：在 {value}"),
        "hint_every": _("即：每 {value}，重复 {times} 次"),
        "hint_every_forever": _("即：每 {value}，不限次数"),
        "hint_variable": _("即：按流程变量 {value} 的值"),
        "hint_bad": _("无法识别这个值，校验时会指出问题。"),
        "unit_Y": _("{n} 年"), "unit_M": _("{n} 个月"), "unit_W": _("{n} 周"), "unit_D": _("{n} 天"),
        "unit_H": _("{n} 小时"), "unit_m": _("{n} 分钟"), "unit_S": _("{n} 秒"),
        "flow": _("顺序流"),
        "condition": _("条件表达式"),
        "condition_hint": _("Python 表达式，结果为真时走这条线，如 decision == \"approve\"。"),
        "default_flow": _("这是网关的默认流：其他条件都不成立时走这条线，不需要条件。"),
    }
