"""The administrator's pages: the landing page /admin and the process models /admin/models (versions, download
of a version's files, deploy of uploaded files through server.services.deployment). Every page under /admin is
for administrators only (403 for everyone else); instance repair and people have blueprints of their own."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from server.extensions import login_manager
from server.services import form_editor, instance_repair, model_admin
from server.services.admin_access import is_admin
from server.services.deployment import deploy_version
from server.services.errors import ValidationFailed
from server.services.project_story import LABELS
from server.services.role_names import ROLE_LABELS
from server.services.xlsx_export import Column, stream_xlsx
from server.web.project_views import wants_xlsx, xlsx_response

bp = Blueprint("admin", __name__)


def admin_only():
    """before_request of every /admin blueprint: log in first, then administrators only."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not is_admin(current_user):
        abort(403)
    return None


def no_store(response: Response) -> Response:
    """after_request of every /admin blueprint: one-time passwords and people's data stay out of caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


bp.before_request(admin_only)
bp.after_request(no_store)


def download(content: bytes, filename: str, mimetype: str) -> Response:
    disposition = f"attachment; filename=\"download\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, mimetype=mimetype, headers={
        "Content-Disposition": disposition, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@bp.get("/admin")
def landing():
    return render_template("admin/index.html", repair=instance_repair.waiting_for_repair())


def _models_page(errors: dict[str, str] | None = None, message: str | None = None, status: int = 200):
    rows = model_admin.model_rows()
    problems = [(*key.split("#", 1), text) if "#" in key else (key, "", text) for key, text in (errors or {}).items()]
    return render_template("admin/models.html", rows=rows, problems=problems, message=message,
                           form=request.form, status_words=LABELS["instance_status"], role_labels=ROLE_LABELS,
                           forms=form_editor.overviews()), status


@bp.get("/admin/models")
def models():
    if wants_xlsx():
        columns = [Column(_("流程标识"), 20), Column(_("流程名称"), 28), Column(_("版本"), 8), Column(_("状态"), 10),
                   Column(_("部署人"), 16), Column(_("部署时间"), 18), Column(_("校验和"), 66),
                   Column(_("实例数"), 10), Column(_("出错实例"), 10)]
        return xlsx_response(stream_xlsx(_("流程模型"), columns, model_admin.export_rows(model_admin.model_rows())),
                             _("流程模型") + ".xlsx")
    return _models_page()


@bp.post("/admin/models/deploy")
def deploy():
    key = (request.form.get("key") or "").strip()
    files: dict[str, bytes] = {}
    for upload in request.files.getlist("files"):
        name = (upload.filename or "").strip()
        if not name:
            continue
        if name in files:
            return _models_page({name: _("同名文件只能上传一次")}, _("上传的文件不符合要求"), 422)
        files[name] = upload.read()
    try:
        version = deploy_version(key, files, actor=current_user, name=request.form.get("name") or None,
                                 default_role=request.form.get("default_role") or None)
    except ValidationFailed as err:  # shown per file and element; nothing was stored
        return _models_page(err.fields or {}, err.message, 422)
    flash(_("已部署 %(key)s 第 %(n)s 版", key=key, n=version.number), "success")
    return redirect(url_for("admin.models") + f"#model-{key}", 303)


@bp.get("/admin/models/<key>/versions/<int:number>.zip")
def version_zip(key: str, number: int):
    return download(model_admin.version_zip(key, number), f"{key}-v{number}.zip", "application/zip")


@bp.get("/admin/models/<key>/versions/<int:number>/files/<path:name>")
def version_file(key: str, number: int, name: str):
    files = model_admin.version_files(key, number)
    if name not in files:
        abort(404)
    return download(files[name], name, "application/json" if name.endswith(".json") else "application/xml")
