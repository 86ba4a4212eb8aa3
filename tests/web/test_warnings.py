"""预警看板 /warnings on the demo county's year (SQLite and PostgreSQL): each finance section sees the yellow
and red reports of its sectors (the office: all; others 403), newest month first and red before yellow, with
cause, measures and the decision (open task link, or the decision taken); filters, hostile query strings,
.xlsx; a decision taken through the task moves the row to decided."""

from __future__ import annotations

import io
import re

import openpyxl
from sqlalchemy import func, select

from server.db import db
from server.flows.monitoring.models import MonitoringReport
from server.models import HumanTask, TaskStatus
from tests.api.helpers import complete
from tests.web import demo_year_db

year_db, year_url, app = demo_year_db.year_db, demo_year_db.year_url, demo_year_db.app  # on the demo year

ROW_RE = re.compile(r'<tr data-report="(\d+)" data-colour="(\w+)" data-state="(\w+)">\s*'
                    r'<td data-label="报告期"[^>]*>(\d+)年(\d+)月</td>.*?<div class="muted code">([^<·]+) · (\S+?)</div>',
                    re.S)


def board(html: str) -> list[dict]:
    return [{"id": int(i), "colour": c, "state": s, "period": (int(y), int(m)), "unit": u.strip(), "sector": sec}
            for i, c, s, y, m, u, sec in ROW_RE.findall(html)]


def warnings_in(app, sectors: set[str] | None = None) -> int:
    from server.models import Project

    with app.app_context():
        query = select(func.count()).select_from(MonitoringReport).join(Project) \
            .where(MonitoringReport.colour.in_(("yellow", "red")))
        if sectors:
            query = query.where(Project.sector.in_(sectors))
        return db.session.scalar(query)


def test_each_finance_section_sees_its_sectors_newest_and_worst_first(app, browser):
    edu = browser("fin_edu").get("/warnings").get_data(as_text=True)
    rows = board(edu)
    assert len(rows) == warnings_in(app, {"教育", "科技", "文化"}) > 0
    assert {r["sector"] for r in rows} == {"教育"}
    keys = [(r["period"], r["colour"] == "red") for r in rows]
    assert keys == sorted(keys, reverse=True)  # newest month first, red before yellow within it
    assert f"共 {len(rows)} 条预警" in edu
    assert "偏离原因" in edu and "设备政府采购流标一次，重新招标" in edu  # the unit's cause, measures too
    assert "5月底前完成采购合同签订" in edu
    agri = board(browser("fin_agri").get("/warnings").get_data(as_text=True))
    assert {r["sector"] for r in agri} == {"水利"} and len(agri) == warnings_in(app, {"水利", "农业"})
    office = browser("perf").get("/warnings").get_data(as_text=True)
    assert f"共 {warnings_in(app)} 条预警" in office
    assert 'href="/warnings" aria-current="page">预警看板</a>' in office  # in the navigation
    for user in ("school1", "expert1", "water_head", "water1"):
        reader = browser(user)
        assert reader.get("/warnings").status_code == 403, user
        assert reader.client.get("/warnings?format=xlsx").status_code == 403, user
        assert "预警看板" not in reader.get("/inbox").get_data(as_text=True), user


def test_decision_states_and_the_open_task_one_click_away(app, browser, login_as):
    reader = browser("fin_agri")
    html = reader.get("/warnings").get_data(as_text=True)
    with app.app_context():
        task = db.session.scalars(select(HumanTask).where(HumanTask.task_name == "Task_Decide",
                                                          HumanTask.status == TaskStatus.OPEN,
                                                          HumanTask.sector == "水利")).one()
    row = re.search(r'<tr data-report="\d+" data-colour="\w+" data-state="open">.*?</tr>', html, re.S).group(0)
    assert f'href="/tasks/{task.id}">去决定</a>' in row and "县水库管理所" in row
    assert reader.get(f"/tasks/{task.id}").status_code == 200
    decided = [r for r in board(html) if r["state"] == "decided"]
    assert decided and "暂缓拨付" in html and "调整预算" in html

    complete(login_as("fin_agri"), task.id, {"decision": "accept", "finance_opinion": "原因属实，请按措施推进。"})
    after = reader.get("/warnings").get_data(as_text=True)
    assert not re.search(r'data-state="open"', after)
    row = re.search(r'<tr data-report="\d+"[^>]*>(?:(?!</tr>).)*?原因属实，请按措施推进。.*?</tr>', after, re.S)
    assert row and "认可原因和措施" in row.group(0) and 'data-state="decided"' in row.group(0)


def test_filters(app, browser):
    reader = browser("perf")
    red = board(reader.get("/warnings?colour=red").get_data(as_text=True))
    assert red and {r["colour"] for r in red} == {"red"}
    october = board(reader.get("/warnings?month=2026-10").get_data(as_text=True))
    assert october and {r["period"] for r in october} == {(2026, 10)}
    water = board(reader.get("/warnings?sector=水利&colour=yellow").get_data(as_text=True))
    assert water and {(r["sector"], r["colour"]) for r in water} == {("水利", "yellow")}
    page = reader.get("/warnings").get_data(as_text=True)
    org = re.search(r'<option value="(\d+)">县水库管理所</option>', page).group(1)
    units = board(reader.get(f"/warnings?organisation={org}").get_data(as_text=True))
    assert units and {r["unit"] for r in units} == {"县水库管理所"}
    first = board(reader.get("/warnings").get_data(as_text=True))
    second = board(reader.get("/warnings?page=2").get_data(as_text=True))
    assert len(first) == 20 and second and not {r["id"] for r in first} & {r["id"] for r in second}


def test_hostile_filters_are_named_above_the_board(browser):
    reader = browser("fin_edu")
    for query, field, message in [("month=2026-13", "报告期", "月份应写作"), ("month=26-1", "报告期", "月份应写作"),
                                  ("colour=green", "预警颜色", "不是可选的值"), ("page=-1", "页码", "页码应为"),
                                  ("organisation=9" * 40, "单位", "参数无效"), ("page=1e99", "页码", "页码应为")]:
        resp = reader.get(f"/warnings?{query}")
        assert resp.status_code == 422, query
        errors = re.search(r'id="filter-errors">(.*?)</div>', resp.get_data(as_text=True), re.S).group(1)
        assert f"{field}：" in errors and message in errors, query
        assert reader.client.get(f"/warnings?{query}&format=xlsx").status_code == 422
    assert reader.get("/warnings?sector=%00").status_code == 400
    assert not board(reader.get("/warnings?sector=水利").get_data(as_text=True))  # another section's sector: none


def test_xlsx_export_holds_the_filtered_board(app, browser):
    reader = browser("fin_edu")
    resp = reader.client.get("/warnings?format=xlsx&colour=red")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    table = list(openpyxl.load_workbook(io.BytesIO(resp.get_data())).active.iter_rows(values_only=True))
    header, body = table[0], table[1:]
    assert header[:2] == ("报告期", "预警") and "偏离原因" in header and "财政决定" in header
    shown = board(reader.get("/warnings?colour=red").get_data(as_text=True))
    assert len(body) == len(shown) and {r[1] for r in body} == {"红"}
    assert [r[0] for r in body] == [f"{r['period'][0]}-{r['period'][1]:02d}" for r in shown]
    decisions = {r[header.index("财政决定")] for r in body}
    assert "待单位说明原因" in decisions and "暂缓拨付" in decisions
