"""The indicator library (issue 16.4): the office keeps 共性 and 个性 indicators; a unit's goal table offers
them on the indicator name (its sector's and the common ones); the quality check warns when a value lies outside
the library's typical range; every list exports to Excel."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from server.db import db
from server.models import AuditEvent, Indicator
from tests.api.helpers import complete, deploy_folder
from tests.flows_ex_ante.conftest import KEY as EX_ANTE
from tests.flows_ex_ante.conftest import Users
from tests.flows_goal_review.conftest import REVIEW, ROOT, goal_table, in_library, start_goals, task_of
from tests.web.test_task_page import field_html

NEW = {"sector": "教育", "level1": "产出", "level2": "数量", "name": "新建塑胶跑道长度", "operator": "≥",
       "unit": "米", "typical_min": "200", "typical_max": "400", "note": "按设计图纸"}


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Indicator.id)))


def test_the_office_adds_an_indicator_everyone_reads_and_exports_it(app, browser):
    office = browser("perf")
    assert office.get("/indicators/new").status_code == 200
    resp = office.post("/indicators/new", NEW)
    assert resp.status_code == 303
    listing = office.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已将“新建塑胶跑道长度”加入指标库" in listing and "200–400" in listing

    school = browser("school1")
    page = school.get("/indicators?q=跑道").get_data(as_text=True)
    assert "新建塑胶跑道长度" in page and "个性 · 教育" in page
    assert 'href="/indicators/new"' not in page and "/active" not in page  # read-only for a unit
    assert "共 1 项指标" in page

    book = load_workbook(io.BytesIO(school.client.get("/indicators?sector=教育&format=xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:5] == ("类别", "领域", "一级指标", "二级指标", "三级指标")
    assert ("个性", "教育", "产出", "数量", "新建塑胶跑道长度", "≥", "米", 200, 400, "按设计图纸", "在用") in rows
    assert all(r[1] == "教育" for r in rows[1:]) and len(rows) > 2

    # Retired, not deleted: gone from the list and the goal tables' suggestions, back with 含已停用.
    with app.app_context():
        new_id = db.session.scalar(select(Indicator.id).where(Indicator.name == "新建塑胶跑道长度"))
    office.get("/indicators")
    assert office.post(f"/indicators/{new_id}/active", {"active": "0"}).status_code == 303
    assert f'id="indicator-{new_id}"' not in office.get("/indicators").get_data(as_text=True)
    assert f'id="indicator-{new_id}"' in office.get("/indicators?inactive=1").get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("indicator_%"))
                                     .order_by(AuditEvent.id)).all()
    assert actions == ["indicator_save", "indicator_deactivate"]


@pytest.mark.parametrize("change, field, message", [
    ({"name": "受益人数", "sector": "", "level2": "社会效益", "level1": "效益"}, "name", "已有同名指标"),
    ({"level1": "满意度", "level2": "数量"}, "level2", "服务对象满意度"),
    ({"typical_min": "500", "typical_max": "100"}, "typical_max", "上限不能小于下限"),
    ({"typical_min": "一百"}, "typical_min", "请填写数字"),
    ({"typical_max": "1e400"}, "typical_max", "数值超出范围"),
    ({"sector": "火星"}, "sector", "未知的领域"),
    ({"unit": ""}, "unit", "须填写计量单位"),
    ({"operator": "≈"}, "operator", "请选择计算符号"),
    ({"name": "x" * 101}, "name", "不超过 100 个字"),
    ({"operator": "定性", "unit": "", "typical_min": "1"}, "typical_min", "定性指标没有数值范围"),
])
def test_a_refused_indicator_says_which_field_and_saves_nothing(app, browser, change, field, message):
    office = browser("perf")
    before = count(app)
    office.get("/indicators/new")
    resp = office.post("/indicators/new", {**NEW, **change})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and f'id="{field}-error"' in page and message in page
    assert count(app) == before


def test_only_the_office_changes_the_library_and_forms_need_csrf(app, browser):
    school = browser("school1")
    assert school.get("/indicators/new").status_code == 403
    assert school.post("/indicators/new", NEW).status_code == 403
    assert school.post("/indicators/1/active", {"active": "0"}).status_code == 403
    assert browser(None).get("/indicators").status_code == 302  # log in first
    office = browser("perf")
    assert office.post("/indicators/new", NEW, csrf=False).status_code == 400
    assert office.get("/indicators/999999/edit").status_code == 404
    hostile = {**NEW, "name": "<script>alert(1)</script>", "note": "<img src=x onerror=alert(1)>"}
    assert office.post("/indicators/new", hostile).status_code == 303
    page = office.get("/indicators?sector=教育").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert count(app) > 0


@pytest.fixture
def users(login_as) -> Users:
    return Users(login_as)


def test_the_goal_table_offers_the_library_and_warns_outside_its_range(app, browser, users):
    for key in (EX_ANTE, REVIEW):
        assert deploy_folder(users["admin"], key, ROOT / key).status_code == 201
    code = in_library(users)  # a 教育 project of school1
    inst = start_goals(users, code)
    school = users["school1"]
    fill = task_of(school, inst["id"], "Task_Fill")["id"]

    page_client = browser("school1")
    page_client.post(f"/tasks/{fill}/claim")
    page = page_client.get(f"/tasks/{fill}").get_data(as_text=True)
    assert 'list="suggest-indicators"' in field_html(page, "f-indicators-0-name")
    datalist = page.split('<datalist id="suggest-indicators">')[1].split("</datalist>")[0]
    assert 'value="学生及家长满意度"' in datalist and 'value="计划任务完成率"' in datalist  # 教育 + 共性
    assert 'value="受益群众满意度"' not in datalist and 'value="亩均建设成本"' not in datalist  # other sectors
    assert "常见 80–100%" in datalist

    table = goal_table()
    table["indicators"][-1].update(name="学生及家长满意度", value="60")
    table["annual_goal"] = table["annual_goal"].replace("不低于90%", "不低于60%")
    complete(school, fill, table)  # saved with the warning: the flow hands the table back to the unit
    again = task_of(school, inst["id"], "Task_Fill")["id"]
    page = page_client.get(f"/tasks/{again}").get_data(as_text=True)
    row = field_html(page, f"f-indicators-{len(table['indicators']) - 1}-value")
    assert "超出指标库的常见范围（80–100%）" in row
