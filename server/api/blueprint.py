"""The parent of the API's blueprints: the /api prefix, and the JSON error handlers (server.api.errors) that
nested blueprints' requests reach too."""

from __future__ import annotations

from flask import Blueprint

api_bp = Blueprint("api", __name__, url_prefix="/api")
