"""部门评价 (issue 16.3, seed 001) walked as the county does it: 县教育局 picks one of 县第一中学's 2026 projects on
its 部门评价 page; after the school's self-evaluation is graded the project goes to 县教育局, which scores it; the
office sees both results and accepts, so the department's grade (not the self grade) is the result and the
result application uses it. The project left out goes straight to the office as before. The rule table decides
(an amount row brings an unselected project in), and every new input refuses what it should."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from server.db import db
from server.flows.evaluation.models import DeptEvaluationSelection
from server.models import AuditEvent, Project
from tests.api.helpers import complete, start, tasks
from tests.flows_evaluation.conftest import (
    FULL,
    KEY,
    NOTICE,
    REVIEW,
    SELF,
    adjustments,
    county,
    evaluation,
    self_form,
    wake_at,
)
from tests.flows_goal_review.conftest import deploy_variant, do, project, steps, task_data, task_of
from tests.flows_monitoring.conftest import approved_project
from tests.web.conftest import Browser

DEPT = "Task_DeptEval"
SHEET = {"execution": 8, "output": 40, "benefit": 24, "satisfaction": 8, "findings": "满意度调查样本偏少",
         "opinion": "项目总体完成较好，建议完善满意度调查"}


def self_evaluate_at_94(users, iid: int) -> None:
    """Every indicator met (90 points) and 40% of the budget spent (4 points): 94, 优."""
    rows = self_form(users["school1"], iid, FULL, 100)
    do(users["school1"], iid, SELF, {"spent": 144000, "indicator_scores": rows, "explanation": "目标全部完成"})


def page(app, username: str) -> Browser:
    me = Browser(app.test_client())
    assert me.login(username).status_code == 302
    me.get("/inbox")  # the signed-in session's CSRF token
    return me


def test_department_evaluates_its_chosen_project_and_its_grade_is_the_result(app, users, flows, clock):
    a = approved_project(users)
    b = approved_project(users, project_name="县第一中学食堂改造")
    pa, pb = project(app, a).id, project(app, b).id
    wake_at(clock, app, county(2027, 2, 1, 9))

    edu = page(app, "edu_head")
    html = edu.get("/dept-evaluations?year=2026").get_data(as_text=True)
    assert a in html and b in html and "已选入 0 个项目" in html
    saved = edu.post("/dept-evaluations", {"year": "2026", "shown": [str(pa), str(pb)], "project_id": [str(pa)],
                                           f"reason_{pa}": "教学楼维修资金量大，列入部门评价"}, follow_redirects=True)
    assert "已保存 2026 年度部门评价选择（选入 1 个项目）" in saved.get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("dept_evaluation%"))).all()
        assert actions == ["dept_evaluation_select"]
    xlsx = edu.client.get("/dept-evaluations?year=2026&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"

    chosen = start(users["school1"], KEY, {"project_code": a})["id"]
    left_out = start(users["school1"], KEY, {"project_code": b})["id"]
    self_evaluate_at_94(users, chosen)
    self_evaluate_at_94(users, left_out)

    # The chosen project went to 县教育局 (not to the office, nor to 县水利局); the other straight to the office.
    assert steps(users["edu_head"], chosen) == [DEPT] and steps(users["perf"], chosen) == []
    assert steps(users["perf"], left_out) == [REVIEW] and steps(users["edu_head"], left_out) == []
    assert tasks(users["water_head"], "claimable") == []
    ev = evaluation(app, a)
    assert (ev.status, ev.dept_selected, ev.self_grade) == ("dept", True, "优")
    assert ev.dept_scope_basis.startswith("主管部门选入部门评价")
    assert (evaluation(app, b).dept_selected, evaluation(app, b).dept_scope_at is not None) == (False, True)

    # Read by the evaluation, the choice is locked: taking it back is refused and nothing changes.
    html = edu.get("/dept-evaluations?year=2026").get_data(as_text=True)
    assert "已锁定" in html
    refused = edu.post("/dept-evaluations", {"year": "2026", "shown": [str(pa)]})
    assert refused.status_code == 422 and "不能再更改" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(DeptEvaluationSelection.project_id)) == pa

    # The department's task page shows the self-evaluation above its score sheet.
    dept_task = task_of(users["edu_head"], chosen, DEPT)["id"]
    html = edu.get(f"/tasks/{dept_task}").get_data(as_text=True)
    assert "部门评价评分表" in html and "94 分" in html and "已选入部门评价，等待主管部门评分" in html
    # The department scores: 8 + 40 + 24 + 8 = 80 → 良 by evaluation_grade.
    do(users["edu_head"], chosen, DEPT, {"dept_review": SHEET})
    ev = evaluation(app, a)
    assert (ev.status, ev.dept_score, ev.dept_grade, ev.score, ev.grade) == ("reviewing", Decimal(80), "良",
                                                                             Decimal(80), "良")
    assert ev.dept_parts == {"execution": "8.00", "output": "40.00", "benefit": "24.00", "satisfaction": "8.00"}
    assert ev.dept_findings == "满意度调查样本偏少" and ev.dept_by_id is not None

    # The office's review shows the department's result next to the self-evaluation.
    perf = page(app, "perf")
    review = task_of(users["perf"], chosen, REVIEW)["id"]
    html = perf.get(f"/tasks/{review}").get_data(as_text=True)
    assert "部门评价得分" in html and "80 分" in html and "项目总体完成较好" in html and "94 分" in html
    do(users["perf"], chosen, REVIEW, {"review_decision": "accept", "review_opinion": "同意部门评价结果"})
    do(users["perf"], left_out, REVIEW, {"review_decision": "accept", "review_opinion": "同意"})
    assert task_data(users["perf"], chosen, NOTICE)["adjust_percent"] == 5  # 良, not the self grade's 优
    do(users["perf"], chosen, NOTICE, {"conclusion": "部门评价为良"})
    do(users["perf"], left_out, NOTICE, {"conclusion": "绩效优秀"})
    assert (evaluation(app, a).grade, evaluation(app, b).grade) == ("良", "优")
    assert adjustments(app, a) == [(2027, "increase", "5.00", "360000.00", "18000.00", "evaluation")]
    assert adjustments(app, b) == [(2027, "increase", "10.00", "360000.00", "36000.00", "evaluation")]

    # Where people read it: the project page, the office's list of every department's choices.
    assert "部门评价得分" in edu.get(f"/projects/{pa}").get_data(as_text=True)
    html = perf.get("/dept-evaluations?year=2026").get_data(as_text=True)
    assert "县教育局" in html and a in html and b not in html and "80 分" in html
    report = perf.get("/reports/annual/2027").get_data(as_text=True)
    assert "1</a>个部门开展部门评价，评价项目1个，评价资金36.00万元" in report
    assert 'href="/dept-evaluations?year=2026"' in report

    # Published with the evaluation once the year is released — never for a 保密项目.
    public = app.test_client()
    ev_id = evaluation(app, a).id
    assert public.get(f"/public/results/{ev_id}").status_code == 404  # not released yet
    assert perf.post("/publication/releases", {"year": "2026", "kind": "final_accounts",
                                               "action": "release"}).status_code == 303
    html = public.get(f"/public/results/{ev_id}").get_data(as_text=True)
    assert "部门评价" in html and "县教育局" in html and "项目总体完成较好" in html
    assert "部门评价" not in public.get(f"/public/results/{evaluation(app, b).id}").get_data(as_text=True)
    with app.app_context():
        db.session.get(Project, pa).confidential = True
        db.session.commit()
    assert public.get(f"/public/results/{ev_id}").status_code == 404


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a rule table's effect, not the database's: the walks run on both
def test_the_rule_table_decides_an_amount_row_brings_an_unselected_project_in(app, users, flows, clock):
    a = approved_project(users)
    wake_at(clock, app, county(2027, 2, 1, 9))
    deploy_variant(users, KEY, {"evaluation_dept_scope.dmn": [
        ('<inputEntry id="InputEntry_selected_selected"><text>True</text>',
         '<inputEntry id="InputEntry_selected_selected"><text>-</text>'),
        ('<inputEntry id="InputEntry_selected_amount"><text>-</text>',
         '<inputEntry id="InputEntry_selected_amount"><text>&gt;= 300000</text>')]})
    iid = start(users["school1"], KEY, {"project_code": a})["id"]
    self_evaluate_at_94(users, iid)
    assert steps(users["edu_head"], iid) == [DEPT]  # 360000 元 ≥ the county's threshold, though not chosen
    assert evaluation(app, a).dept_selected is False


def test_hostile_input_on_the_page_and_the_task(app, users, flows, clock):
    a = approved_project(users)
    pa = project(app, a).id
    wake_at(clock, app, county(2027, 2, 1, 9))
    edu, water = page(app, "edu_head"), page(app, "water_head")
    school = page(app, "school1")

    # Wrong role, other department, forged ids, bad year, no CSRF, missing or too long reason.
    assert school.get("/dept-evaluations?year=2026").status_code == 403
    assert school.post("/dept-evaluations", {"year": "2026", "project_id": [str(pa)],
                                             f"reason_{pa}": "自己选自己"}).status_code == 403
    assert a not in water.get("/dept-evaluations?year=2026").get_data(as_text=True)
    assert water.post("/dept-evaluations", {"year": "2026", "project_id": [str(pa)],
                                            f"reason_{pa}": "越权选择"}).status_code == 404
    assert edu.post("/dept-evaluations", {"year": "2026", "project_id": ["999999"],
                                          "reason_999999": "不存在"}).status_code == 404
    assert edu.post("/dept-evaluations", {"year": "2026", "project_id": ["1; drop"]}).status_code == 422
    assert edu.get("/dept-evaluations?year=明年").status_code == 422
    assert edu.post("/dept-evaluations", {"year": "2026", "project_id": [str(pa)], f"reason_{pa}": "资金量大"},
                    csrf=False).status_code == 400
    short = edu.post("/dept-evaluations", {"year": "2026", "project_id": [str(pa)], f"reason_{pa}": ""})
    assert short.status_code == 422 and "请写明选入部门评价的理由" in short.get_data(as_text=True)
    long = edu.post("/dept-evaluations", {"year": "2026", "project_id": [str(pa)], f"reason_{pa}": "长" * 501})
    assert long.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(DeptEvaluationSelection.id)) is None  # nothing saved
    assert edu.post("/dept-evaluations", {"year": "2026", "project_id": [str(pa)],
                                          f"reason_{pa}": "资金量大"}).status_code == 303

    iid = start(users["school1"], KEY, {"project_code": a})["id"]
    self_evaluate_at_94(users, iid)
    task = task_of(users["edu_head"], iid, DEPT)["id"]
    for bad in ({"execution": 11}, {"output": "很好"}, {"benefit": -1}, {"findings": ""}, {"opinion": "长" * 4001}):
        body = complete(users["edu_head"], task, {"dept_review": dict(SHEET, **bad)}, expect=422)
        assert body["fields"] or body["message"], body
    assert complete(users["edu_head"], task, {"dept_review": "80分"}, expect=422)
    # Another department's reviewer, the unit and the office cannot score it.
    for who in ("water_head", "school1", "perf"):
        resp = users[who].post(f"/api/v1/tasks/{task}/complete", json={"data": {"dept_review": SHEET}})
        assert resp.status_code in (403, 404), who
    assert users["water_head"].get(f"/api/v1/process-instances/{iid}").status_code in (403, 404)
    ev = evaluation(app, a)
    assert (ev.status, ev.dept_score) == ("dept", None)  # nothing half-saved


def test_sent_back_self_evaluation_comes_back_to_the_department(app, users, flows, clock):
    """The office sends the self-evaluation back: the unit resubmits and the department scores the new one."""
    a = approved_project(users)
    pa = project(app, a).id
    wake_at(clock, app, county(2027, 2, 1, 9))
    edu = page(app, "edu_head")
    assert edu.post("/dept-evaluations", {"year": "2026", "project_id": [str(pa)],
                                          f"reason_{pa}": "资金量大"}).status_code == 303
    iid = start(users["school1"], KEY, {"project_code": a})["id"]
    self_evaluate_at_94(users, iid)
    do(users["edu_head"], iid, DEPT, {"dept_review": dict(SHEET, output=30)})  # 70 → 中
    assert (evaluation(app, a).dept_grade, evaluation(app, a).grade) == ("中", "中")
    do(users["perf"], iid, REVIEW, {"review_decision": "send_back", "review_opinion": "请据实填报产出指标"})
    assert steps(users["school1"], iid) == [SELF] and steps(users["edu_head"], iid) == []
    self_evaluate_at_94(users, iid)
    assert steps(users["edu_head"], iid) == [DEPT] and evaluation(app, a).status == "dept"
    do(users["edu_head"], iid, DEPT, {"dept_review": SHEET})
    ev = evaluation(app, a)
    assert (ev.self_round, ev.dept_score, ev.grade, ev.status) == (2, Decimal(80), "良", "reviewing")
