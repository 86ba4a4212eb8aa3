"""A service refusal the page cannot handle itself (not found, not allowed) renders the error page with its
status, so views only catch the refusals they answer in place (a form kept with its message)."""

from __future__ import annotations

from flask import Flask, render_template

from server.services.errors import ServiceError


def service_error_page(err: ServiceError):
    return render_template("error.html", message=err.message), err.status


def init_app(app: Flask) -> None:
    # App-wide, yet the API keeps its JSON: a blueprint's own handler (server.api.errors) comes first.
    app.register_error_handler(ServiceError, service_error_page)
