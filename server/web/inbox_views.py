"""The task inbox: tabs with counts, filters, claim / unclaim / bulk claim, and the notices panel."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from server.request_hygiene import checks_own_fields
from server.services import inbox, inbox_export, notifications, tasks
from server.services.errors import Conflict, ServiceError, ValidationFailed
from server.web.project_views import wants_xlsx, xlsx_response
from server.web.safety import local_path

bp = Blueprint("inbox", __name__)


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _back(default_view: str = "mine") -> str:
    return local_path(request.form.get("next"), default=url_for("inbox.inbox", view=default_view))


@bp.get("/inbox", endpoint="inbox")
@checks_own_fields  # parse_query refuses control characters per filter and still shows the list
@login_required
def inbox_page():
    query, errors = inbox.parse_query({k: v for k, v in request.args.items() if k != "format"})
    if wants_xlsx():
        if errors:
            raise ValidationFailed(_("筛选条件有误"), fields=errors)
        title = inbox_export.tab_title(query)
        return xlsx_response(inbox_export.tasks_xlsx(current_user, query), f"{title}.xlsx")
    fragment = _is_htmx() and request.headers.get("HX-Target") == "inbox-list"
    counts = None if fragment else inbox.counts(current_user, query)  # with the list's total: one query less
    page = inbox.list_page(current_user, query, total=counts.listed if counts else None)
    flows = dict(inbox.flow_choices())
    context = {"page": page, "errors": errors, "flows": flows, "sorts": inbox.SORTS,
               "due_filters": inbox.DUE_FILTERS, "page_sizes": inbox.PAGE_SIZES, "tabs": inbox.Tab}
    status = 422 if errors else 200
    if fragment:
        return render_template("inbox/_list.html", **context), status
    context.update(
        counts=counts,
        organisations=inbox.organisation_choices(current_user),
        notices=notifications.unread(current_user),
    )
    return render_template("inbox/index.html", **context), status


def _refused(err: ServiceError, default_view: str):
    """A lost race (409) goes back to the list with a message; someone else's task is a plain 403/404."""
    if isinstance(err, Conflict):
        flash(err.message, "warning")
        return redirect(_back(default_view), code=303)
    return render_template("error.html", message=err.message), err.status


@bp.post("/inbox/tasks/<int(max=2147483647):task_id>/claim")
@login_required
def claim(task_id: int):
    try:
        task = tasks.claim(task_id, current_user)
    except ServiceError as err:
        return _refused(err, "claimable")
    flash(_("已认领：%(title)s", title=task.title), "success")
    return redirect(_back("claimable"), code=303)


@bp.post("/inbox/tasks/<int(max=2147483647):task_id>/unclaim")
@login_required
def unclaim(task_id: int):
    try:
        task = tasks.unclaim(task_id, current_user)
    except ServiceError as err:
        return _refused(err, "mine")
    flash(_("已放回待认领：%(title)s（他人可重新认领）", title=task.title), "success")
    return redirect(_back("mine"), code=303)


@bp.post("/inbox/claim")
@login_required
def bulk_claim():
    raw = request.form.getlist("task_ids")
    ids = [int(v) for v in raw if v.isascii() and v.isdigit() and 0 < len(v) <= 10 and int(v) <= inbox.MAX_INT]
    if not ids:
        flash(_("请先勾选要认领的任务"), "warning")
        return redirect(_back("claimable"), code=303)
    if len(ids) != len(raw):
        flash(_("有 %(n)s 个任务编号无效，已忽略", n=len(raw) - len(ids)), "warning")
    if len(set(ids)) > inbox.MAX_BULK:
        flash(_("一次最多认领 %(n)s 项，只处理了前 %(n)s 项", n=inbox.MAX_BULK), "warning")
    outcomes = inbox.bulk_claim(current_user, ids)
    claimed = [o for o in outcomes if o.result == inbox.ClaimResult.CLAIMED]
    if claimed:
        flash(ngettext("已认领 %(num)s 项任务", "已认领 %(num)s 项任务", len(claimed)), "success")
    for outcome in outcomes:
        if outcome.result != inbox.ClaimResult.CLAIMED:
            name = outcome.title or _("任务 #%(id)s", id=outcome.task_id)
            flash(_("%(task)s：%(result)s", task=name, result=inbox.CLAIM_MESSAGES[outcome.result]), "warning")
    return redirect(_back("claimable"), code=303)


@bp.get("/notifications")
@login_required
def notifications_export():
    """The notices as .xlsx; the page itself is the inbox's panel."""
    if not wants_xlsx():
        return redirect(url_for("inbox.inbox"), code=303)
    return xlsx_response(inbox_export.notices_xlsx(current_user), _("提醒") + ".xlsx")


@bp.post("/notifications/<int(max=2147483647):notification_id>/read")
@login_required
def notification_read(notification_id: int):
    try:
        notifications.mark_read(current_user, notification_id)
    except ServiceError as err:
        if _is_htmx():
            return render_template("inbox/_message.html", message=err.message, kind="error"), err.status
        abort(err.status)
    if _is_htmx():
        return ""  # htmx removes the notice from the panel
    flash(_("已标记为已读"), "success")
    return redirect(_back(), code=303)


@bp.post("/notifications/read-all")
@login_required
def notifications_read_all():
    count = notifications.mark_all_read(current_user)
    flash(_("已将 %(n)s 条提醒标记为已读", n=count), "success")
    return redirect(_back(), code=303)
