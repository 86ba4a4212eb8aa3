"""A service refusal the page cannot handle itself (not found, not allowed) renders the error page with its
status, so views only catch the refusals they answer in place (a form kept with its message)."""

from __future__ import annotations

from flask import render_template

from server.services.errors import ServiceError
from server.web import web_bp


@web_bp.errorhandler(ServiceError)
def service_error_page(err: ServiceError):
    return render_template("error.html", message=err.message), err.status
