"""The demo county of DESIGN.md: who exists, where they sit, what they may do, and that seeding is repeatable."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.db import db
from server.models import Organisation, OrgKind, User, UserRole, UserSector
from server.services.demo import create_user, seed_demo

EXPECTED_USERS = {
    # username: (organisation, parent organisation, roles)
    "admin": ("县财政局", None, {"admin"}),
    "perf": ("绩效管理股", "县财政局", {"performance_office"}),
    "fin_edu": ("教科文股", "县财政局", {"finance_section"}),
    "fin_agri": ("农业农村股", "县财政局", {"finance_section"}),
    "edu_head": ("县教育局", None, {"dept_reviewer"}),
    "school1": ("县第一中学", "县教育局", {"unit_staff"}),
    "water_head": ("县水利局", None, {"dept_reviewer"}),
    "water1": ("县水利工程站", "县水利局", {"unit_staff"}),
    "expert1": ("第三方评价机构", None, {"expert"}),
    "expert2": ("第三方评价机构", None, {"expert"}),
}


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Organisation, User, UserRole, UserSector)
    )


@pytest.mark.parametrize("username", sorted(EXPECTED_USERS))
def test_every_demo_user_logs_in_with_password_demo(login_as, username):
    caller = login_as(username)
    me = caller.get("/api/v1/me")
    assert me.status_code == 200
    org, _parent, roles = EXPECTED_USERS[username]
    assert me.get_json()["username"] == username
    assert me.get_json()["organisation"]["name"] == org
    assert set(me.get_json()["roles"]) == roles


def test_a_wrong_password_is_refused(client):
    resp = client.post("/api/v1/session", json={"username": "school1", "password": "Demo"})
    assert resp.status_code == 401


def test_organisations_form_the_county_tree(app_ctx):
    orgs = {o.name: o for o in db.session.scalars(select(Organisation))}
    assert len(orgs) == 9
    for username, (org, parent, roles) in EXPECTED_USERS.items():
        user = db.session.scalar(select(User).where(User.username == username))
        assert user.organisation.name == org
        assert (orgs[org].parent.name if orgs[org].parent else None) == parent
        assert user.roles == roles
    assert orgs["县财政局"].kind == OrgKind.FINANCE_BUREAU
    assert {orgs[n].kind for n in ("绩效管理股", "教科文股", "农业农村股")} == {OrgKind.FINANCE_OFFICE}
    assert (orgs["县教育局"].kind, orgs["县教育局"].sector) == (OrgKind.DEPARTMENT, "教育")
    assert (orgs["县第一中学"].kind, orgs["县第一中学"].sector) == (OrgKind.UNIT, "教育")
    assert (orgs["县水利局"].kind, orgs["县水利局"].sector) == (OrgKind.DEPARTMENT, "水利")
    assert (orgs["县水利工程站"].kind, orgs["县水利工程站"].sector) == (OrgKind.UNIT, "水利")
    assert orgs["第三方评价机构"].kind == OrgKind.THIRD_PARTY
    # A unit's work is reviewed by its supervising department.
    assert orgs["县第一中学"].department_id == orgs["县教育局"].id


def test_finance_sections_cover_their_sectors(app_ctx):
    users = {u.username: u for u in db.session.scalars(select(User))}
    assert users["fin_edu"].sectors == {"教育", "科技", "文化"}
    assert users["fin_agri"].sectors == {"农业", "水利"}
    assert all(not u.sectors for name, u in users.items() if not name.startswith("fin_"))


def test_seeding_again_changes_nothing(app_ctx):
    before = _counts()
    hashes = dict(db.session.execute(select(User.username, User.password_hash)).all())
    seed_demo()
    seed_demo()
    assert _counts() == before
    assert dict(db.session.execute(select(User.username, User.password_hash)).all()) == hashes


def test_create_user_adds_missing_roles_without_duplicates(app_ctx):
    school = db.session.scalar(select(Organisation).where(Organisation.name == "县第一中学"))
    user = create_user("school2", school, ["unit_staff"], display_name="县第一中学 二号", password="s3cret")
    again = create_user("school2", school, ["unit_staff", "expert"])
    db.session.commit()
    assert again.id == user.id
    assert again.roles == {"unit_staff", "expert"}
    assert again.display_name == "县第一中学 二号"
