"""Goals before the library (issue 16.2; seeds 000, 001, 004): the application carries a draft goal table, checked
like the goal table and shown to the unit before it submits; the reviewers score 绩效目标合理性 against it; the
admitted project's goal review starts from it; and a project without approved goals gets no budget line
(未设置绩效目标，一律不得安排资金, 001)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tests.api.helpers import complete, deploy_folder, start
from tests.flows_budget.conftest import CONFIRM, SECTION, arrangement, codes
from tests.flows_ex_ante.conftest import (
    KEY,
    OFFICE_SCORES,
    SELF_SCORES,
    application,
    do,
    draft_goals,
    only,
    open_task,
    project_of,
)
from tests.flows_goal_review.conftest import ROOT, refused_start, task_data, versions
from tests.flows_goal_review.conftest import do as goal_do
from tests.web.conftest import Browser

VAGUE = {"long_term_goal": "做好教学楼维修。", "annual_goal": "按计划完成",
         "indicators": [{"level1": "产出", "level2": "数量", "name": "维修教学楼", "operator": "定性", "value": "完成维修",
                         "unit": "", "basis": "计划标准", "weight": 100}]}


def page(app, who: str, task_id: int) -> str:
    b = Browser(app.test_client())
    assert b.login(who).status_code == 302
    resp = b.get(f"/tasks/{task_id}")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_draft_goals_are_checked_scored_carried_into_goal_review_and_gate_the_budget(app, users):
    for key in (KEY, "goal_review", "budget_arrangement", "monitoring"):
        assert deploy_folder(users["admin"], key, ROOT / key).status_code == 201
    unit = users["school1"]

    # Vague draft goals: the flow hands the application back with the warnings next to the fields.
    inst = start(unit, KEY)
    complete(unit, only(inst["open_tasks"], "Task_Apply")["id"], application(**VAGUE))
    back = open_task(unit, "Task_Apply")
    warned = {w["field"] for w in unit.get(f"/api/v1/tasks/{back['id']}").get_json()["data"]["quality_warnings"]}
    assert {"annual_goal", "indicators"} <= warned
    html = page(app, "school1", back["id"])
    assert "年度目标表述空泛（“按计划完成”）" in html and "缺少服务对象满意度指标" in html

    # The unit rewrites its goals; the assessment starts.
    complete(unit, back["id"], application())
    do(unit, "Task_SelfAssess", SELF_SCORES)
    dept = open_task(users["edu_head"], "Task_DeptReview")
    assert "受益师生人数" in page(app, "edu_head", dept["id"]).split('data-block="draft-goals"')[1]
    do(users["edu_head"], "Task_DeptReview", {"dept_decision": "pass", "dept_opinion": "同意报送"})

    # The office scores 绩效目标合理性 with the draft goals in front of it (main column, with every column).
    office = open_task(users["perf"], "Task_OfficeAssess")
    html = page(app, "perf", office["id"])
    block = html[html.index('data-block="draft-goals"'):]
    assert "under-review" in html[html.rindex("<section", 0, html.index('data-block="draft-goals"')):][:80]
    assert "受益师生人数" in block and "3200" in block and "质量检查：未发现问题" in block
    assert "“绩效目标合理性”按以下目标评分" in block and "按本页“绩效目标（申报草案）”评分" in html
    do(users["perf"], "Task_OfficeAssess", {**OFFICE_SCORES, "conclusion": "support", "office_opinion": "予以支持"})

    # The A4 申报书 and the project page carry the draft goals.
    pid = project_of(app, inst["id"]).id
    b = Browser(app.test_client())
    b.login("school1")
    sheet = b.get(f"/projects/{pid}/print/application").get_data(as_text=True)
    assert "六、绩效目标（草案）" in sheet and "受益师生人数" in sheet.split("六、绩效目标（草案）")[1]
    assert "受益师生人数" in b.get(f"/projects/{pid}").get_data(as_text=True).split("绩效目标（申报草案）")[1]

    # In the library: the draft is goal version 1, and goal review opens on it for the unit to confirm.
    code = project_of(app, inst["id"]).code
    [v1] = versions(app, code)
    assert (v1.version, v1.status.value, v1.annual_goal) == (1, "draft", draft_goals()["annual_goal"])
    assert [r.name for r in v1.indicators] == [r["name"] for r in draft_goals()["indicators"]]
    review = start(unit, "goal_review", {"project_code": code})
    filled = task_data(unit, review["id"], "Task_Fill")
    assert filled["annual_goal"] == draft_goals()["annual_goal"]
    assert [(r["name"], r["value"]) for r in filled["indicators"]] == [
        (r["name"], r["value"]) for r in draft_goals()["indicators"]]

    # Goals drafted but not approved: next year's arrangement gives the project nothing, and says why.
    arranged = start(users["perf"], "budget_arrangement", {"fiscal_year": 2027, "sector": "教育"})["id"]
    line = arrangement(users["fin_edu"])[code]
    assert (line["base"], line["amount"], codes(line)) == ("800000.00", "0.00", ["no_goals"])
    assert line["reasons"][0]["text"] == "绩效目标尚未批复：未设置绩效目标，一律不得安排资金（001）"

    # Nor can monitoring (where a budget is changed during the year) start on it.
    assert "绩效目标尚未批复，不能开展运行监控" in refused_start(users, {"project_code": code}, key="monitoring")

    # The unit confirms its draft, the goals are approved (优); the office's redraft now arranges the money.
    goal_do(unit, review["id"], "Task_Fill", {**filled, "contact": "刘洋 0000-1234567"})
    goal_do(users["edu_head"], review["id"], "Task_DeptReview", {"dept_decision": "pass", "dept_opinion": "同意"})
    goal_do(users["fin_edu"], review["id"], "Task_FinanceReview", {"grade": "优", "finance_opinion": "目标明确"})
    goal_do(users["fin_edu"], arranged, SECTION, {"section_opinion": "已核对"})
    goal_do(users["perf"], arranged, CONFIRM, {"office_decision": "send_back", "office_opinion": "目标已批复，重新测算"})
    line = arrangement(users["fin_edu"])[code]
    assert (line["amount"], codes(line)) == ("800000.00", [])


def test_the_draft_goals_refuse_hostile_input_field_by_field(app, users):
    assert deploy_folder(users["admin"], KEY, ROOT / KEY).status_code == 201
    unit = users["school1"]
    task = only(start(unit, KEY)["open_tasks"], "Task_Apply")["id"]

    def refused(data: dict) -> dict[str, str]:
        body = complete(unit, task, data, expect=422)
        return body["fields"]

    bare = application()
    for key in ("long_term_goal", "annual_goal", "indicators"):
        del bare[key]
    fields = refused(bare)
    assert {k: fields[k] for k in ("long_term_goal", "annual_goal", "indicators")} == dict.fromkeys(
        ("long_term_goal", "annual_goal", "indicators"), "此项为必填项")

    row = draft_goals()["indicators"][0]
    many = [dict(copy.deepcopy(row), weight=1) for _ in range(61)]
    assert "indicators" in refused(application(indicators=many))

    huge = "很" * 200_000
    fields = refused(application(annual_goal=huge, long_term_goal=huge))
    assert set(fields) >= {"annual_goal", "long_term_goal"}

    bad_rows = copy.deepcopy(draft_goals()["indicators"])
    bad_rows[0].update(unit="", weight=99)
    bad_rows[1].update(level2="经济效益", name="x" * 101)
    fields = refused(application(indicators=bad_rows))
    assert {"indicators.0.unit", "indicators.1.level2", "indicators.1.name"} <= set(fields)

    # Nothing was registered while the form refused.
    with app.app_context():
        from server.db import db
        from server.models import Project

        assert db.session.query(Project).count() == 0


def test_the_application_asks_for_goals_in_the_goal_tables_own_fields():
    """One definition of a goal table: the 申报书's draft is the goal table's fields, rules included, so what
    the unit drafts is what goal review takes over (forms are deployed self-contained, hence the copy)."""
    forms = Path(__file__).resolve().parents[2] / "forms"
    apply_form = json.loads((forms / "ex_ante" / "apply.json").read_text(encoding="utf-8"))
    goal_form = json.loads((forms / "goal_review" / "goal_table.json").read_text(encoding="utf-8"))
    for key in ("long_term_goal", "annual_goal", "indicators", "confirm_warnings"):
        assert apply_form["properties"][key] == goal_form["properties"][key], key
    assert {"long_term_goal", "annual_goal", "indicators"} <= set(apply_form["required"])
    assert goal_form["x-rules"][0] in apply_form["x-rules"]  # weights sum to 100
