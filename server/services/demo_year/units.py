"""The demo county's extra units: two more schools under 县教育局 and two more water works under 县水利局,
each with one unit staff member (password `demo`), so the inboxes of the departments and the finance
sections hold several units' work. Get-or-create, like the base demo county."""

from __future__ import annotations

from sqlalchemy import select

from server.db import db
from server.models import Organisation, OrgKind, Role
from server.services.demo import DemoOrg, DemoUser, create_org, create_user

UNITS: tuple[DemoOrg, ...] = (
    DemoOrg("jyj_sx", "县实验小学", OrgKind.UNIT, parent="jyj", sector="教育"),
    DemoOrg("jyj_zz", "县职业中学", OrgKind.UNIT, parent="jyj", sector="教育"),
    DemoOrg("slj_sk", "县水库管理所", OrgKind.UNIT, parent="slj", sector="水利"),
    DemoOrg("slj_gs", "县农村供水站", OrgKind.UNIT, parent="slj", sector="水利"),
)

STAFF: tuple[DemoUser, ...] = (
    DemoUser("xiaoxue1", "jyj_sx", Role.UNIT_STAFF, "县实验小学 黄丽"),
    DemoUser("zhizhong1", "jyj_zz", Role.UNIT_STAFF, "县职业中学 马超"),
    DemoUser("shuiku1", "slj_sk", Role.UNIT_STAFF, "县水库管理所 何平"),
    DemoUser("gongshui1", "slj_gs", Role.UNIT_STAFF, "县农村供水站 罗文"),
)


def ensure_units() -> None:
    """Create the extra units under their departments (which seed_demo created) and their staff; commit."""
    orgs: dict[str, Organisation] = {}
    for spec in UNITS:
        parent = db.session.scalar(select(Organisation).where(Organisation.code == spec.parent))
        orgs[spec.code] = create_org(spec.code, spec.name, spec.kind, parent=parent, sector=spec.sector)
    for user in STAFF:
        create_user(user.username, orgs[user.org], [user.role], display_name=user.display_name)
    db.session.commit()
