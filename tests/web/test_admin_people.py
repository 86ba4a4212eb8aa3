"""/admin/users and /admin/organisations: the organisation tree with sectors; creating a user (one-time password
shown once, hashed), editing roles and sectors, deactivation (claimed tasks back to the pool, sessions end, no
login), password reset; bulk import from .xlsx, all rows or none with each row's problem; hostile inputs refused
with nothing saved. Every change is audited; both lists export to .xlsx."""

from __future__ import annotations

import io
import re

import openpyxl
from sqlalchemy import func, select

from server.db import db
from server.models import AuditEvent, HumanTask, User
from tests.web.conftest import Browser, apply, open_task

ONE_TIME = re.compile(r'<span class="code">(\w+)</span>：<span class="code one-time">([^<]+)</span>')


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def audits(app, action: str) -> list[dict]:
    with app.app_context():
        return [e.data for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))]


def logs_in(app, username: str, password: str) -> bool:
    return Browser(app.test_client()).login(username, password).status_code == 302


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_organisation_tree_and_exports(browser):
    admin = browser("admin")
    html = admin.get("/admin/organisations").get_data(as_text=True)
    rows = re.findall(r'<tr data-org="(\w+)" data-depth="(\d)">', html)
    codes = [c for c, _d in rows]
    assert codes.index("jyj") < codes.index("jyj_yz") and dict(rows)["jyj_yz"] == "1"  # unit under its department
    assert re.search(r'data-org="slj".*?<td>主管部门</td>\s*<td>水利</td>', html, re.S)
    sheet = openpyxl.load_workbook(io.BytesIO(admin.client.get("/admin/organisations?format=xlsx").data)).active
    assert ("jyj_yz", "县第一中学", "实施单位", "县教育局", "教育", 1) in list(sheet.iter_rows(values_only=True))
    users = openpyxl.load_workbook(io.BytesIO(admin.client.get("/admin/users?format=xlsx").data)).active
    assert ("fin_edu", "教科文股 王强", "教科文股", "czj_kjw", "财政业务股室", "教育、文化、科技", "在用") in \
        list(users.iter_rows(values_only=True))


def test_create_edit_reset_and_refusals(app, browser):
    admin = browser("admin")
    admin.get("/admin/users")
    resp = admin.post("/admin/users", {"username": "fin_soc", "display_name": "社保股 钱进", "organisation": "czj_nync",
                                       "roles": ["finance_section"], "sectors": ["社会保障"]})
    assert resp.status_code == 201 and resp.headers["Cache-Control"] == "no-store"
    (username, password), = ONE_TIME.findall(resp.get_data(as_text=True))
    assert username == "fin_soc" and logs_in(app, "fin_soc", password)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "fin_soc"))
        assert password not in user.password_hash and user.sectors == {"社会保障"}
        uid = user.id
    assert audits(app, "user_create")[-1]["sectors"] == ["社会保障"]

    before = user_count(app)
    for form, field in (
        ({"username": "FIN_EDU", "display_name": "x", "organisation": "czj", "roles": ["admin"]}, "username"),
        ({"username": "u1", "display_name": "x", "organisation": "czj", "roles": ["boss"]}, "roles"),
        ({"username": "u1", "display_name": "x", "organisation": "nowhere", "roles": ["admin"]}, "organisation"),
        ({"username": "u1", "display_name": "x", "organisation": "czj", "roles": ["finance_section"],
          "sectors": ["航天"]}, "sectors"),
        ({"username": "u1", "display_name": "x", "organisation": "czj", "roles": ["admin"], "sectors": ["教育"]}, "sectors"),
        ({"username": "1 bad", "display_name": "x", "organisation": "czj", "roles": ["admin"]}, "username"),
        ({"username": "u1", "display_name": "", "organisation": "czj", "roles": ["admin"]}, "display_name"),
        ({"username": "u1", "display_name": "x", "organisation": "czj", "roles": ["admin"], "password": "short"}, "password"),
    ):
        resp = admin.post("/admin/users", form)
        assert resp.status_code == 422 and f'id="error-{field}"' in resp.get_data(as_text=True), form
    assert user_count(app) == before

    form = admin.get(f"/admin/users?edit={uid}").get_data(as_text=True)
    assert "编辑用户 fin_soc" in form and 'value="社会保障" checked' in form and 'value="czj_nync" selected' in form
    resp = admin.post(f"/admin/users/{uid}", {"display_name": "社保股 钱进", "organisation": "czj_nync",
                                             "roles": ["finance_section"], "sectors": ["社会保障", "农业"]})
    assert resp.status_code == 303
    assert audits(app, "user_update")[-1]["after"]["sectors"] == ["农业", "社会保障"]

    resp = admin.post(f"/admin/users/{uid}/password", {})
    (_u, fresh), = ONE_TIME.findall(resp.get_data(as_text=True))
    assert not logs_in(app, "fin_soc", password) and logs_in(app, "fin_soc", fresh)
    assert admin.post(f"/admin/users/{uid}/password", {"password": "12345678"}).status_code == 422
    assert admin.post(f"/admin/users/{uid}/password", {"password": "Neues-Passwort-9"}).status_code == 303
    assert logs_in(app, "fin_soc", "Neues-Passwort-9")
    assert [a["generated"] for a in audits(app, "password_reset")] == [True, False]


def test_deactivation_returns_claimed_tasks_and_ends_sessions(app, review, login_as, browser):
    inst = apply(login_as("school1"), "县第一中学理化生实验室设备购置", 120_000)
    task_id = open_task(app, inst)
    fin = login_as("fin_edu")
    assert fin.post(f"/api/v1/tasks/{task_id}/claim").status_code == 200
    page = browser("fin_edu")
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == "fin_edu"))
    admin = browser("admin")
    admin.get("/admin/users")
    assert admin.post(f"/admin/users/{uid}/deactivate").status_code == 303
    with app.app_context():
        assert db.session.get(HumanTask, task_id).assignee_id is None
    assert page.client.get("/inbox").status_code == 302  # the open browser session ended
    assert fin.get("/api/v1/me").status_code == 401  # and the token
    assert not logs_in(app, "fin_edu", "demo")
    assert audits(app, "user_deactivate")[-1] == {"username": "fin_edu", "released_tasks": 1}
    html = admin.get("/admin/users").get_data(as_text=True)
    assert 'data-user="fin_edu" data-active="no"' in html
    with app.app_context():
        admin_id = db.session.scalar(select(User.id).where(User.username == "admin"))
    assert admin.post(f"/admin/users/{admin_id}/deactivate").status_code == 303  # refused, said on the page
    with app.app_context():
        assert db.session.get(User, admin_id).active


def test_bulk_import_is_all_or_nothing(app, browser, login_as):
    admin = browser("admin")
    header = ["用户名", "姓名", "机构编码", "角色", "归口领域", "初始密码"]
    good = [header, ["school2", "县第一中学 黄丽", "jyj_yz", "实施单位", "", ""],
            ["fin_health", "卫健股 马超", "czj_kjw", "finance_section", "卫生健康、教育", "Sicher-Pass-7"]]

    def upload(content: bytes, name: str = "users.xlsx"):
        admin.get("/admin/users")
        return admin.post("/admin/users/import", {"file": (io.BytesIO(content), name)},
                          content_type="multipart/form-data")

    before = user_count(app)
    bad = [header, good[1], ["school2", "重复", "jyj_yz", "unit_staff", "", ""],
           ["water1", "已存在", "slj_gcz", "unit_staff", "", ""], ["x3", "未知角色", "czj", "boss", "", ""],
           ["x4", "未知机构", "nowhere", "admin", "", ""], ["x5", "未知领域", "czj", "finance_section", "航天", ""]]
    resp = upload(xlsx(bad))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "导入未执行：5 行有错误" in html
    errors = re.findall(r'<li class="import-error">([^<]+)</li>', html)
    assert [e.split("：")[0] for e in errors] == ["第 3 行", "第 4 行", "第 5 行", "第 6 行", "第 7 行"]
    assert "boss" in errors[2] and "nowhere" in errors[3] and "航天" in errors[4] and "已存在" in errors[0]
    for hostile, name in ((b"not a spreadsheet", "users.xlsx"), (xlsx([["名字"], ["a"]]), "users.xlsx"),
                          (xlsx([header]), "users.xlsx"), (b"", "users.xlsx")):
        assert upload(hostile, name).status_code == 422
    assert upload(b"PK" + b"\0" * (3 * 1024 * 1024)).status_code == 413  # past the request limit
    assert user_count(app) == before and not audits(app, "user_import")

    resp = upload(xlsx(good))
    assert resp.status_code == 201
    shown = dict(ONE_TIME.findall(resp.get_data(as_text=True)))
    assert list(shown) == ["school2"] and logs_in(app, "school2", shown["school2"])
    assert logs_in(app, "fin_health", "Sicher-Pass-7")
    assert audits(app, "user_import") == [{"usernames": ["school2", "fin_health"]}]
    assert sorted(login_as("fin_health", "Sicher-Pass-7").get("/api/v1/me").get_json()["sectors"]) == ["卫生健康", "教育"]


def test_user_api_for_outside_tools(app, login_as):
    admin = login_as("admin")
    resp = admin.post("/api/v1/admin/users", json={"username": "expert3", "display_name": "评价专家 冯雪",
                                                   "organisation": "dsf", "roles": ["评价专家"]})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["roles"] == ["expert"] and body["one_time_password"] and body["active"] is True
    uid = body["id"]
    for hostile in ({"display_name": "x", "organisation": "dsf", "roles": "expert", "username": "e4"},
                    {"display_name": "x" * 101, "organisation": "dsf", "roles": ["expert"], "username": "e4"},
                    {"display_name": "x", "organisation": "dsf", "roles": ["expert"], "username": "expert3"},
                    {"display_name": "x", "organisation": "dsf", "roles": ["root"], "username": "e4"}):
        resp = admin.post("/api/v1/admin/users", json=hostile)
        assert resp.status_code == 422 and resp.get_json()["fields"], hostile
    resp = admin.post(f"/api/v1/admin/users/{uid}", json={"display_name": "评价专家 冯雪", "organisation": "dsf",
                                                          "roles": ["expert", "performance_office"]})
    assert resp.status_code == 200 and resp.get_json()["roles"] == ["expert", "performance_office"]
    fresh = admin.post(f"/api/v1/admin/users/{uid}/password").get_json()["one_time_password"]
    assert login_as("expert3", fresh).get("/api/v1/me").status_code == 200
    assert admin.post(f"/api/v1/admin/users/{uid}/deactivate").get_json() == {"released_tasks": 0}
    assert admin.post(f"/api/v1/admin/users/{uid}/deactivate").status_code == 422
    assert admin.post(f"/api/v1/admin/users/{uid}/reactivate").get_json()["active"] is True
    assert admin.post("/api/v1/admin/users/999999/deactivate").status_code == 404
    listed = {u["username"]: u for u in admin.get("/api/v1/admin/users").get_json()["items"]}
    assert listed["expert3"]["active"] and listed["fin_edu"]["sectors"] == ["教育", "文化", "科技"]


def test_organisations_created_and_edited_within_the_tree(app, browser):
    from server.models import Organisation

    admin = browser("admin")
    admin.get("/admin/organisations")
    resp = admin.post("/admin/organisations", {"code": "jyj_xx2", "name": "县第二小学", "kind": "unit", "parent": "jyj"})
    assert resp.status_code == 303
    html = admin.get("/admin/organisations").get_data(as_text=True)
    assert re.search(r'data-org="jyj_xx2" data-depth="1">.*?县第二小学.*?<td>实施单位</td>\s*<td>教育</td>', html, re.S)
    assert audits(app, "org_create")[-1] == {"code": "jyj_xx2", "name": "县第二小学", "kind": "unit",
                                              "parent": "jyj", "sector": "教育"}  # the department's sector
    with app.app_context():
        ids = dict(db.session.execute(select(Organisation.code, Organisation.id)).tuples().all())
    for form, field in (({"code": "jyj_xx2", "name": "重复", "kind": "unit", "parent": "jyj"}, "code"),
                        ({"code": "Bad Code", "name": "x", "kind": "unit", "parent": "jyj"}, "code"),
                        ({"code": "x_unit", "name": "x", "kind": "unit", "parent": "czj"}, "parent"),
                        ({"code": "x_unit", "name": "x", "kind": "unit", "parent": "nowhere"}, "parent"),
                        ({"code": "x_dept", "name": "x", "kind": "department"}, "sector"),
                        ({"code": "x_dept", "name": "x", "kind": "department", "sector": "航天"}, "sector"),
                        ({"code": "x_dept", "name": "x", "kind": "kingdom"}, "kind")):
        resp = admin.post("/admin/organisations", form)
        assert resp.status_code == 422 and f'id="error-{field}"' in resp.get_data(as_text=True), form
    cycle = admin.post(f"/admin/organisations/{ids['jyj']}", {"name": "县教育局", "kind": "department",
                                                             "parent": "jyj_yz", "sector": "教育"})
    assert cycle.status_code == 422 and "不能是本机构或其下级" in cycle.get_data(as_text=True)
    resp = admin.post(f"/admin/organisations/{ids['jyj_xx2']}", {"name": "县第二实验小学", "kind": "unit",
                                                                "parent": "jyj", "sector": "教育"})
    assert resp.status_code == 303
    assert audits(app, "org_update")[-1]["after"]["name"] == "县第二实验小学"
    assert len(audits(app, "org_create")) == 1


def test_a_name_that_looks_like_a_formula_is_exported_as_text(browser):
    admin = browser("admin")
    admin.get("/admin/users")
    name = '=HYPERLINK("http://evil.example","点此")'
    resp = admin.post("/admin/users", {"username": "formula", "display_name": name, "organisation": "dsf",
                                       "roles": ["expert"], "password": "Sicher-Pass-7"})
    assert resp.status_code == 303
    sheet = openpyxl.load_workbook(io.BytesIO(admin.client.get("/admin/users?format=xlsx").data)).active
    cell = next(row[1] for row in sheet.iter_rows() if row[0].value == "formula")
    assert (cell.value, cell.data_type) == (name, "s")
