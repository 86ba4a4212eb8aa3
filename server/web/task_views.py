"""The task page: the form rendered from the task's schema, its context, save-as-draft, submit, claim/unclaim.

Thin views: services.task_page gathers what the page shows, services.tasks claims and completes,
services.drafts keeps drafts; form_input turns the posted form into typed JSON and form_render back.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from server.services import drafts
from server.services import tasks as task_service
from server.services.errors import Conflict, Forbidden, ServiceError, ValidationFailed
from server.services.forms import validate_submission
from server.services.handoff import where_it_went
from server.services.task_page import CONFIRM_FIELD, TaskPageData, label, load_task_page, unconfirmed
from server.web.actions import act_and_return
from server.web.form_input import parse_form
from server.web.form_render import build_form, warnings_by_field

bp = Blueprint("tasks", __name__)


@bp.app_template_global("jx_label")
def jx_label(group: str, code: Any) -> str:
    return label(group, code)


def _render(page: TaskPageData, *, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
            message: str | None = None, status: int = 200, confirm: str | None = None):
    shown = page.values if values is None else values
    form = build_form(
        page.schema,
        page.ui_schema,
        shown,
        errors=page.flow_errors or None if errors is None else errors,
        warnings=warnings_by_field(page.warnings),
        context={"sector": page.project.project.sector if page.project else None},
        choices=page.choices,
    )
    # shown_values: what the form holds, for context blocks that restate it (monitoring's budget change)
    # confirm: the token the user is asked to confirm (the panel carries it, so the same click again submits)
    return render_template("task/page.html", page=page, form=form, message=message, shown_values=shown,
                           confirm=confirm, confirm_field=CONFIRM_FIELD), status


def _page(task_id: int) -> TaskPageData:
    return load_task_page(task_id, current_user)


@bp.get("/tasks/<int:task_id>")
@login_required
def task_page(task_id: int):
    return _render(_page(task_id))


@bp.post("/tasks/<int:task_id>")
@login_required
def task_submit(task_id: int):
    """Submit: type errors and schema errors come back next to their fields (422), the input kept."""
    page = _page(task_id)
    data, errors = parse_form(page.schema, page.ui_schema, request.form)
    if errors:
        try:  # name the other fields' problems too, so one round trip shows everything
            validate_submission(page.schema, data)
        except ValidationFailed as err:
            errors = {**err.fields, **errors}
        return _render(page, values=data, errors=errors, status=422)  # the error summary says what to fix
    if page.can_act and (token := unconfirmed(page, data, request.form.get(CONFIRM_FIELD, ""))):
        # Without JavaScript (budget-change.js asks before posting): show what the submission would change and
        # let the same click again confirm it. Nothing is submitted yet.
        return _render(page, values=data, confirm=token,
                       message=_("请核对预算变动（原预算、调整后、差额），确认无误后再次点击同一决定提交"))
    try:
        outcome = task_service.complete(task_id, current_user, data)
    except ValidationFailed as err:
        # With field messages the summary lists them; without (the flow refused the input) say why on top.
        return _render(page, values=data, errors=err.fields, message=None if err.fields else err.message,
                       status=422)
    except (Conflict, Forbidden) as err:
        return _render(page, values=data, message=err.message, status=err.status)
    except ServiceError as err:  # the flow failed (WorkflowFailed): keep the input, say why
        return _render(page, values=data, message=err.message, status=err.status)
    drafts.clear_after_completion(task_id)
    flash(_("“%(title)s”已提交，%(where)s", title=page.task.title, where=where_it_went(outcome, current_user)),
          "success")
    return redirect(url_for("inbox.inbox"))


@bp.post("/tasks/<int:task_id>/draft")
@login_required
def task_draft(task_id: int):
    page = _page(task_id)
    data, _errors = parse_form(page.schema, page.ui_schema, request.form, strict=False)
    return _act(task_id, lambda: drafts.save_draft(task_id, current_user, data), _("草稿已保存"))


@bp.post("/tasks/<int:task_id>/draft/discard")
@login_required
def task_draft_discard(task_id: int):
    return _act(task_id, lambda: drafts.discard_draft(task_id, current_user), _("草稿已清除"))


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def task_claim(task_id: int):
    return _act(task_id, lambda: task_service.claim(task_id, current_user), _("已认领，可以开始办理"))


@bp.post("/tasks/<int:task_id>/unclaim")
@login_required
def task_unclaim(task_id: int):
    return _act(task_id, lambda: task_service.unclaim(task_id, current_user), _("已放回待认领，他人可重新认领"))


def _act(task_id: int, action, success: str):
    return act_and_return(action, success, url_for("tasks.task_page", task_id=task_id))
