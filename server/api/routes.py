"""The API for create_app: one blueprint per concern (processes, instances, tasks, projects, session, the
OpenAPI description), nested under the `api` blueprint that holds the /api prefix and the JSON error handlers
(server.api.errors), so every endpoint answers errors the same way."""

from __future__ import annotations

from server.api import (  # noqa: F401 (errors: handlers)
    admin,
    attachments,
    budget_arrangements,
    errors,
    instances,
    messages,
    openapi,
    processes,
    projects,
    session,
    tasks,
)
from server.api.blueprint import api_bp

CONCERNS = (admin.bp, processes.bp, instances.bp, tasks.bp, projects.bp, attachments.bp, messages.bp, session.bp,
            openapi.bp, budget_arrangements.bp)
for _concern in CONCERNS:  # once, at import: a blueprint is registered on the app per app, its children not
    api_bp.register_blueprint(_concern)

__all__ = ["CONCERNS", "api_bp"]
