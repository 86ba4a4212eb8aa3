"""The form editor /admin/models/<key>/forms/<file>: a form's JSON Schema and UI schema in two boxes, a preview
drawn by the task page's own code (form_render + templates/forms + task/form_parts.html) that follows the typing
(static/js/form-editor.js posts both boxes to …/preview, debounced), and 保存 that deploys a new version with the
form replaced. Problems are listed by box with their line or field; the preview keeps its last good render.
Administrators only, like every /admin page; the preview post carries Flask-WTF's token in X-CSRFToken."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from server.services import choices, form_editor
from server.services.errors import Conflict, ValidationFailed
from server.web.admin_views import admin_only, no_store
from server.web.form_render import build_form
from server.web.widgets.registry import REGISTRY

log = logging.getLogger(__name__)
bp = Blueprint("admin_forms", __name__)
bp.before_request(admin_only)
bp.after_request(no_store)


def _kinds() -> frozenset[str]:
    return frozenset(REGISTRY.names())


def _preview(checked: form_editor.Checked) -> tuple[str | None, list[form_editor.Problem]]:
    """The fragment as the task page would draw the form (empty), or why it cannot be drawn."""
    if checked.schema is None:
        return None, checked.problems
    try:
        form = build_form(checked.schema, checked.ui, {}, choices=choices.for_form(current_user, checked.ui))
        return render_template("admin/form_preview.html", form=form), []
    except Exception:  # an admin's schema reaching a widget's corner case: say so rather than fail the page
        log.exception("form preview failed")
        return None, [form_editor.Problem("schema", _("表单无法显示，请检查字段的类型与控件是否匹配"))]


def _page(editor: form_editor.Editor, schema_text: str, ui_text: str, problems: list[form_editor.Problem],
          status: int = 200, message: str | None = None):
    html, shown = _preview(form_editor.check(schema_text, ui_text, _kinds()))
    if html is None:  # as the live preview does: the last good form (here, as deployed) stays in view
        html, _unused = _preview(form_editor.check(editor.schema_text, editor.ui_text, _kinds()))
    return render_template("admin/form_editor.html", editor=editor, schema_text=schema_text, ui_text=ui_text,
                           problems=problems or shown, preview=html, message=message), status


@bp.get("/admin/models/<key>/forms/<file>")
def edit(key: str, file: str):
    editor = form_editor.editor(current_user, key, file)
    return _page(editor, editor.schema_text, editor.ui_text, [])


@bp.post("/admin/models/<key>/forms/<file>/preview")
def preview(key: str, file: str):
    form_editor.editor(current_user, key, file)  # 404 for a form that is not there
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(message=_("请求格式不正确"), problems=[{"box": "schema", "message": _("应为 JSON：{schema, ui}"),
                                                        "line": None}]), 422
    html, problems = _preview(form_editor.check(body.get("schema"), body.get("ui", ""), _kinds()))
    if html is None:
        return jsonify(problems=[{"box": p.box, "message": p.message, "line": p.line} for p in problems]), 422
    return jsonify(html=html, problems=[])


@bp.post("/admin/models/<key>/forms/<file>")
def save(key: str, file: str):
    editor = form_editor.editor(current_user, key, file)
    schema_text, ui_text = request.form.get("schema", ""), request.form.get("ui", "")
    try:
        base = int(request.form.get("base", ""))
    except ValueError:
        base = None
    try:
        version = form_editor.save(current_user, key, file, schema_text, ui_text, base, _kinds())
    except ValidationFailed as err:  # ours by box, or the deploy's by file and element: nothing was stored
        problems = [form_editor.Problem("ui" if k == "ui" else "schema", v if k in ("schema", "ui") else f"{k}：{v}")
                    for k, v in (err.fields or {}).items()] or [form_editor.Problem("schema", err.message)]
        return _page(editor, schema_text, ui_text, problems, 422, _("未部署，系统未做任何改动：") + err.message)
    except Conflict as err:
        return _page(editor, schema_text, ui_text, [], 409, err.message)
    if version is None:
        flash(_("表单没有改动，仍为第 %(n)s 版", n=editor.version), "info")
    else:
        flash(_("已保存表单“%(file)s”并部署 %(key)s 第 %(n)s 版", file=file, key=key, n=version.number), "success")
    return redirect(url_for("admin.models") + f"#model-{key}", 303)
