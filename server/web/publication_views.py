"""The performance office's side of 信息公开 (`/publication`): release a year's approved goals with the budget or
its evaluation results with the final accounts (or withdraw them), and mark a project's attachments public.
Each change is audited; what the public then sees is services/publication.py's rule."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from server.db import db
from server.models import ReleaseKind
from server.services import publication_office as office
from server.services.errors import ValidationFailed
from server.web.project_views import wants_xlsx, xlsx_response
from server.web.safety import local_path

bp = Blueprint("publication", __name__)


@bp.get("/publication")
@login_required
def overview():
    if not office.may_publish(current_user):
        abort(403)
    rows = office.overview(current_user)
    if wants_xlsx():
        return xlsx_response(office.overview_xlsx(rows), _("信息公开") + ".xlsx")
    return render_template("publication/overview.html", rows=rows, kinds=ReleaseKind)


@bp.post("/publication/releases")
@login_required
def release():
    if not office.may_publish(current_user):
        abort(403)
    action = request.form.get("action")
    try:
        if action not in ("release", "withdraw"):
            raise ValidationFailed(_("公开内容有误"), fields={"action": _("不是可选的值")})
        year, kind = office.parse_release(request.form.get("year"), request.form.get("kind"))
    except ValidationFailed as err:
        rows = office.overview(current_user)
        return render_template("publication/overview.html", rows=rows, kinds=ReleaseKind, errors=err.fields), 422
    office.set_release(current_user, year, kind, action == "release")
    db.session.commit()
    what = _("%(y)s 年度绩效目标", y=year) if kind == ReleaseKind.BUDGET else _("%(y)s 年度评价结果", y=year)
    flash(_("已公开：%(what)s，可在信息公开网站查看", what=what) if action == "release"
          else _("已撤回公开：%(what)s", what=what), "success")
    return redirect(url_for("publication.overview"), code=303)


@bp.post("/attachments/<int:attachment_id>/public")
@login_required
def attachment_public(attachment_id: int):
    if not office.may_publish(current_user):
        abort(403)
    value = request.form.get("public")
    if value not in ("0", "1"):
        abort(400)
    row = office.set_file_public(current_user, attachment_id, value == "1")
    db.session.commit()
    flash(_("附件“%(name)s”已设为公开（随所属绩效目标或评价结果公开）", name=row.name) if row.public
          else _("附件“%(name)s”已取消公开", name=row.name), "success")
    default = url_for("project.page", project_id=row.project_id) + "#attachments"
    return redirect(local_path(request.form.get("next"), default=default), code=303)
