"""The navigation each role needs: units their work and projects, reviewers their queues. Only working links."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from server.models import Role
from server.services.start_options import may_start_anything

REVIEW_ROLES = frozenset({Role.DEPT_REVIEWER, Role.FINANCE_SECTION, Role.PERFORMANCE_OFFICE, Role.EXPERT})
# 发起: units start their own flows, the office and administrators the year-wide batches; only those roles
# pay the query that asks whether a deployed flow lets them start anything (the link must open)
START_ROLES = frozenset({Role.UNIT_STAFF, Role.PERFORMANCE_OFFICE, Role.ADMIN})
WARNING_ROLES = frozenset({Role.FINANCE_SECTION, Role.PERFORMANCE_OFFICE, Role.ADMIN})  # see services.warnings
DASHBOARD_ROLES = WARNING_ROLES | {Role.DEPT_REVIEWER}  # see services.dashboard.may_read


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def projects_label(roles: frozenset[str]) -> str | None:
    """Experts read only the instances they are assigned to, so they get no project list."""
    if roles & {Role.PERFORMANCE_OFFICE, Role.ADMIN}:
        return _("项目库")
    if Role.FINANCE_SECTION in roles:
        return _("归口项目")
    if Role.DEPT_REVIEWER in roles:
        return _("本部门项目")
    if Role.UNIT_STAFF in roles:
        return _("我的项目")
    return None


def nav_items() -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    roles = current_user.roles
    endpoint, view = request.endpoint, request.args.get("view", "mine")
    in_inbox = endpoint == "inbox.inbox"
    items = [NavItem(_("我的待办"), url_for("inbox.inbox"), in_inbox and view == "mine")]
    if roles & REVIEW_ROLES:
        items.append(NavItem(_("审核队列"), url_for("inbox.inbox", view="claimable"), in_inbox and view == "claimable"))
    items.append(NavItem(_("已办"), url_for("inbox.inbox", view="done"), in_inbox and view == "done"))
    if roles & START_ROLES and may_start_anything(current_user):
        items.append(NavItem(_("发起"), url_for("start.start_page"), (endpoint or "").startswith("start.")))
    if label := projects_label(roles):
        items.append(NavItem(label, url_for("projects.projects"), endpoint in ("projects.projects", "project.page")))
    if roles & DASHBOARD_ROLES:
        items.append(NavItem(_("驾驶舱"), url_for("dashboard.page"), (endpoint or "").startswith(("dashboard.", "reports."))))
    if roles & WARNING_ROLES:
        items.append(NavItem(_("预警看板"), url_for("warnings.board"), endpoint == "warnings.board"))
    if label and roles != {Role.EXPERT}:  # whoever reads projects reads their budget lines (units: confirmed ones)
        items.append(NavItem(_("预算安排"), url_for("arrangements.index"), (endpoint or "").startswith("arrangements.")))
    if roles - {Role.EXPERT}:  # the goal tables' indicators: units pick from it, reviewers check against it
        items.append(NavItem(_("指标库"), url_for("indicators.index"), (endpoint or "").startswith("indicators.")))
    if roles & {Role.DEPT_REVIEWER, Role.FINANCE_SECTION, Role.PERFORMANCE_OFFICE}:  # 部门整体绩效 (issue 16.3)
        items.append(NavItem(_("部门整体绩效"), url_for("departments.index"), (endpoint or "").startswith("departments.")))
    if Role.PERFORMANCE_OFFICE in roles:
        items.append(NavItem(_("信息公开"), url_for("publication.overview"), endpoint == "publication.overview"))
    if Role.ADMIN in roles:
        items.append(NavItem(_("系统管理"), url_for("admin.landing"), (endpoint or "").startswith("admin")))
    return items


def _nav() -> dict:
    return {"nav_items": nav_items}


def init_app(app: Flask) -> None:
    app.context_processor(_nav)
