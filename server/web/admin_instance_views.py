"""实例修复 /admin/instances: instances in error (with the error and its element), suspended or active, and the
repairs — retry, mark a user step done, cancel, suspend/resume, reassign a task, move the next timer to now.
Each button acts and comes back (server.web.actions); the services audit and refuse."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server.services import instance_repair
from server.services.instance_retry import retry_instance
from server.services.instances import cancel_instance
from server.services.role_names import role_name
from server.services.xlsx_export import Column, stream_xlsx
from server.web.actions import act_and_return
from server.web.admin_views import admin_only, no_store
from server.web.project_views import wants_xlsx, xlsx_response

bp = Blueprint("admin_instances", __name__)
bp.before_request(admin_only)
bp.after_request(no_store)

STATUS_LABELS = {"error": _l("出错"), "suspended": _l("已挂起"), "active": _l("办理中")}


def _status() -> str:
    return request.args.get("status") or "error"


@bp.get("/admin/instances")
def instances():
    status = _status()
    arg = request.args.get("page", "1")
    page = int(arg) if arg.isdigit() and 0 < int(arg) < 100_000 else 1
    rows, total = instance_repair.repair_rows(status, page)
    if wants_xlsx():
        columns = [Column(_("实例"), 8), Column(_("流程"), 16), Column(_("标题"), 30), Column(_("版本"), 6),
                   Column(_("状态"), 10), Column(_("出错步骤"), 18), Column(_("错误信息"), 60), Column(_("待办步骤"), 30)]
        data = ([r.instance.id, r.instance.process_key, r.instance.title or "", r.instance.version.number,
                 r.instance.status.value, r.element or "", r.instance.error_message or "",
                 "、".join(t.title for t in r.open_steps)] for r in rows)
        return xlsx_response(stream_xlsx(_("实例修复"), columns, data), _("实例修复") + ".xlsx")
    return render_template("admin/instances.html", rows=rows, total=total, status=status, role_name=role_name,
                           page=page, per_page=instance_repair.PER_PAGE,
                           statuses=STATUS_LABELS)


def _back() -> str:
    return request.form.get("back") or url_for("admin_instances.instances", status=_status())


def _safe_back() -> str:
    back = _back()
    return back if back.startswith("/admin/instances") else url_for("admin_instances.instances")


@bp.post("/admin/instances/<int:instance_id>/retry")
def retry(instance_id: int):
    latest = request.form.get("use_current_version") == "1"
    return act_and_return(lambda: retry_instance(instance_id, current_user, use_current_version=latest),
                          _("已重试，流程恢复办理"), _safe_back())


@bp.post("/admin/instances/<int:instance_id>/cancel")
def cancel(instance_id: int):
    reason = request.form.get("reason", "")
    return act_and_return(lambda: cancel_instance(instance_id, current_user, reason), _("流程已撤销"), _safe_back())


@bp.post("/admin/instances/<int:instance_id>/suspend")
def suspend(instance_id: int):
    reason = request.form.get("reason", "")
    return act_and_return(lambda: instance_repair.suspend(instance_id, current_user, reason),
                          _("流程已挂起：定时器暂停，任务暂不能办理"), _safe_back())


@bp.post("/admin/instances/<int:instance_id>/resume")
def resume(instance_id: int):
    return act_and_return(lambda: instance_repair.resume(instance_id, current_user), _("流程已恢复"), _safe_back())


@bp.post("/admin/instances/<int:instance_id>/move-timers")
def move_timers(instance_id: int):
    return act_and_return(lambda: instance_repair.move_timers(instance_id, current_user),
                          _("下一个定时器已到期并触发"), _safe_back())


@bp.post("/admin/tasks/<int:task_id>/skip")
def skip(task_id: int):
    reason = request.form.get("reason", "")
    return act_and_return(lambda: instance_repair.skip_task(task_id, current_user, reason),
                          _("已将该步骤标记为办结，流程继续"), _safe_back())


@bp.post("/admin/tasks/<int:task_id>/reassign")
def reassign(task_id: int):
    username = request.form.get("username", "")
    return act_and_return(lambda: instance_repair.reassign(task_id, current_user, username),
                          _("任务已转交"), _safe_back())
