"""Errors a use case reports to its caller; the API turns each into its HTTP status and JSON body."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    """The task or instance changed meanwhile (a lost race) or is no longer open."""

    status = 409
    code = "conflict"


class ValidationFailed(ServiceError):
    status = 422
    code = "validation_failed"


class Unavailable(ServiceError):
    """The database went away mid-request (connection cut, server restarting): nothing was saved, retry."""

    status = 503
    code = "db_unavailable"
    retry_after = 5
