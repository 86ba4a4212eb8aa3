"""审计日志 /admin/audit: the administrator reads every recorded action by person, action, instance and date, in
Chinese, newest first, and exports the same list; every action the code records has a name there."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.db import db
from server.models import User
from server.services.audit_log import ACTIONS

SERVER = Path(__file__).resolve().parents[2] / "server"


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def rows(page: str) -> list[str]:
    body = page.split('id="audit-table"')[1].split("</tbody>")[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in body.split("<tr id=")[1:]]


def test_the_administrator_reads_filters_and_exports_what_happened(app, browser, clock):
    admin = browser("admin")
    admin.get("/admin/users")
    assert admin.post(f"/admin/users/{user_id(app, 'water1')}/deactivate", {}).status_code in (302, 303)
    clock.advance(timedelta(days=2))
    school = browser("school1")
    school.get("/account/password")
    school.post("/account/password", {"current": "demo", "new": "Quan-2026-new", "repeat": "Quan-2026-new"})

    page = admin.get("/admin/audit").get_data(as_text=True)
    listed = rows(page)
    assert "修改本人密码" in listed[0] and "school1" in listed[0]  # newest first
    assert any("停用用户" in r and "admin" in r for r in listed)
    table = page.split('id="audit-table"')[1]
    assert "user_deactivate" not in table and "password_change" not in table  # actions in words

    only = rows(admin.get("/admin/audit?action=user_deactivate").get_data(as_text=True))
    assert len(only) == 1 and "停用用户" in only[0] and "用户名：water1" in only[0] and "放回待认领的任务数：0" in only[0]
    mine = rows(admin.get("/admin/audit?person=school1").get_data(as_text=True))
    assert mine and all("school1" in r for r in mine)
    today = (clock.now() + timedelta(hours=8)).date()
    recent = rows(admin.get(f"/admin/audit?from={today.isoformat()}").get_data(as_text=True))
    assert any("修改本人密码" in r for r in recent) and not any("停用用户" in r for r in recent)

    book = load_workbook(io.BytesIO(admin.client.get("/admin/audit?action=user_deactivate&format=xlsx").data))
    sheet = list(book.active.iter_rows(values_only=True))
    assert sheet[0][:4] == ("时间", "操作人", "用户名", "操作")
    assert len(sheet) == 2 and sheet[1][3] == "停用用户" and sheet[1][2] == "admin"


@pytest.mark.parametrize("query, field", [
    ("action=drop_table", "action"), ("instance=-1", "instance"), ("instance=1e9", "instance"),
    ("from=2026-13-01", "from"), ("from=2026-05-02&to=2026-05-01", "to"), ("page=0", "page"),
    ("page=99999999999", "page"), ("person=" + "x" * 101, "person"),
])
def test_a_refused_filter_is_named_and_the_list_still_shows(app, browser, query, field):
    page = browser("admin").get(f"/admin/audit?{query}")
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert 'id="filter-errors"' in text and "以下筛选条件有误" in text
    assert browser("admin").client.get(f"/admin/audit?{query}&format=xlsx").status_code == 422


def test_every_action_the_code_records_has_a_name_in_the_log():
    recorded = set()
    for path in SERVER.rglob("*.py"):
        recorded |= set(re.findall(r'audit\.(?:record|append)\(\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert recorded and recorded - set(ACTIONS) == set()
