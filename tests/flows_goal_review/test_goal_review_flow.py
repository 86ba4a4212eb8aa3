"""绩效目标编审 walked over HTTP as the county's users, on SQLite and PostgreSQL, through autumn 2026 (goals for
the 2027 budget), checking the goal tables and the project's goal status after each step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from server.flows.goal_review.models import GoalKind, GoalVersionStatus
from server.models import GoalStatus
from tests.api.helpers import tasks
from tests.flows_goal_review.conftest import (
    INDICATORS,
    do,
    goal_table,
    in_library,
    project,
    refused_start,
    reviews,
    start_goals,
    status_of,
    steps,
    task_data,
    task_of,
    travel,
    vague_table,
    versions,
)

SEPTEMBER = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)  # 绩效目标随部门预算编报（09:00 in the county）
FILL, DEPT, FINANCE = "Task_Fill", "Task_DeptReview", "Task_FinanceReview"
FIX, CONFIRM = "Task_Fix", "Task_ConfirmFix"
PASS = {"dept_decision": "pass", "dept_opinion": "同意报送财政"}


def test_starting_is_refused_unless_the_unit_owns_a_project_awaiting_goals(app, users, flows):
    code = in_library(users)
    assert "请指定项目" in refused_start(users, {})
    assert "未找到本单位的项目“XM-0000”" in refused_start(users, {"project_code": "XM-0000"})
    # Another unit cannot even learn that the project exists; a department cannot start at all.
    assert f"未找到本单位的项目“{code}”" in refused_start(users, {"project_code": code}, who="water1")
    resp = users["edu_head"].post("/api/v1/process-instances", json={"process_key": "goal_review",
                                                                     "data": {"project_code": code}})
    assert resp.status_code == 403
    # Only the application's draft goals, as version 1, bound to no flow yet (issue 16.2).
    assert [(v.version, v.instance_id) for v in versions(app, code)] == [(1, None)]
    assert project(app, code).goal_status == GoalStatus.AWAITING

    inst = start_goals(users, code)
    assert "正在编制绩效目标" in refused_start(users, {"project_code": code})  # one goal flow at a time
    (version,) = versions(app, code)
    assert (version.version, version.kind, version.status, version.instance_id) == (
        1, GoalKind.ORIGINAL, GoalVersionStatus.DRAFT, inst["id"])
    assert project(app, code).goal_status == GoalStatus.DRAFTING

    # A cancelled flow leaves its draft to the next one (by project id this time).
    assert users["school1"].post(f"/api/v1/process-instances/{inst['id']}/cancel", json={"reason": "重新编制"}).status_code == 200
    again = users["school1"].post("/api/v1/process-instances", json={
        "process_key": "goal_review", "data": {"project_id": project(app, code).id}})
    assert again.status_code == 201, again.get_json()
    (version,) = versions(app, code)
    assert version.instance_id == again.get_json()["id"] and version.status == GoalVersionStatus.DRAFT


def test_quality_warnings_send_backs_grade_fair_then_good_and_approval(app, users, flows, clock):
    clock.set(SEPTEMBER)
    code = in_library(users)
    inst = start_goals(users, code)
    iid = inst["id"]
    assert [t["element_id"] for t in inst["open_tasks"]] == [FILL]
    assert steps(users["water1"], iid) == []

    # 1. A vague table: the flow shows the unit its warnings and waits for a fix or a confirmation.
    do(users["school1"], iid, FILL, vague_table())
    data = task_data(users["school1"], iid, FILL)
    messages = [w["message"] for w in data["quality_warnings"]]
    assert any("“按计划完成”" in m for m in messages)
    assert any("缺少量化的产出指标" in m for m in messages)
    assert any("缺少效益指标" in m for m in messages) and any("服务对象满意度" in m for m in messages)
    assert data["confirm_warnings"] is False
    (version,) = versions(app, code)
    assert version.status == GoalVersionStatus.DRAFT and version.warnings == data["quality_warnings"]
    assert [r.name for r in version.indicators] == ["维修教学楼"]
    assert steps(users["edu_head"], iid) == []

    # 2. The unit submits anyway; the department sees the same warnings.
    travel(app, days=1)
    do(users["school1"], iid, FILL, {**vague_table(), "confirm_warnings": True})
    (version,) = versions(app, code)
    assert version.status == GoalVersionStatus.SUBMITTED and version.submitted_at == clock.now()
    assert project(app, code).goal_status == GoalStatus.REVIEWING
    review_task = task_of(users["edu_head"], iid, DEPT)
    assert review_task["due_at"] == (clock.now() + timedelta(days=5)).isoformat()
    assert review_task["project_code"] == code and review_task["amount"] == "300000.00"
    assert len(task_data(users["edu_head"], iid, DEPT)["quality_warnings"]) == len(messages)
    assert steps(users["water_head"], iid) == []

    # 3. The department sends it back: round 2, the unit revises; a clean table goes straight on.
    travel(app, days=2)
    do(users["edu_head"], iid, DEPT, {"dept_decision": "send_back", "dept_opinion": "目标空泛，请量化产出并补充效益指标"})
    (version,) = versions(app, code)
    assert (version.status, version.round) == (GoalVersionStatus.RETURNED, 2)
    assert project(app, code).goal_status == GoalStatus.DRAFTING
    assert task_data(users["school1"], iid, FILL)["annual_goal"] == "按计划完成"  # the form comes back as the unit left it
    do(users["school1"], iid, FILL, goal_table())
    (version,) = versions(app, code)
    assert version.warnings == [] and len(version.indicators) == 6 and version.status == GoalVersionStatus.SUBMITTED
    assert task_data(users["edu_head"], iid, DEPT)["quality_warnings"] == []
    do(users["edu_head"], iid, DEPT, PASS)

    # 4. Only the finance section covering 教育 grades it; 中 sends it back for round 3.
    assert steps(users["fin_agri"], iid) == []
    assert task_of(users["fin_edu"], iid, FINANCE)["due_at"] == (clock.now() + timedelta(days=10)).isoformat()
    travel(app, days=4)
    do(users["fin_edu"], iid, FINANCE, {"grade": "中", "finance_opinion": "效益指标偏少", "fixes": "补充生态或经济效益指标"})
    (version,) = versions(app, code)
    assert (version.status, version.round, version.grade) == (GoalVersionStatus.RETURNED, 3, "中")
    assert version.outcome_basis == "审核等次为中，退回单位修改后重新报送"
    assert project(app, code).goal_status == GoalStatus.DRAFTING
    assert steps(users["school1"], iid) == [FILL]

    # 5. Resubmitted, passed again, graded 良: the unit completes the fixes, finance confirms (once sent back).
    rows = goal_table()["indicators"]
    rows[4]["weight"] = 5
    rows.append({"level1": "效益", "level2": "经济效益", "name": "年节约维修费用", "operator": "≥", "value": "5",
                 "unit": "万元", "basis": "历史标准", "weight": 5})
    do(users["school1"], iid, FILL, goal_table(indicators=rows))
    do(users["edu_head"], iid, DEPT, PASS)
    do(users["fin_edu"], iid, FINANCE, {"grade": "良", "finance_opinion": "基本合理", "fixes": "满意度指标值提高到95%"})
    (version,) = versions(app, code)
    assert (version.status, version.round, version.grade) == (GoalVersionStatus.RETURNED, 3, "良")
    assert steps(users["school1"], iid) == [FIX] and task_data(users["school1"], iid, FIX)["fixes"] == "满意度指标值提高到95%"
    do(users["school1"], iid, FIX, goal_table(indicators=rows))
    assert versions(app, code)[0].status == GoalVersionStatus.SUBMITTED
    do(users["fin_edu"], iid, CONFIRM, {"fix_decision": "send_back", "fix_opinion": "满意度指标值未修改"})
    assert versions(app, code)[0].status == GoalVersionStatus.RETURNED and steps(users["school1"], iid) == [FIX]
    rows[5]["value"] = "95"
    do(users["school1"], iid, FIX, goal_table(indicators=rows))
    travel(app, days=1)
    done = do(users["fin_edu"], iid, CONFIRM, {"fix_decision": "agree", "fix_opinion": "已按意见完善"})
    assert done["instance"]["status"] == "completed"

    # Approved with the budget and marked for publication.
    (version,) = versions(app, code)
    assert version.status == GoalVersionStatus.APPROVED and version.publish is True
    assert version.budget_amount == Decimal(300000) == project(app, code).amount
    assert version.approved_at == clock.now() and version.fiscal_year == 2027
    assert [(r.name, r.value, r.unit, r.weight) for r in version.indicators][-2:] == [
        ("师生满意度", "95", "%", Decimal(10)), ("年节约维修费用", "5", "万元", Decimal(5))]
    assert project(app, code).goal_status == GoalStatus.APPROVED
    assert reviews(app, code) == [
        (1, "dept", 1, "send_back", None, "edu_head"),
        (1, "dept", 2, "pass", None, "edu_head"),
        (1, "finance", 2, "中", "revise", "fin_edu"),
        (1, "dept", 3, "pass", None, "edu_head"),
        (1, "finance", 3, "良", "fix", "fin_edu"),
        (1, "fix", 3, "send_back", "fix", "fin_edu"),
        (1, "fix", 3, "agree", None, "fin_edu"),
    ]
    for who in ("school1", "edu_head", "fin_edu"):
        assert steps(users[who], iid) == []
    assert "绩效目标已批复，如需变更请提出调整申请" in refused_start(users, {"project_code": code})


def test_excellent_is_approved_at_once(app, users, flows):
    code = in_library(users)
    iid = start_goals(users, code)["id"]
    do(users["school1"], iid, FILL, goal_table())
    do(users["edu_head"], iid, DEPT, PASS)
    done = do(users["fin_edu"], iid, FINANCE, {"grade": "优", "finance_opinion": "目标明确，指标量化"})
    assert done["instance"]["status"] == "completed"
    (version,) = versions(app, code)
    assert (version.status, version.grade, version.round) == (GoalVersionStatus.APPROVED, "优", 1)
    assert [r.name for r in version.indicators] == [i["name"] for i in INDICATORS]
    assert reviews(app, code)[-1] == (1, "finance", 1, "优", "approve", "fin_edu")
    assert project(app, code).goal_status == GoalStatus.APPROVED


def test_poor_is_refused_and_no_budget_follows(app, users, flows):
    code = in_library(users)
    iid = start_goals(users, code)["id"]
    do(users["school1"], iid, FILL, goal_table())
    do(users["edu_head"], iid, DEPT, PASS)
    done = do(users["fin_edu"], iid, FINANCE, {"grade": "差", "finance_opinion": "目标与项目无关",
                                               "fixes": "绩效目标与维修改造内容无关"})
    assert done["instance"]["status"] == "completed"
    (version,) = versions(app, code)
    assert (version.status, version.publish) == (GoalVersionStatus.REFUSED, False)
    assert version.outcome_basis == "审核等次为差，不得安排预算"
    assert project(app, code).goal_status == GoalStatus.REFUSED
    assert "绩效目标审核未通过，不得安排预算" in refused_start(users, {"project_code": code})
    assert "绩效目标审核未通过" in refused_start(users, {"project_code": code}, key="goal_adjust")


def test_fair_three_times_exhausts_the_rounds(app, users, flows):
    code = in_library(users)
    iid = start_goals(users, code)["id"]
    fair = {"grade": "中", "finance_opinion": "需修改", "fixes": "指标值设定依据不足"}
    for round_no in (1, 2, 3):
        do(users["school1"], iid, FILL, goal_table())
        do(users["edu_head"], iid, DEPT, PASS)
        do(users["fin_edu"], iid, FINANCE, fair)
        assert versions(app, code)[0].round == min(round_no + 1, 3)
    assert status_of(users, iid) == "completed"
    (version,) = versions(app, code)
    assert version.status == GoalVersionStatus.REFUSED
    assert version.outcome_basis == "多次修改后审核等次仍为中，不得安排预算"
    assert [r[4] for r in reviews(app, code) if r[1] == "finance"] == ["revise", "revise", "refuse"]
    assert project(app, code).goal_status == GoalStatus.REFUSED
    assert tasks(users["school1"], "claimable") == []
