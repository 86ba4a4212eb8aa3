"""Every refusal a page meets renders the site's own error page, in the visit's language and layout: a service
refusal (not found, not allowed) with its message, an HTTP error (403, 404, 405, 413, 429, 500, ...) with what
its status means to a user instead of Werkzeug's English text, a database that went away with a 503 and
Retry-After. Views only catch the refusals they answer in place (a form kept with its message). The API keeps
its JSON (server.api.errors; server.app dispatches)."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from server.db import lost_race, safe_rollback
from server.http_status import status_of
from server.services.errors import ServiceError, Unavailable

log = logging.getLogger(__name__)


def error_page(status: int, message: str | None = None):
    known = status_of(status)
    if request.path.startswith("/public/"):  # the public site's own layout: no session, no CSRF token
        shown = _("页面不存在或尚未公开") if status == 404 else message or known.message
        return render_template("public/error.html", status=status, message=shown), status
    if request.headers.get("HX-Request"):  # htmx swaps a message fragment in place of the list it asked for
        return render_template("inbox/_message.html", message=message or known.message, kind="error"), status
    return render_template("error.html", status=status, heading=known.heading or known.message, message=message,
                           hint=known.hint), status


def service_error_page(err: ServiceError):
    if isinstance(err, Unavailable):
        return _unavailable_page(err.message)
    return error_page(err.status, err.message)


def _unavailable_page(message: str):
    page, status = error_page(503, message)
    return page, status, {"Retry-After": str(Unavailable.retry_after)}


def http_error_page(err: HTTPException):
    status = err.code or 500
    if status >= 500:
        safe_rollback()  # the failed request's transaction must not break rendering the page
        try:
            return error_page(status)
        except Exception:  # the layout itself needs the database: say it plainly rather than fail again
            log.exception("the error page failed on %s %s", request.method, request.path)
            return f"<!doctype html><title>{status}</title><p>{status_of(status).message}</p>", status
    response = err.get_response()  # keeps what the status needs, such as 405's Allow header
    page, _status = error_page(status)
    response.set_data(page)
    response.content_type = "text/html; charset=utf-8"
    return response


def database_error_page(err: OperationalError | InterfaceError | PoolTimeout):
    """A page whose database went away (connection cut, restart) or whose pool stayed busy says so and to
    retry, not a bare 500; the session is rolled back (or its dead connection dropped) so the next request
    starts clean."""
    safe_rollback()
    if isinstance(err, PoolTimeout):
        return _unavailable_page(_("数据库暂时不可用，请稍后再试"))
    if lost_race(err):
        return error_page(409, _("数据正被他人修改，请稍后重试"))
    log.warning("database unavailable on %s %s: %s", request.method, request.path, err.orig)
    return _unavailable_page(_("数据库暂时不可用，请稍后再试"))


def init_app(app: Flask) -> None:
    # App-wide, yet the API keeps its JSON: a blueprint's own handler (server.api.errors) comes first.
    app.register_error_handler(ServiceError, service_error_page)
    app.register_error_handler(OperationalError, database_error_page)
    app.register_error_handler(InterfaceError, database_error_page)
    app.register_error_handler(PoolTimeout, database_error_page)
