"""Every API failure is JSON {"error", "message", "fields"} with the right status, never an HTML page or a 500."""

from __future__ import annotations

import logging

from flask import Response, jsonify, request
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from server.api.blueprint import api_bp
from server.db import lost_race, safe_rollback
from server.http_status import status_of
from server.services.errors import ServiceError, Unavailable

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> Response:
    resp = jsonify({"error": code, "message": message, "fields": fields or {}})
    resp.status_code = status
    return resp


def http_error(status: int, message: str | None = None, fields: dict[str, str] | None = None) -> Response:
    known = status_of(status)
    return error_response(status, known.code, message or str(known.message), fields)


def unavailable_response(message: str | None = None) -> Response:
    """503 with Retry-After: nothing was saved, the same request may simply be sent again."""
    resp = error_response(503, Unavailable.code, message or _("数据库暂时不可用，请稍后再试"))
    resp.headers["Retry-After"] = str(Unavailable.retry_after)
    return resp


@api_bp.errorhandler(ServiceError)
def _service_error(err: ServiceError) -> Response:
    safe_rollback()
    if isinstance(err, Unavailable):
        return unavailable_response(err.message)
    return error_response(err.status, err.code, err.message, err.fields)


@api_bp.errorhandler(ValidationError)
def _schema_error(err: ValidationError) -> Response:
    messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
    fields = {k: "；".join(v) if isinstance(v, list) else str(v) for k, v in messages.items()}
    return http_error(422, _("提交的数据不符合要求"), fields)


@api_bp.errorhandler(OperationalError)
@api_bp.errorhandler(InterfaceError)
def _database_busy(err: OperationalError | InterfaceError) -> Response:
    """SQLite refuses a writer whose snapshot went stale, and a database can be briefly away (a cut
    connection, a restart): neither is a bug, and both leave nothing saved, so the client is told to retry."""
    safe_rollback()
    if lost_race(err):
        return error_response(409, "conflict", _("数据正被他人修改，请稍后重试"))
    log.warning("database unavailable on %s %s: %s", request.method, request.path, err.orig)
    return unavailable_response()


@api_bp.errorhandler(PoolTimeout)
def _pool_exhausted(_err: PoolTimeout) -> Response:
    """Every connection of this process stayed busy for JIXIAO_DB_POOL_TIMEOUT: overloaded, not broken."""
    safe_rollback()
    log.warning("database pool exhausted on %s %s", request.method, request.path)
    return unavailable_response()


@api_bp.errorhandler(HTTPException)
def _http_exception(err: HTTPException) -> Response:
    return http_error(err.code or 500)


@api_bp.errorhandler(Exception)
def _unexpected(err: Exception) -> Response:
    # Logged with the traceback for operators; the client gets a JSON body without internals.
    safe_rollback()
    log.exception("unexpected error on %s %s", request.method, request.path)
    return error_response(500, "internal_error", _("服务器内部错误，请稍后再试"))
