"""The top navigation: a few menus a county office expects, each role seeing only the links it may open.

To add a page, add one `Link` to the menu it belongs in (MENUS below): its label (`_l`, with an English
msgstr in messages.po), its endpoint, and `shown`, the page's own permission check (the predicate its view
answers 403 with, or a role set through `anyone_of`), e.g. in 监控与评价:

    Link(_l("部门评价"), "dept_evaluations.index", dept_selection.may_read),

The menus and the tests pick it up (tests/web/test_navigation.py crawls every link as each demo user: shown
links must answer 200, hidden ones 403). A menu with no link for a user is left out, one with a single link
shows as that link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server.clock import COUNTY_TZ
from server.extensions import get_clock
from server.flows.dept_performance import page as dept_page
from server.flows.evaluation import dept_selection
from server.models import Role, User
from server.services import budget_arrangements, dashboard, publication_office, warnings
from server.services.admin_access import is_admin
from server.services.start_options import may_start_anything

REVIEW_ROLES = frozenset({Role.DEPT_REVIEWER, Role.FINANCE_SECTION, Role.PERFORMANCE_OFFICE, Role.EXPERT})
# 发起: units start their own flows, the office and administrators the year-wide batches; only those roles
# pay the query that asks whether a deployed flow lets them start anything (the link must open)
START_ROLES = frozenset({Role.UNIT_STAFF, Role.PERFORMANCE_OFFICE, Role.ADMIN})

# The model pages behind 流程模型: versions, diagrams, the modeler, forms and rule tables of a model
ADMIN_MODEL_PAGES = ("admin.models", "admin.version", "admin.deploy", "admin_versions.", "admin_modeler.",
                     "admin_forms.", "admin_rules.")

Check = Callable[[User], bool]


def anyone_of(*roles: str) -> Check:
    wanted = frozenset(roles)
    return lambda user: bool(user.roles & wanted)


def anybody(_user: User) -> bool:
    return True


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


def _inbox_view(view: str) -> Callable[[], bool]:
    return lambda: request.endpoint == "inbox.inbox" and request.args.get("view", "mine") == view


def _this_year() -> dict[str, Any]:
    return {"year": get_clock().now().astimezone(COUNTY_TZ).year}


@dataclass(frozen=True)
class Link:
    label: Any  # a lazy msgid, or a function of the user's roles (None: not shown)
    endpoint: str
    shown: Check = anybody  # the page's own check for a signed-in user: never show a link that answers 403
    args: Mapping[str, Any] = field(default_factory=dict)
    url_args: Callable[[], dict[str, Any]] | None = None  # arguments known only at request time
    current: Callable[[], bool] | None = None  # default: the endpoint's blueprint is the one answering
    public: bool = False  # shown to visitors who have not signed in too

    def text(self, user: User) -> str | None:
        return self.label(user.roles) if callable(self.label) else str(self.label)

    def is_current(self) -> bool:
        if self.current is not None:
            return self.current()
        blueprint = self.endpoint.split(".")[0]
        return (request.endpoint or "").split(".")[0] == blueprint


@dataclass(frozen=True)
class Menu:
    key: str  # the DOM id of its list
    label: Any
    links: tuple[Link, ...]


MENUS: tuple[Menu, ...] = (
    Menu("nav-work", _l("待办"), (
        Link(_l("我的待办"), "inbox.inbox", current=_inbox_view("mine")),
        Link(_l("审核队列"), "inbox.inbox", anyone_of(*REVIEW_ROLES), {"view": "claimable"},
             current=_inbox_view("claimable")),
        Link(_l("已办"), "inbox.inbox", args={"view": "done"}, current=_inbox_view("done")),
        Link(_l("发起"), "start.start_page", lambda u: bool(u.roles & START_ROLES) and may_start_anything(u)),
    )),
    Menu("nav-projects", _l("项目管理"), (
        Link(projects_label, "projects.projects",
             current=lambda: request.endpoint in ("projects.projects", "project.page")),
        Link(_l("指标库"), "indicators.index"),  # units pick from it, reviewers (experts too) check against it
    )),
    Menu("nav-budget", _l("预算安排"), (
        Link(_l("预算安排"), "arrangements.index", budget_arrangements.may_read),
    )),
    Menu("nav-monitoring", _l("监控与评价"), (
        Link(_l("预警看板"), "warnings.board", warnings.may_read),
        Link(_l("部门评价"), "dept_evaluations.index", dept_selection.may_read),
        Link(_l("部门整体绩效"), "departments.index", lambda u: bool(dept_page.departments(u))),  # its 403 rule
    )),
    Menu("nav-reports", _l("统计报表"), (
        Link(_l("驾驶舱"), "dashboard.page", dashboard.may_read),
        Link(_l("年度工作报告"), "reports.annual", dashboard.may_read, url_args=_this_year),
    )),
    Menu("nav-publication", _l("信息公开"), (
        Link(_l("公开管理"), "publication.overview", publication_office.may_publish),
        Link(_l("公开网站"), "public.index", public=True),
    )),
    Menu("nav-admin", _l("系统管理"), (
        Link(_l("管理首页"), "admin.landing", is_admin, current=lambda: request.endpoint == "admin.landing"),
        Link(_l("流程模型"), "admin.models", is_admin,
             current=lambda: (request.endpoint or "").startswith(ADMIN_MODEL_PAGES)),
        Link(_l("实例修复"), "admin_instances.instances", is_admin),
        Link(_l("用户"), "admin_people.users", is_admin, current=lambda: request.endpoint == "admin_people.users"),
        Link(_l("机构"), "admin_people.organisations", is_admin,
             current=lambda: request.endpoint == "admin_people.organisations"),
        Link(_l("审计日志"), "admin_audit.audit", is_admin),
    )),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    active: bool


@dataclass(frozen=True)
class NavMenu:
    key: str
    label: str
    links: list[NavLink]

    @property
    def active(self) -> bool:
        return any(link.active for link in self.links)


def nav_menus(user: User | None = None) -> list[NavMenu]:
    """The menus `user` (default: the signed-in one) sees, each with the links it may open, in MENUS order."""
    user = user or current_user
    signed_in = user.is_authenticated
    menus = []
    for menu in MENUS:
        links = []
        for link in menu.links:
            if not (link.public or (signed_in and link.shown(user))) or (label := link.text(user)) is None:
                continue
            url = url_for(link.endpoint, **link.args, **(link.url_args() if link.url_args else {}))
            links.append(NavLink(label, url, link.is_current()))
        if links:
            menus.append(NavMenu(menu.key, str(menu.label), links))
    return menus


def _nav() -> dict:
    return {"nav_menus": nav_menus}


def init_app(app: Flask) -> None:
    app.context_processor(_nav)
