"""The API's blueprint: every endpoint module adds its routes here; the errors module its JSON handlers."""

from __future__ import annotations

from flask import Blueprint

api_bp = Blueprint("api", __name__, url_prefix="/api")
