"""The goal forms refuse bad input field by field, in Chinese, before the flow moves or anything is written."""

from __future__ import annotations

from server.flows.goal_review.models import GoalVersionStatus
from tests.api.helpers import complete
from tests.flows_goal_review.conftest import (
    ADJUST,
    do,
    goal_table,
    in_library,
    start_goals,
    steps,
    task_of,
    versions,
)

FILL = "Task_Fill"


def refused(user, task_id: int, data: dict) -> dict[str, str]:
    body = complete(user, task_id, data, expect=422)
    assert body["fields"], body
    return body["fields"]


def row(**over) -> dict:
    base = {"level1": "产出", "level2": "数量", "name": "完成结构加固面积", "operator": "≥", "value": "4200",
            "unit": "平方米", "basis": "计划标准", "weight": 100}
    return {**base, **over}


def test_goal_table_rejects_bad_indicators_field_by_field(app, users, flows):
    code = in_library(users)
    iid = start_goals(users, code)["id"]
    unit = users["school1"]
    task_id = task_of(unit, iid, FILL)["id"]

    # A quantitative indicator needs a unit; a qualitative one does not.
    assert refused(unit, task_id, goal_table(indicators=[row(unit="")])) == {"indicators.0.unit": "此项为必填项"}
    bare = row()
    del bare["unit"]
    assert refused(unit, task_id, goal_table(indicators=[bare])) == {"indicators.0.unit": "此项为必填项"}

    # Weights must sum to 100.
    rows = goal_table()["indicators"]
    rows[0]["weight"] = 25
    assert refused(unit, task_id, goal_table(indicators=rows)) == {
        "indicators": "各指标权重之和应为 100（当前为 95）"}

    # Name length, classification, operator, numeric value, basis, weight range.
    fields = refused(unit, task_id, goal_table(indicators=[
        row(name="长" * 101, weight=50),
        row(level1="效益", level2="数量", operator="约等于", weight=50),
        row(value="4200平方米", basis="领导要求", weight=0),
    ]))
    assert fields == {
        "indicators.0.name": "不能超过 100 个字符",
        "indicators.1.level2": "取值必须是以下之一：经济效益、社会效益、生态效益、可持续影响",
        "indicators.1.operator": "取值必须是以下之一：≥、>、=、<、≤、定性",
        "indicators.2.value": "定量指标的指标值应为数字（单位填在“计量单位”）",
        "indicators.2.basis": "取值必须是以下之一：计划标准、行业标准、历史标准、其他标准",
        "indicators.2.weight": "必须大于 0",
    }
    assert refused(unit, task_id, goal_table(indicators=[row(level1="满意度", level2="质量")])) == {
        "indicators.0.level2": "取值必须是 服务对象满意度"}

    # Missing goals and an empty indicator list.
    bad = goal_table(indicators=[])
    del bad["annual_goal"]
    assert refused(unit, task_id, bad) == {"annual_goal": "此项为必填项", "indicators": "至少需要 1 项"}

    # A qualitative indicator takes text and no unit; one valid row of weight 100 is accepted.
    complete(unit, task_id, goal_table(indicators=[row(operator="定性", value="按设计完成加固", unit="", weight=100)],
                                      confirm_warnings=True))
    (version,) = versions(app, code)
    assert version.status == GoalVersionStatus.SUBMITTED and version.indicators[0].unit is None
    assert steps(users["edu_head"], iid) == ["Task_DeptReview"]


def test_nothing_is_written_while_the_form_is_refused(app, users, flows):
    code = in_library(users)
    iid = start_goals(users, code)["id"]
    task_id = task_of(users["school1"], iid, FILL)["id"]
    refused(users["school1"], task_id, goal_table(indicators=[row(unit="")]))
    (version,) = versions(app, code)  # still the application's draft goals it started from (issue 16.2)
    assert [r.name for r in version.indicators] == [r["name"] for r in goal_table()["indicators"]]
    assert version.warnings == []
    assert steps(users["school1"], iid) == [FILL]


def test_review_forms_require_decisions_and_reasons(app, users, flows):
    code = in_library(users)
    iid = start_goals(users, code)["id"]
    do(users["school1"], iid, FILL, goal_table())
    dept = users["edu_head"]
    assert refused(dept, task_of(dept, iid, "Task_DeptReview")["id"], {"dept_decision": "ok"}) == {
        "dept_decision": "取值必须是以下之一：pass、send_back", "dept_opinion": "此项为必填项"}
    do(dept, iid, "Task_DeptReview", {"dept_decision": "pass", "dept_opinion": "同意"})
    fin = users["fin_edu"]
    finance_task = task_of(fin, iid, "Task_FinanceReview")["id"]
    assert refused(fin, finance_task, {"grade": "良", "finance_opinion": "基本合理"}) == {"fixes": "此项为必填项"}
    assert refused(fin, finance_task, {"grade": "A", "finance_opinion": "好"}) == {
        "grade": "取值必须是以下之一：优、良、中、差", "finance_opinion": "至少 2 个字符"}


def test_adjustment_requires_reasons(app, users, flows):
    code = in_library(users)
    iid = start_goals(users, code)["id"]
    do(users["school1"], iid, FILL, goal_table())
    do(users["edu_head"], iid, "Task_DeptReview", {"dept_decision": "pass", "dept_opinion": "同意"})
    do(users["fin_edu"], iid, "Task_FinanceReview", {"grade": "优", "finance_opinion": "同意"})
    adj = start_goals(users, code, key=ADJUST)["id"]
    task_id = task_of(users["school1"], adj, "Task_Fill")["id"]
    assert refused(users["school1"], task_id, goal_table()) == {"adjust_reasons": "此项为必填项"}
    assert refused(users["school1"], task_id, goal_table(adjust_reasons="太短")) == {"adjust_reasons": "至少 10 个字符"}
