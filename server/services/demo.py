"""The demo county of DESIGN.md (`jixiao init --demo`, and the fixture every test starts from).

Every helper here is get-or-create, so seeding twice changes nothing and never fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from server.db import db
from server.models import Organisation, OrgKind, Role, User, UserRole, UserSector
from server.services.auth import hash_password
from server.services.demo_indicators import seed_indicator_library

DEMO_PASSWORD = "demo"


@cache
def _demo_hash(method: str) -> str:
    # One salted hash shared by the demo users: they all have the same published password anyway,
    # and hashing once per method keeps seeding fast.
    return generate_password_hash(DEMO_PASSWORD, method=method)


def _password_hash(password: str) -> str:
    if password == DEMO_PASSWORD:
        return _demo_hash(current_app.config["PASSWORD_HASH_METHOD"])
    return hash_password(password)


def create_org(
    code: str, name: str, kind: OrgKind, *, parent: Organisation | None = None, sector: str | None = None
) -> Organisation:
    """The organisation with this code, created if missing (an existing one is left as it is)."""
    org = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if org is None:
        org = Organisation(code=code, name=name, kind=kind, parent=parent, sector=sector)
        db.session.add(org)
        db.session.flush()
    return org


def create_user(
    username: str,
    organisation: Organisation,
    roles: Iterable[str | Role] = (),
    *,
    display_name: str | None = None,
    password: str = DEMO_PASSWORD,
    sectors: Iterable[str] = (),
) -> User:
    """The user with this username, created if missing; missing roles and sectors are added.

    An existing user's password, name and organisation are never touched, so re-seeding cannot undo
    what an administrator changed.
    """
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(
            username=username,
            display_name=display_name or username,
            password_hash=_password_hash(password),
            organisation_id=organisation.id,
            organisation=organisation,
        )
        db.session.add(user)
    for role in roles:
        if str(role) not in user.roles:
            user.role_rows.append(UserRole(role=str(role)))
    for sector in sectors:
        if sector not in user.sectors:
            user.sector_rows.append(UserSector(sector=sector))
    db.session.flush()
    return user


@dataclass(frozen=True)
class DemoOrg:
    code: str
    name: str
    kind: OrgKind
    parent: str | None = None
    sector: str | None = None


@dataclass(frozen=True)
class DemoUser:
    username: str
    org: str
    role: Role
    display_name: str
    sectors: tuple[str, ...] = ()


# Parents come before their children.
DEMO_ORGS: tuple[DemoOrg, ...] = (
    DemoOrg("czj", "县财政局", OrgKind.FINANCE_BUREAU),
    DemoOrg("czj_jxgl", "绩效管理股", OrgKind.FINANCE_OFFICE, parent="czj"),
    DemoOrg("czj_kjw", "教科文股", OrgKind.FINANCE_OFFICE, parent="czj"),
    DemoOrg("czj_nync", "农业农村股", OrgKind.FINANCE_OFFICE, parent="czj"),
    DemoOrg("jyj", "县教育局", OrgKind.DEPARTMENT, sector="教育"),
    DemoOrg("jyj_yz", "县第一中学", OrgKind.UNIT, parent="jyj", sector="教育"),
    DemoOrg("slj", "县水利局", OrgKind.DEPARTMENT, sector="水利"),
    DemoOrg("slj_gcz", "县水利工程站", OrgKind.UNIT, parent="slj", sector="水利"),
    DemoOrg("dsf", "第三方评价机构", OrgKind.THIRD_PARTY),
)

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "czj", Role.ADMIN, "系统管理员"),
    DemoUser("perf", "czj_jxgl", Role.PERFORMANCE_OFFICE, "绩效管理股 李静"),
    DemoUser("fin_edu", "czj_kjw", Role.FINANCE_SECTION, "教科文股 王强", ("教育", "科技", "文化")),
    DemoUser("fin_agri", "czj_nync", Role.FINANCE_SECTION, "农业农村股 赵磊", ("农业", "水利")),
    DemoUser("edu_head", "jyj", Role.DEPT_REVIEWER, "县教育局 陈华"),
    DemoUser("school1", "jyj_yz", Role.UNIT_STAFF, "县第一中学 刘洋"),
    DemoUser("water_head", "slj", Role.DEPT_REVIEWER, "县水利局 孙伟"),
    DemoUser("water1", "slj_gcz", Role.UNIT_STAFF, "县水利工程站 周敏"),
    DemoUser("expert1", "dsf", Role.EXPERT, "评价专家 吴刚"),
    DemoUser("expert2", "dsf", Role.EXPERT, "评价专家 郑丽"),
)


def seed_demo() -> None:
    """Create the demo organisation tree and users (password `demo`), then commit."""
    orgs: dict[str, Organisation] = {}
    for spec in DEMO_ORGS:
        parent = orgs[spec.parent] if spec.parent else None
        orgs[spec.code] = create_org(spec.code, spec.name, spec.kind, parent=parent, sector=spec.sector)
    for spec in DEMO_USERS:
        create_user(
            spec.username,
            orgs[spec.org],
            [spec.role],
            display_name=spec.display_name,
            sectors=spec.sectors,
        )
    seed_indicator_library()
    db.session.commit()
