"""信息公开 `/public/`: the anonymous, read-only site of published goals (随预算公开) and evaluation results
(随决算公开), per year and department, searchable. What counts as published is services/publication.py's.

Every answer is a GET, cacheable by anyone (Cache-Control public + ETag, 304 on a match) and sets no cookie:
the pages never load the signed-in user (so the session is never read or written) and use their own layout,
which has no CSRF token, no login state and no forms that post. Errors under /public/ use that layout too."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, render_template, request, stream_with_context
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from server.downloads import attachment_response
from server.extensions import login_manager
from server.services import publication
from server.services.errors import ServiceError
from server.services.xlsx_export import XLSX_MIMETYPE

bp = Blueprint("public", __name__, url_prefix="/public")
MAX_AGE = 300  # seconds: a release or withdrawal shows within five minutes in shared caches


@bp.before_request
def _anonymous() -> None:
    # flask-login reads the session the first time anything asks for current_user (the locale selector does);
    # fixing the user as anonymous here keeps the session untouched (sessions are not permanent, so an untouched
    # one is never re-sent): no answer, all cacheable by anyone, carries a Set-Cookie, signed in or not.
    g._login_user = login_manager.anonymous_user()


@bp.after_request
def _cacheable(response: Response) -> Response:
    if request.method in ("GET", "HEAD") and response.status_code in (200, 304):
        response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
        if not response.is_streamed:
            response.add_etag()
            response.make_conditional(request)
    elif response.status_code == 404:
        response.headers["Cache-Control"] = "public, max-age=60"
    response.vary.add("Cookie")  # the language cookie picks the page's language
    return response


@bp.errorhandler(ServiceError)
def _refused(err: ServiceError):
    # One wording for every miss, so a page cannot tell "exists but unpublished" from "never existed".
    message = _("页面不存在或尚未公开") if err.status == 404 else err.message
    return render_template("public/error.html", message=message, status=err.status), err.status


@bp.errorhandler(HTTPException)
def _http(err: HTTPException):
    status = err.code or 500
    message = _("页面不存在或尚未公开") if status == 404 else _("无法处理该请求")
    return render_template("public/error.html", message=message, status=status), status


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


def _query() -> tuple[str, str | None]:
    q = request.args.get("q", "").strip()
    if len(q) > publication.MAX_QUERY:
        return "", _("搜索词过长，最多 %(n)s 个字", n=publication.MAX_QUERY)
    return q, None


@bp.get("/")
def index():
    return render_template("public/index.html", years=publication.years())


@bp.get("/<int:year>/")
def year_page(year: int):
    row = publication.year_row(year)
    return render_template("public/year.html", row=row, departments=publication.departments(year))


def _list(year: int, kind: str):
    row = publication.year_row(year)
    if (kind == "goals" and row.budget_at is None) or (kind == "results" and row.final_at is None):
        abort(404)
    q, error = _query()
    department_id = _int_arg("dept")
    if request.args.get("format") == "xlsx" and not error:
        name = f"{row.year}-{kind}.xlsx"
        return Response(stream_with_context(publication.list_xlsx(year, kind, department_id, q)),
                        mimetype=XLSX_MIMETYPE, headers={"Content-Disposition": f'attachment; filename="{name}"'})
    reader = publication.goal_list if kind == "goals" else publication.result_list
    listing = reader(year, department_id, q, _int_arg("page") or 1)
    departments = publication.departments(year)
    page = render_template("public/list.html", row=row, kind=kind, listing=listing, q=q, error=error,
                           department_id=department_id, departments=departments)
    return page, 422 if error else 200


@bp.get("/<int:year>/goals")
def goals(year: int):
    return _list(year, "goals")


@bp.get("/<int:year>/results")
def results(year: int):
    return _list(year, "results")


@bp.get("/goals/<int:goal_id>")
def goal(goal_id: int):
    return render_template("public/goal.html", goal=publication.goal(goal_id))


@bp.get("/results/<int:evaluation_id>")
def result(evaluation_id: int):
    return render_template("public/result.html", result=publication.result(evaluation_id))


@bp.get("/files/<int:attachment_id>")
def download(attachment_id: int):
    return attachment_response(*publication.file(attachment_id))


@bp.get("/<path:_rest>")
def unknown(_rest: str):
    abort(404)  # here rather than the site's 404, whose layout carries a session-bound CSRF token
