"""Registers the pages: each concern's blueprint, then what every page shares (filters, navigation, the
error page for a service refusal)."""

from __future__ import annotations

from flask import Flask

from server.web import (
    auth_views,
    errors,
    formatting,
    home_views,
    i18n,
    inbox_views,
    instance_views,
    nav,
    project_views,
    task_views,
    vendor,
    warning_views,
)

BLUEPRINTS = (home_views.bp, auth_views.bp, i18n.bp, inbox_views.bp, project_views.bp, task_views.bp,
              instance_views.bp, vendor.bp, warning_views.bp)


def register_pages(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    formatting.init_app(app)
    nav.init_app(app)
    errors.init_app(app)
