"""A service refusal the page cannot handle itself (not found, not allowed) renders the error page with its
status, so views only catch the refusals they answer in place (a form kept with its message)."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from server.db import lost_race, safe_rollback
from server.services.errors import ServiceError, Unavailable

log = logging.getLogger(__name__)


def service_error_page(err: ServiceError):
    if isinstance(err, Unavailable):
        return _unavailable_page(err.message)
    return render_template("error.html", message=err.message), err.status


def _unavailable_page(message: str):
    return render_template("error.html", message=message), 503, {"Retry-After": str(Unavailable.retry_after)}


def database_error_page(err: OperationalError | InterfaceError | PoolTimeout):
    """A page whose database went away (connection cut, restart) or whose pool stayed busy says so and to
    retry, not a bare 500; the session is rolled back (or its dead connection dropped) so the next request
    starts clean."""
    safe_rollback()
    if isinstance(err, PoolTimeout):
        return _unavailable_page(_("数据库暂时不可用，请稍后再试"))
    if lost_race(err):
        return render_template("error.html", message=_("数据正被他人修改，请稍后重试")), 409
    log.warning("database unavailable on %s %s: %s", request.method, request.path, err.orig)
    return _unavailable_page(_("数据库暂时不可用，请稍后再试"))


def init_app(app: Flask) -> None:
    # App-wide, yet the API keeps its JSON: a blueprint's own handler (server.api.errors) comes first.
    app.register_error_handler(ServiceError, service_error_page)
    app.register_error_handler(OperationalError, database_error_page)
    app.register_error_handler(InterfaceError, database_error_page)
    app.register_error_handler(PoolTimeout, database_error_page)
