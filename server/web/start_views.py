"""发起 (/start): the flows this user may start, each with its start form, and the office's batch start with a
preview, a progress bar (static/js/batch-start.js posting chunks) and the result list.

Thin views: services.start_options says what may be started and starts it; the start forms are drawn by the
task page's form code (form_render / form_input).
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from server.models import Project, Role, User
from server.services import batch_preview as yearly
from server.services import start_options as starts
from server.services.errors import ServiceError, ValidationFailed
from server.services.forms import validate_submission
from server.services.handoff import where_it_went
from server.web.form_input import parse_form
from server.web.form_render import build_form
from server.web.project_views import wants_xlsx, xlsx_response

bp = Blueprint("start", __name__)

MIN_YEAR, MAX_YEAR = 2000, 2100
CHUNK_MAX = 50  # codes per progress request (the page sends 10)
TOKENS_KEPT = 12  # one-time tokens of start forms a session keeps (several tabs)
TOKENS = "start_tokens"


# ---------------------------------------------------------------- the page


@bp.get("/start")
@login_required
def start_page():
    unit = starts.unit_options(current_user)
    batches = yearly.batch_options(current_user)
    if not unit and not batches:
        abort(403)
    forms = {o.key: _form(o) for o in unit if o.by_project and o.projects}
    year = starts.current_year()
    tokens = {o.key: _new_token() for o in unit if o.key in forms}
    return render_template("start/index.html", unit=unit, batches=batches, forms=forms, years=(year, year - 1),
                           tokens=tokens)


@bp.get("/start/<key>")
@login_required
def start_form(key: str):
    option = starts.unit_option(key, current_user)
    wanted = (request.args.get("project_code") or "")[:100]
    return _render_form(option, {"project_code": wanted} if option.by_project and wanted else {})


@bp.post("/start/<key>")
@login_required
def start_submit(key: str):
    option = starts.unit_option(key, current_user)
    token = request.form.get("start_token", "")
    if (done := session.get(TOKENS, {}).get(token)) is not None:
        if done:  # the same form posted twice (a double click, a reload): nothing is started again
            flash(_("此表单已经提交过，未重复发起"), "warning")
            return redirect(done, 303)
    elif token:
        token = ""  # not one this session handed out
    schema, ui = starts.start_form(option)
    data, errors = parse_form(schema, ui, request.form)
    if not token:
        return _render_form(option, data, message=_("表单已过期，请检查后重新提交"), status=400)
    if errors:
        try:
            validate_submission(schema, data)
        except ValidationFailed as err:
            errors = {**err.fields, **errors}
        return _render_form(option, data, errors=errors, status=422)
    try:
        outcome = (starts.start_for_project(option, current_user, data) if option.by_project
                   else starts.file_first_step(option, current_user, data))
    except ValidationFailed as err:
        return _render_form(option, data, errors=err.fields, message=None if err.fields else err.message,
                            status=422)
    except ServiceError as err:
        return _render_form(option, data, message=err.message, status=err.status)
    target = _announce(option, outcome)
    _spend_token(token, target)
    return redirect(target, 303)


def _form(option: starts.StartOption, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None):
    schema, ui = starts.start_form(option)
    return build_form(schema, ui, values or {}, errors=errors)


def _render_form(option: starts.StartOption, values: dict[str, Any], *, errors: dict[str, str] | None = None,
                 message: str | None = None, status: int = 200):
    form = _form(option, values, errors)
    return render_template("start/form.html", option=option, form=form, message=message,
                           token=_new_token()), status


def _announce(option: starts.StartOption, outcome) -> str:
    """Flash where the start went and return the page to go to: the user's own next task, else the instance."""
    mine = next((s for s in starts.next_steps(outcome, current_user) if s.mine), None)
    if mine is not None:
        flash(_("已发起“%(flow)s”，请继续办理“%(step)s”", flow=option.title, step=mine.title), "success")
        return url_for("tasks.task_page", task_id=mine.task_id)
    flash(_("已发起“%(flow)s”，%(where)s", flow=option.title, where=where_it_went(outcome, current_user)), "success")
    return url_for("instances.instance_page", instance_id=outcome.instance.id)


def _new_token() -> str:
    token = secrets.token_urlsafe(16)
    kept = dict(session.get(TOKENS, {}))
    kept[token] = ""
    session[TOKENS] = dict(list(kept.items())[-TOKENS_KEPT:])
    return token


def _spend_token(token: str, target: str) -> None:
    kept = dict(session.get(TOKENS, {}))
    kept[token] = target
    session[TOKENS] = kept


# ---------------------------------------------------------------- the office's batch start


def _year() -> int:
    raw = request.values.get("fiscal_year", "")
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4 and MIN_YEAR <= int(raw) <= MAX_YEAR):
        raise ValidationFailed(_("请选择预算年度"), fields={"fiscal_year": _("应为 %(a)s–%(b)s 之间的年份", a=MIN_YEAR,
                                                                            b=MAX_YEAR)})
    return int(raw)


@bp.get("/start/batch/<key>")
@login_required
def batch_preview(key: str):
    yearly.batch_title(key, current_user)  # who and which flow before what year
    preview = yearly.batch_preview(key, current_user, _year())
    if wants_xlsx():
        name = _("批量发起：%(title)s（%(year)s 年度）", title=preview.title, year=preview.fiscal_year)
        return xlsx_response(yearly.preview_xlsx(preview), f"{name}.xlsx")
    return render_template("start/batch.html", preview=preview, chunk=10)


@bp.post("/start/batch/<key>")
@login_required
def batch_run(key: str):
    """Without JavaScript: the whole selection in one request, then the result list."""
    title = yearly.batch_title(key, current_user)
    year = _year()
    codes = _codes(request.form.getlist("codes"))
    result = yearly.run_batch(key, current_user, year, codes)
    return render_template("start/batch_result.html", key=key, title=title, fiscal_year=year,
                           started=_named(result.started), skipped=_named(result.skipped))


@bp.post("/start/batch/<key>/chunk")
@login_required
def batch_chunk(key: str):
    """One step of the progress bar: a few codes, each project started in its own transaction. Answers JSON,
    refusals too ({"error", "message", "fields"}), for the page's script."""
    try:
        return _chunk(key)
    except ServiceError as err:
        return jsonify({"error": err.code, "message": err.message, "fields": err.fields}), err.status


def _chunk(key: str):
    yearly.batch_title(key, current_user)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("codes"), list):
        raise ValidationFailed(_("请求格式不正确"), fields={"codes": _("应为项目编码列表")})
    raw_year = body.get("fiscal_year")
    if isinstance(raw_year, bool) or not isinstance(raw_year, int) or not MIN_YEAR <= raw_year <= MAX_YEAR:
        raise ValidationFailed(_("请选择预算年度"), fields={"fiscal_year": _("应为 %(a)s–%(b)s 之间的年份", a=MIN_YEAR,
                                                                            b=MAX_YEAR)})
    codes = _codes(body["codes"], limit=CHUNK_MAX)
    result = yearly.run_batch(key, current_user, raw_year, codes)
    return jsonify({
        "started": [{"project_code": c, "name": n, "instance_id": i, "url": url_for("instances.instance_page",
                                                                                  instance_id=i)}
                    for c, n, i in _named(result.started)],
        "skipped": [{"project_code": c, "name": n, "reason": r} for c, n, r in _named(result.skipped)],
    })


def _codes(raw: list[Any], limit: int = yearly.MAX_BATCH_LIST) -> list[str]:
    if len(raw) > limit:
        raise ValidationFailed(_("一次最多发起 %(n)s 个项目", n=limit), fields={"codes": _("所选项目过多")})
    codes = [c for c in raw if isinstance(c, str) and 0 < len(c) <= 100]
    if len(codes) != len(raw):
        raise ValidationFailed(_("项目编码不正确"), fields={"codes": _("应为项目编码")})
    if not codes:
        raise ValidationFailed(_("请至少选择一个项目"), fields={"codes": _("请至少选择一个项目")})
    return list(dict.fromkeys(codes))


def _named(rows: list[tuple[str, Any]]) -> list[tuple[str, str, Any]]:
    names = yearly.project_names([code for code, _x in rows])
    return [(code, names.get(code, ""), other) for code, other in rows]


# ---------------------------------------------------------------- on other pages


@bp.app_template_global("library_start_links")
def library_start_links(fiscal_year: int | None) -> list[tuple[str, str]]:
    """The project library's header: the unit's 新建项目申报, the office's batches for the year it filters."""
    user = current_user
    if not getattr(user, "is_authenticated", False):
        return []
    links = [(o.action, url_for("start.start_form", key=o.key)) for o in starts.unit_options(user)
             if o.projects is None] if Role.UNIT_STAFF in user.roles else []
    if fiscal_year:
        links += [(_("批量发起%(title)s（%(year)s 年度）", title=b.title, year=fiscal_year),
                   url_for("start.batch_preview", key=b.key, fiscal_year=fiscal_year))
                  for b in yearly.batch_options(user)]
    return links


@bp.app_template_global("unit_start_actions")
def unit_start_actions(project: Any) -> list[tuple[str, str]]:
    """A library row's own starts (the unit's; no per-row batch checks: the header holds the year's batches)."""
    user = current_user
    if not getattr(user, "is_authenticated", False) or Role.UNIT_STAFF not in user.roles:
        return []
    cached = g.setdefault("unit_start_options", {})
    if user.id not in cached:
        cached[user.id] = starts.unit_options(user)
    return [(o.action, url_for("start.start_form", key=o.key, project_code=project.code))
            for o in cached[user.id] if o.projects and any(x.code == project.code for x in o.projects)]


@bp.app_template_global("start_actions")
def start_actions(project: Project, user: User | None = None) -> list[tuple[str, str]]:
    """(label, url) of what the user may start for this project here: a unit's own starts, the office's batch
    for the project's year. For the project page and the project library (templates/start/_project_actions.html)."""
    user = user or current_user
    if not getattr(user, "is_authenticated", False):
        return []
    cached = g.setdefault("start_actions", {})
    if user.id not in cached:
        cached[user.id] = (starts.unit_options(user), yearly.batch_options(user))
    unit, batches = cached[user.id]
    found = [(o.action, url_for("start.start_form", key=o.key, project_code=project.code))
             for o in unit if o.projects and any(p.code == project.code for p in o.projects)]
    if project.fiscal_year:
        found += [(_("批量发起%(title)s（%(year)s 年度）", title=b.title, year=project.fiscal_year),
                   url_for("start.batch_preview", key=b.key, fiscal_year=project.fiscal_year))
                  for b in batches if yearly.batch_eligible(b.key, project)]
    return found
