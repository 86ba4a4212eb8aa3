"""The API with every endpoint module's routes and its JSON error handlers on it, for create_app."""

from __future__ import annotations

from server.api import errors, instances, openapi, processes, projects, session, tasks  # noqa: F401  (add routes)
from server.api.blueprint import api_bp

__all__ = ["api_bp"]
