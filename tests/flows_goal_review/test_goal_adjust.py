"""绩效目标调整: approved goals change only through an adjustment request the finance section approves; each
approved adjustment is a new version and the one it replaces stays readable."""

from __future__ import annotations

from decimal import Decimal

from server.flows.goal_review.models import GoalKind, GoalVersionStatus
from server.models import GoalStatus
from tests.flows_goal_review.conftest import (
    ADJUST,
    INDICATORS,
    do,
    goal_table,
    in_library,
    project,
    refused_start,
    reviews,
    start_goals,
    steps,
    task_data,
    vague_table,
    versions,
)

FILL, REVIEW_TASK = "Task_Fill", "Task_Review"
REASONS = "省级补助资金下达后追加实验室改造内容，需相应调整产出指标。"


def approved(users, code: str) -> None:
    iid = start_goals(users, code)["id"]
    do(users["school1"], iid, "Task_Fill", goal_table())
    do(users["edu_head"], iid, "Task_DeptReview", {"dept_decision": "pass", "dept_opinion": "同意"})
    do(users["fin_edu"], iid, "Task_FinanceReview", {"grade": "优", "finance_opinion": "同意"})


def test_adjustment_needs_approved_goals(app, users, flows):
    code = in_library(users)
    assert "绩效目标尚未批复，无需调整" in refused_start(users, {"project_code": code}, key=ADJUST)
    start_goals(users, code)
    assert "正在编制绩效目标" in refused_start(users, {"project_code": code}, key=ADJUST)
    assert "未找到本单位的项目" in refused_start(users, {"project_code": code}, who="water1", key=ADJUST)
    # ids no 32-bit column can hold, negative ids and text are "not found" too (PostgreSQL would refuse them)
    for wanted in (2**40, -1, "12abc", 1.5e300):
        assert "未找到本单位的项目" in refused_start(users, {"project_id": wanted}, key=ADJUST)


def test_adjusted_version_replaces_the_approved_one_which_stays_readable(app, users, flows, clock):
    code = in_library(users)
    approved(users, code)
    iid = start_goals(users, code, key=ADJUST)["id"]
    assert project(app, code).goal_status == GoalStatus.ADJUSTING
    assert "绩效目标调整申请正在审核" in refused_start(users, {"project_code": code}, key=ADJUST)

    # The form starts from the approved table.
    prefill = task_data(users["school1"], iid, FILL)
    assert prefill["annual_goal"] == goal_table()["annual_goal"]
    assert [r["name"] for r in prefill["indicators"]] == [i["name"] for i in INDICATORS]
    original, draft = versions(app, code)
    assert (draft.version, draft.kind, draft.status, draft.based_on_id) == (
        2, GoalKind.ADJUSTED, GoalVersionStatus.DRAFT, original.id)

    rows = prefill["indicators"]
    rows[0].update(value="4800", name="完成结构加固及实验室改造面积")
    # The annual goal restates the new figure: left at 4200平方米 the quality check would send it back.
    annual = goal_table()["annual_goal"].replace("4200平方米", "4800平方米")
    table = goal_table(indicators=rows, annual_goal=annual, adjust_reasons=REASONS)
    do(users["school1"], iid, FILL, table)
    assert steps(users["fin_agri"], iid) == []
    assert task_data(users["fin_edu"], iid, REVIEW_TASK)["quality_warnings"] == []
    do(users["fin_edu"], iid, REVIEW_TASK, {"adjust_decision": "send_back", "adjust_opinion": "请说明追加资金来源"})
    assert versions(app, code)[1].status == GoalVersionStatus.RETURNED
    assert project(app, code).goal_status == GoalStatus.ADJUSTING
    do(users["school1"], iid, FILL, {**table, "adjust_reasons": REASONS + "追加资金为省级补助。"})
    done = do(users["fin_edu"], iid, REVIEW_TASK, {"adjust_decision": "approve", "adjust_opinion": "同意调整"})
    assert done["instance"]["status"] == "completed"

    original, adjusted = versions(app, code)
    assert (original.status, original.indicators[0].value) == (GoalVersionStatus.SUPERSEDED, "4200")
    assert (adjusted.status, adjusted.kind, adjusted.publish) == (GoalVersionStatus.APPROVED, GoalKind.ADJUSTED, True)
    assert adjusted.indicators[0].value == "4800" and adjusted.adjust_reasons.endswith("追加资金为省级补助。")
    assert adjusted.approved_at == clock.now() and adjusted.budget_amount == Decimal(300000)
    assert project(app, code).goal_status == GoalStatus.APPROVED
    assert [r[:4] for r in reviews(app, code) if r[0] == 2] == [
        (2, "finance", 1, "send_back"), (2, "finance", 2, "approve")]

    # A refused request leaves the adjusted version in force.
    again = start_goals(users, code, key=ADJUST)["id"]
    vague = {**vague_table(), "adjust_reasons": "希望降低验收合格率指标，减少工作量。"}
    do(users["school1"], again, FILL, vague)  # warnings: back to the unit first
    assert len(task_data(users["school1"], again, FILL)["quality_warnings"]) == 4
    assert steps(users["fin_edu"], again) == []
    do(users["school1"], again, FILL, {**vague, "confirm_warnings": True})
    assert len(versions(app, code)[2].warnings) == 4
    do(users["fin_edu"], again, REVIEW_TASK, {"adjust_decision": "reject", "adjust_opinion": "理由不充分"})
    statuses = [(v.version, v.status) for v in versions(app, code)]
    assert statuses == [(1, GoalVersionStatus.SUPERSEDED), (2, GoalVersionStatus.APPROVED),
                        (3, GoalVersionStatus.REFUSED)]
    assert project(app, code).goal_status == GoalStatus.APPROVED
