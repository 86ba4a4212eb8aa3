"""Registers the pages: each concern's blueprint, then what every page shares (filters, navigation, the
error page for a service refusal)."""

from __future__ import annotations

from flask import Flask

from server.web import (
    account_views,
    admin_audit_views,
    admin_form_views,
    admin_instance_views,
    admin_modeler_views,
    admin_people_views,
    admin_rule_views,
    admin_version_views,
    admin_views,
    attachment_views,
    auth_views,
    budget_arrangement_views,
    dashboard_views,
    department_views,
    dept_evaluation_views,
    errors,
    formatting,
    home_views,
    i18n,
    inbox_views,
    indicator_views,
    instance_views,
    nav,
    project_page_views,
    project_views,
    public_views,
    publication_views,
    report_views,
    start_views,
    task_views,
    vendor,
    warning_views,
)

# One line each, so branches that add pages merge without conflict.
BLUEPRINTS = (
    home_views.bp,
    auth_views.bp,
    account_views.bp,
    i18n.bp,
    inbox_views.bp,
    project_views.bp,
    project_page_views.bp,
    task_views.bp,
    instance_views.bp,
    start_views.bp,
    attachment_views.bp,
    warning_views.bp,
    vendor.bp,
    admin_views.bp,
    admin_modeler_views.bp,
    admin_instance_views.bp,
    admin_people_views.bp,
    admin_rule_views.bp,
    indicator_views.bp,
    admin_form_views.bp,
    budget_arrangement_views.bp,
    admin_version_views.bp,
    admin_audit_views.bp,
    public_views.bp,
    publication_views.bp,
    dashboard_views.bp,
    report_views.bp,
    department_views.bp,
    dept_evaluation_views.bp,
)


def register_pages(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    formatting.init_app(app)
    attachment_views.init_app(app)
    nav.init_app(app)
    errors.init_app(app)
