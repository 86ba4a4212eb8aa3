"""部门整体绩效 refuses bad input field by field (422, nothing written, the flow stays where it was) and keeps
one department's work away from another department and from units; the department starts its goals from its
page."""

from __future__ import annotations

from sqlalchemy import select

from server.db import db
from server.flows.dept_performance.models import DeptGoal, DeptGoalStatus
from server.models import Organisation
from tests.api.helpers import complete, start
from tests.flows_dept.conftest import KEY, dept_goals
from tests.flows_goal_review.conftest import do, steps, task_of
from tests.web.conftest import Browser


def refused(user, task_id: int, data: dict) -> dict[str, str]:
    body = complete(user, task_id, data, expect=422)
    assert body["fields"], body
    return body["fields"]


def test_forms_refuse_field_by_field_and_other_departments_cannot_reach(app, users, flow):
    edu, water = users["edu_head"], users["water_head"]
    resp = edu.post("/api/v1/process-instances", json={"process_key": KEY, "data": {"fiscal_year": "明年"}})
    assert resp.status_code == 422 and "预算年度" in resp.get_json()["message"]
    resp = users["school1"].post("/api/v1/process-instances", json={"process_key": KEY, "data": {"fiscal_year": 2026}})
    assert resp.status_code == 403  # a unit does not set its department's goals
    iid = start(edu, KEY, {"fiscal_year": 2026})["id"]
    again = edu.post("/api/v1/process-instances", json={"process_key": KEY, "data": {"fiscal_year": 2026}})
    assert again.status_code == 422 and "正在编审" in again.get_json()["message"]

    fill = task_of(edu, iid, "Task_Fill")["id"]
    rows = dept_goals()["indicators"]
    rows[0]["weight"] = 25
    assert refused(edu, fill, dept_goals(indicators=rows)) == {"indicators": "各指标权重之和应为 100（当前为 95）"}
    rows = dept_goals()["indicators"]
    rows[1].update(level2="经济效益", unit="")
    fields = refused(edu, fill, dept_goals(functions="", indicators=rows))
    assert set(fields) == {"functions", "indicators.1.level2", "indicators.1.unit"}, fields
    # 县水利局's reviewer neither sees nor fills 县教育局's table
    assert water.post(f"/api/v1/tasks/{fill}/complete", json={"data": dept_goals()}).status_code in (403, 404)
    assert water.get(f"/api/v1/process-instances/{iid}").status_code in (403, 404)
    with app.app_context():
        goal = db.session.scalar(select(DeptGoal).where(DeptGoal.instance_id == iid))
        assert goal.status == DeptGoalStatus.DRAFT and goal.indicators == []  # nothing half-saved

    do(edu, iid, "Task_Fill", dept_goals())
    review = task_of(users["fin_edu"], iid, "Task_Review")["id"]
    assert set(refused(users["fin_edu"], review, {"goal_grade": "甲", "review_opinion": ""})) == {
        "goal_grade", "review_opinion"}
    assert users["fin_agri"].post(f"/api/v1/tasks/{review}/complete",
                                  json={"data": {"goal_grade": "优", "review_opinion": "同意"}}).status_code in (403, 404)
    assert steps(users["fin_edu"], iid) == ["Task_Review"]


def test_the_department_starts_its_goals_from_its_page(app, users, flow):
    with app.app_context():
        edu = db.session.scalar(select(Organisation).where(Organisation.name == "县教育局")).id
    me = Browser(app.test_client())
    me.login("edu_head")
    assert "编制部门整体绩效目标" in me.get(f"/departments/{edu}").get_data(as_text=True)
    bad = me.post(f"/departments/{edu}/goals", {"fiscal_year": "明年"})
    assert bad.status_code == 422 and "应为 2000–2100 之间的四位年份" in bad.get_data(as_text=True)
    assert me.post(f"/departments/{edu}/goals", {"fiscal_year": "2026"}, csrf=False).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(DeptGoal.id)) is None  # nothing started
    done = me.post(f"/departments/{edu}/goals", {"fiscal_year": "2026"}, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "已开始编制 2026 年度部门整体绩效目标" in html and "填报部门整体绩效目标" in html and "部门编制中" in html
    again = me.post(f"/departments/{edu}/goals", {"fiscal_year": "2026"})
    assert again.status_code == 422 and "已编制或正在编审" in again.get_data(as_text=True)
    for who in ("fin_edu", "water_head"):  # the finance section reads the page but does not set the goals
        other = Browser(app.test_client())
        other.login(who)
        other.get("/inbox")  # the signed-in session's form token
        assert other.post(f"/departments/{edu}/goals", {"fiscal_year": "2027"}).status_code == 403, who
