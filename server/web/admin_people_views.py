"""用户与机构 /admin/users, /admin/organisations: the organisation tree with sectors, users with roles and covered
sectors, create and edit, deactivation, password reset (a one-time password shown once) and bulk import from
.xlsx (all rows or none, each row's problems listed); both lists export to .xlsx."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from server.services import org_admin, people
from server.services.errors import ValidationFailed
from server.services.role_names import ROLE_LABELS
from server.services.user_import import HEADERS, import_users
from server.services.xlsx_export import Column, stream_xlsx
from server.web.actions import act_and_return
from server.web.admin_views import admin_only, no_store
from server.web.project_views import wants_xlsx, xlsx_response

bp = Blueprint("admin_people", __name__)
bp.before_request(admin_only)
bp.after_request(no_store)


def _form_data() -> dict:
    form = request.form
    return {"username": form.get("username", ""), "display_name": form.get("display_name", ""),
            "organisation": form.get("organisation", ""), "roles": form.getlist("roles"),
            "sectors": form.getlist("sectors"), "password": form.get("password", "")}


def _users_page(*, errors: dict | None = None, message: str | None = None, shown: list | None = None,
                editing=None, status: int = 200):
    users = people.user_list()
    return render_template(
        "admin/users.html", users=users, errors=errors or {}, message=message, shown=shown or [],
        editing=editing, form=request.form, roles=ROLE_LABELS, sectors=people.known_sectors(),
        orgs=people.organisation_tree(), headers=list(HEADERS)), status


@bp.get("/admin/users")
def users():
    if wants_xlsx():
        columns = [Column(_("用户名"), 14), Column(_("姓名"), 20), Column(_("机构"), 20), Column(_("机构编码"), 12),
                   Column(_("角色"), 20), Column(_("归口领域"), 20), Column(_("状态"), 8)]
        return xlsx_response(stream_xlsx(_("用户"), columns, people.user_export_rows(people.user_list())),
                             _("用户") + ".xlsx")
    edit = request.args.get("edit", "")
    return _users_page(editing=people.get_user(int(edit)) if edit.isdigit() else None)


@bp.post("/admin/users")
def create():
    try:
        user, shown = people.create_user(current_user, _form_data())
    except ValidationFailed as err:
        return _users_page(errors=err.fields or {}, message=err.message, status=422)
    flash(_("已创建用户 %(u)s", u=user.username), "success")
    if shown:  # the one-time password is shown on this answer only
        return _users_page(shown=[(user.username, shown)], status=201)
    return redirect(url_for("admin_people.users"), 303)


@bp.post("/admin/users/<int:user_id>")
def update(user_id: int):
    try:
        people.update_user(current_user, user_id, _form_data())
    except ValidationFailed as err:
        return _users_page(errors=err.fields or {}, message=err.message, editing=people.get_user(user_id),
                           status=422)
    flash(_("用户信息已保存"), "success")
    return redirect(url_for("admin_people.users"), 303)


@bp.post("/admin/users/<int:user_id>/deactivate")
def deactivate(user_id: int):
    return act_and_return(lambda: people.deactivate(current_user, user_id),
                          _("用户已停用：其会话已结束，已认领的任务已放回待认领"), url_for("admin_people.users"))


@bp.post("/admin/users/<int:user_id>/reactivate")
def reactivate(user_id: int):
    return act_and_return(lambda: people.reactivate(current_user, user_id), _("用户已恢复使用"),
                          url_for("admin_people.users"))


@bp.post("/admin/users/<int:user_id>/password")
def reset_password(user_id: int):
    try:
        shown = people.reset_password(current_user, user_id, request.form.get("password"))
    except ValidationFailed as err:
        return _users_page(errors=err.fields or {}, message=err.message, status=422)
    user = people.get_user(user_id)
    if shown:  # shown once, on this page only; never stored in clear
        return _users_page(shown=[(user.username, shown)])
    flash(_("已为 %(u)s 设置新密码，其原有会话已结束", u=user.username), "success")
    return redirect(url_for("admin_people.users"), 303)


@bp.post("/admin/users/import")
def import_xlsx():
    upload = request.files.get("file")
    try:
        created = import_users(current_user, upload.read() if upload else b"")
    except ValidationFailed as err:
        return _users_page(errors=err.fields or {}, message=err.message, status=422)
    flash(_("已导入 %(n)s 个用户", n=len(created)), "success")
    return _users_page(shown=[(u, p) for u, p in created if p], status=201)


@bp.get("/admin/organisations")
def organisations():
    tree = people.organisation_tree()
    if wants_xlsx():
        columns = [Column(_("机构编码"), 14), Column(_("机构名称"), 30), Column(_("类型"), 12),
                   Column(_("上级机构"), 20), Column(_("归口领域"), 10), Column(_("用户数"), 8)]
        rows = ([n.org.code, n.org.name, str(people.ORG_KINDS.get(n.org.kind.value, n.org.kind.value)), n.org.parent.name if n.org.parent else "",
                 n.org.sector or "", n.users] for n in tree)
        return xlsx_response(stream_xlsx(_("机构"), columns, rows), _("机构") + ".xlsx")
    edit = request.args.get("edit", "")
    return _orgs_page(tree, editing=next((n.org for n in tree if str(n.org.id) == edit), None))


def _orgs_page(tree=None, *, errors: dict | None = None, message: str | None = None, editing=None,
               status: int = 200):
    return render_template("admin/organisations.html", tree=tree or people.organisation_tree(),
                           kinds=people.ORG_KINDS, sectors=people.known_sectors(), errors=errors or {},
                           message=message, editing=editing, form=request.form), status


def _org_form() -> dict:
    return {key: request.form.get(key, "") for key in ("code", "name", "kind", "parent", "sector")}


@bp.post("/admin/organisations")
def create_org():
    try:
        org = org_admin.create_organisation(current_user, _org_form())
    except ValidationFailed as err:
        return _orgs_page(errors=err.fields or {}, message=err.message, status=422)
    flash(_("已创建机构 %(name)s", name=org.name), "success")
    return redirect(url_for("admin_people.organisations"), 303)


@bp.post("/admin/organisations/<int:org_id>")
def update_org(org_id: int):
    try:
        org_admin.update_organisation(current_user, org_id, _org_form())
    except ValidationFailed as err:
        editing = next((n.org for n in people.organisation_tree() if n.org.id == org_id), None)
        return _orgs_page(errors=err.fields or {}, message=err.message, editing=editing, status=422)
    flash(_("机构信息已保存"), "success")
    return redirect(url_for("admin_people.organisations"), 303)
