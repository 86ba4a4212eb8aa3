"""事前绩效评估 walked over HTTP as the county's users, on SQLite and PostgreSQL, through fiscal year 2026
(applications for the 2027 budget), checking the project library and assessment tables after each step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from server.flows.ex_ante.models import AssessmentStatus, Conclusion
from server.models import GoalStatus, ProjectStatus, ProjectType
from tests.api.helpers import tasks
from tests.flows_ex_ante.conftest import (
    OFFICE_SCORES,
    SELF_SCORES,
    application,
    apply,
    assessment_of,
    do,
    open_task,
    opinions,
    project_of,
    status_of,
    travel,
    wake,
)


def instance_key(app, instance_id: int) -> str | None:
    from server.db import db
    from server.models import ProcessInstance

    with app.app_context():
        return db.session.get(ProcessInstance, instance_id).business_key


JUNE = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # 入库申报 for next year's budget opens (09:00 in the county)


def review(score: int, recommendation: str, opinion: str) -> dict:
    return {"expert_review": {"necessity": score, "economy": score - 4, "goals": score - 2, "feasibility": score - 1,
                              "compliance": score, "recommendation": recommendation, "opinion": opinion}}


def test_continuing_project_under_threshold_is_exempt_and_enters_the_library(app, users, ex_ante):
    inst = apply(users, application(project_type="continuing", period_expired=False, start_year=2025,
                                    end_year=2027, amount=300000, fiscal_funds=250000))
    assert status_of(users, inst["id"]) == "completed"
    project = project_of(app, inst["id"])
    assert project.status == ProjectStatus.IN_LIBRARY and project.goal_status == GoalStatus.AWAITING
    assert project.project_type == ProjectType.CONTINUING and project.fiscal_year == 2027
    assert (project.requested_amount, project.amount, project.cut_amount) == (Decimal(300000), Decimal(300000), 0)
    assert (project.fiscal_funds, project.other_funds) == (Decimal(250000), Decimal(50000))
    assert project.application["materials"][0] == "申报书"
    assessment = assessment_of(app, inst["id"])
    assert assessment.status == AssessmentStatus.EXEMPT and assessment.required is False
    assert assessment.basis == "未到期延续项目，金额低于事前评估门槛"
    assert opinions(app, inst["id"]) == []
    for who in ("school1", "edu_head", "perf"):
        assert tasks(users[who], "claimable") == []
    listing = users["edu_head"].get("/api/v1/projects").get_json()
    assert [(p["code"], p["status"], p["amount"]) for p in listing["items"]] == [
        (project.code, "in_library", "300000.00")
    ]


def test_major_project_escalation_send_back_expert_panel_and_adjusted_support(app, users, ex_ante, clock):
    clock.set(JUNE)
    inst = apply(users, application(amount=1500000, fiscal_funds=1200000))
    project = project_of(app, inst["id"])
    assert project.status == ProjectStatus.ASSESSING and project.requested_amount == Decimal(1500000)
    assessment = assessment_of(app, inst["id"])
    assert (assessment.required, assessment.major, assessment.rounds) == (True, True, 1)
    assert assessment.basis == "新增项目" and assessment.status == AssessmentStatus.IN_PROGRESS

    # Only the unit's own staff may self-assess.
    assert tasks(users["water1"], "claimable") == []
    do(users["school1"], "Task_SelfAssess", SELF_SCORES)
    assert opinions(app, inst["id"]) == [("self", 1, "submit", "school1", Decimal(90))]
    assert assessment_of(app, inst["id"]).self_score == Decimal(90)

    # The department sits on it: due in 5 days, escalated to the performance office after that.
    dept_task = open_task(users["edu_head"], "Task_DeptReview")
    assert dept_task["due_at"] == (JUNE + timedelta(days=5)).isoformat()
    assert tasks(users["water_head"], "claimable") == []
    travel(app, days=4)
    assert wake(app) == 0
    travel(app, days=1, hours=1)
    assert wake(app) == 1
    assert tasks(users["edu_head"], "claimable") == []
    urge = open_task(users["perf"], "Task_Urge")
    assert urge["due_at"] == (JUNE + timedelta(days=6, hours=1)).isoformat()
    do(users["perf"], "Task_Urge", {"urge_note": "请于两日内完成审核"})
    renewed = open_task(users["edu_head"], "Task_DeptReview")
    assert renewed["due_at"] == (JUNE + timedelta(days=10, hours=1)).isoformat()

    # Department sends it back: the unit revises and resubmits; a new round begins.
    do(users["edu_head"], "Task_DeptReview", {"dept_decision": "send_back", "dept_opinion": "预算测算依据不足，请补充"})
    assert project_of(app, inst["id"]).status == ProjectStatus.APPLIED
    assert assessment_of(app, inst["id"]).status == AssessmentStatus.RETURNED
    again = open_task(users["school1"], "Task_Apply")
    assert users["school1"].get(f"/api/v1/tasks/{again['id']}").get_json()["data"]["amount"] == 1500000
    travel(app, days=2)
    do(users["school1"], "Task_Apply", application(amount=1400000, fiscal_funds=1100000))
    assert project_of(app, inst["id"]).requested_amount == Decimal(1400000)
    assessment = assessment_of(app, inst["id"])
    assert (assessment.rounds, assessment.status, assessment.requested_amount) == (
        2, AssessmentStatus.IN_PROGRESS, Decimal(1400000))
    do(users["school1"], "Task_SelfAssess", {**SELF_SCORES, "self_economy": 18})
    do(users["edu_head"], "Task_DeptReview", {"dept_decision": "pass", "dept_opinion": "同意报送"})

    # Major project: the performance office names a panel (an unknown name is dropped), experts score in parallel.
    do(users["perf"], "Task_SelectExperts", {"experts": ["expert1", "expert2", "ghost"]})
    e1, e2 = tasks(users["expert1"]), tasks(users["expert2"])
    assert [t["element_id"] for t in e1] == ["Task_ExpertScore"] == [t["element_id"] for t in e2]
    assert e1[0]["project_code"] == project_of(app, inst["id"]).code and e1[0]["amount"] == "1400000.00"
    assert instance_key(app, inst["id"]) == project_of(app, inst["id"]).code  # the business key outside systems use
    assert e1[0]["due_at"] == (clock.now() + timedelta(days=10)).isoformat()
    assert tasks(users["fin_edu"], "claimable") == [] and tasks(users["perf"], "claimable") == []
    do(users["expert1"], "Task_ExpertScore", review(18, "adjust", "设备单价偏高，建议核减"), view="mine")
    assert assessment_of(app, inst["id"]).expert_score is None  # the panel is recorded when all have scored
    travel(app, days=3)
    do(users["expert2"], "Task_ExpertScore", review(16, "support", "方案可行"), view="mine")
    assessment = assessment_of(app, inst["id"])
    assert assessment.expert_score == Decimal(78) and assessment.stage == "expert"
    assert [o[:4] for o in opinions(app, inst["id"])][-2:] == [
        ("expert", 2, "adjust", "expert1"), ("expert", 2, "support", "expert2")]

    # An adjusted amount not below the request goes back to the office task.
    office = open_task(users["perf"], "Task_OfficeAssess")
    assert users["perf"].get(f"/api/v1/tasks/{office['id']}").get_json()["data"]["expert_avg"] == 78.0
    conclusion = {**OFFICE_SCORES, "conclusion": "adjust", "reasons": "设备购置单价高于市场价，核减",
                  "office_opinion": "调整后支持"}
    do(users["perf"], "Task_OfficeAssess", {**conclusion, "approved_amount": 1400000})
    retry = open_task(users["perf"], "Task_OfficeAssess")
    assert users["perf"].get(f"/api/v1/tasks/{retry['id']}").get_json()["data"]["office_error"] == "调整后支持的核定金额须小于申报金额"
    assert assessment_of(app, inst["id"]).conclusion is None
    done = do(users["perf"], "Task_OfficeAssess", {**conclusion, "approved_amount": 1190000})
    assert done["instance"]["status"] == "completed"

    project = project_of(app, inst["id"])
    assert project.status == ProjectStatus.IN_LIBRARY and project.goal_status == GoalStatus.AWAITING
    assert (project.amount, project.cut_amount) == (Decimal(1190000), Decimal(210000))
    assert project.admitted_at == clock.now()
    assessment = assessment_of(app, inst["id"])
    assert assessment.conclusion == Conclusion.ADJUST and assessment.status == AssessmentStatus.CONCLUDED
    assert (assessment.approved_amount, assessment.cut_amount, assessment.cut_rate) == (
        Decimal(1190000), Decimal(210000), Decimal("0.1500"))
    assert assessment.office_score == Decimal(82) and assessment.reasons.startswith("设备购置单价")
    assert [(o[0], o[1], o[2]) for o in opinions(app, inst["id"])] == [
        ("self", 1, "submit"), ("dept", 1, "send_back"), ("self", 2, "submit"), ("dept", 2, "pass"),
        ("expert", 2, "adjust"), ("expert", 2, "support"), ("office", 2, "adjust")]


def test_ordinary_project_office_sends_back_then_supports_in_full(app, users, ex_ante, clock):
    clock.set(JUNE)
    inst = apply(users, application(project_type="continuing", period_expired=True, start_year=2024, end_year=2028))
    assert assessment_of(app, inst["id"]).basis == "到期后申请延续的项目"
    do(users["school1"], "Task_SelfAssess", SELF_SCORES)
    do(users["edu_head"], "Task_DeptReview", {"dept_decision": "pass", "dept_opinion": "同意"})
    # Not major: no panel, straight to the performance office, due in 15 days.
    office = open_task(users["perf"], "Task_OfficeAssess")
    assert office["due_at"] == (JUNE + timedelta(days=15)).isoformat()
    assert tasks(users["expert1"]) == []
    do(users["perf"], "Task_OfficeAssess", {"conclusion": "send_back", "reasons": "绩效目标未量化，请补充产出指标",
                                  "office_opinion": "退回修改"})
    assert project_of(app, inst["id"]).status == ProjectStatus.APPLIED
    assert assessment_of(app, inst["id"]).status == AssessmentStatus.RETURNED

    do(users["school1"], "Task_Apply", application(project_type="continuing", period_expired=True, start_year=2024,
                                                 end_year=2028, necessity="补充：受益学生3200人，量化产出指标见附件。"))
    assert assessment_of(app, inst["id"]).rounds == 2
    do(users["school1"], "Task_SelfAssess", SELF_SCORES)
    do(users["edu_head"], "Task_DeptReview", {"dept_decision": "pass", "dept_opinion": "同意"})
    do(users["perf"], "Task_OfficeAssess", {**OFFICE_SCORES, "conclusion": "support", "office_opinion": "予以支持"})

    project = project_of(app, inst["id"])
    assert (project.status, project.amount, project.cut_amount) == (ProjectStatus.IN_LIBRARY, Decimal(800000), 0)
    assessment = assessment_of(app, inst["id"])
    assert (assessment.conclusion, assessment.cut_rate, assessment.major) == (Conclusion.SUPPORT, 0, False)
    assert [o[:3] for o in opinions(app, inst["id"])] == [
        ("self", 1, "submit"), ("dept", 1, "pass"), ("office", 1, "send_back"),
        ("self", 2, "submit"), ("dept", 2, "pass"), ("office", 2, "support")]


def test_unsupported_project_never_enters_the_library(app, users, ex_ante):
    inst = apply(users, application(amount=600000))
    do(users["school1"], "Task_SelfAssess", SELF_SCORES)
    do(users["edu_head"], "Task_DeptReview", {"dept_decision": "pass", "dept_opinion": "同意"})
    done = do(users["perf"], "Task_OfficeAssess", {**OFFICE_SCORES, "conclusion": "reject", "office_opinion": "不予支持",
                                         "reasons": "需求不迫切，项目不成熟"})
    assert done["instance"]["status"] == "completed"
    project = project_of(app, inst["id"])
    assert project.status == ProjectStatus.REJECTED and project.amount is None and project.goal_status is None
    assert project.rejection_reason == "需求不迫切，项目不成熟" and project.cut_amount == Decimal(600000)
    assessment = assessment_of(app, inst["id"])
    assert (assessment.conclusion, assessment.approved_amount, assessment.cut_rate) == (
        Conclusion.REJECT, 0, Decimal(1))
    listing = users["school1"].get("/api/v1/projects").get_json()
    assert [(p["status"], p["amount"]) for p in listing["items"]] == [("rejected", None)]


def test_major_project_with_no_usable_experts_goes_to_the_office(app, users, ex_ante):
    inst = apply(users, application(amount=2000000))
    do(users["school1"], "Task_SelfAssess", SELF_SCORES)
    do(users["edu_head"], "Task_DeptReview", {"dept_decision": "pass", "dept_opinion": "同意"})
    do(users["perf"], "Task_SelectExperts", {"experts": ["school1", "nobody"]})  # neither holds the expert role
    assert tasks(users["expert1"]) == [] and tasks(users["school1"], "mine") == []
    do(users["perf"], "Task_OfficeAssess", {**OFFICE_SCORES, "conclusion": "support", "office_opinion": "予以支持"})
    assert project_of(app, inst["id"]).status == ProjectStatus.IN_LIBRARY
    assert assessment_of(app, inst["id"]).expert_score is None
