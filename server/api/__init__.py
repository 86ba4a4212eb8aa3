"""HTTP API v1: JSON over the services, as DESIGN.md's contract lists it."""

from __future__ import annotations

from flask import Blueprint

api_bp = Blueprint("api", __name__, url_prefix="/api")

from server.api import errors, instances, openapi, processes, projects, session, tasks  # noqa: E402,F401
