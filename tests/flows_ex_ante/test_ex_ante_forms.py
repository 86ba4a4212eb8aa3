"""The forms refuse bad input field by field, in Chinese, before the flow moves."""

from __future__ import annotations

from tests.api.helpers import complete, start, tasks
from tests.flows_ex_ante.conftest import (
    KEY,
    OFFICE_SCORES,
    SELF_SCORES,
    application,
    apply,
    do,
    only,
    project_of,
)


def refused(user, task_id: int, data: dict) -> dict[str, str]:
    body = complete(user, task_id, data, expect=422)
    assert body["fields"], body
    return body["fields"]


def test_application_form_rejects_bad_money_and_inconsistent_fields(app, users, ex_ante):
    unit = users["school1"]
    task = only(start(unit, KEY)["open_tasks"], "Task_Apply")

    fields = refused(unit, task["id"], application(amount=-5, fiscal_funds=-5, other_funds=0))
    assert fields["amount"] == "必须大于 0" and fields["fiscal_funds"] == "不能小于 0"

    fields = refused(unit, task["id"], application(amount=800000, fiscal_funds=500000, other_funds=200000))
    assert fields == {"amount": "申报金额应等于财政拨款与其他资金之和（700000.00 元）"}

    items = [{"item": "维修", "basis": "按面积测算", "amount": 500000}, {"item": "设计", "basis": "按费率", "amount": 100000}]
    fields = refused(unit, task["id"], application(budget_items=items))
    assert fields == {"amount": "申报金额应等于预算测算明细合计（600000.00 元）"}

    fields = refused(unit, task["id"], application(start_year=2027, end_year=2026, fiscal_year=2026))
    assert fields == {"end_year": "截止年度不能早于起始年度（2027）"}

    bad = application(project_type="continuing", materials=[], budget_items=[{"item": "", "basis": "x", "amount": -1}])
    del bad["contact"]
    fields = refused(unit, task["id"], bad)
    assert fields["period_expired"] == "此项为必填项" and fields["contact"] == "此项为必填项"
    assert fields["materials"] == "至少需要 1 项" and fields["budget_items.0.amount"] == "不能小于 0"
    assert fields["budget_items.0.item"] == "此项为必填项"

    fields = refused(unit, task["id"], application(project_type="升级"))
    assert fields["project_type"].startswith("取值必须是以下之一")

    # Nothing moved and nothing was written while the form was refused.
    assert [t["element_id"] for t in tasks(unit, "claimable")] == ["Task_Apply"]
    with app.app_context():
        from server.db import db
        from server.models import Project

        assert db.session.query(Project).count() == 0


def test_assessment_forms_require_scores_amounts_and_reasons(app, users, ex_ante):
    inst = apply(users, application(amount=2000000))
    unit = users["school1"]
    self_task = only(tasks(unit, "claimable"), "Task_SelfAssess")
    fields = refused(unit, self_task["id"], {**SELF_SCORES, "self_goals": 25, "self_economy": -1})
    assert fields == {"self_economy": "不能小于 0", "self_goals": "不能大于 20"}
    complete(unit, self_task["id"], SELF_SCORES)

    dept = users["edu_head"]
    dept_task = only(tasks(dept, "claimable"), "Task_DeptReview")
    assert refused(dept, dept_task["id"], {"dept_decision": "ok"}) == {
        "dept_decision": "取值必须是以下之一：pass、send_back", "dept_opinion": "此项为必填项"}
    complete(dept, dept_task["id"], {"dept_decision": "pass", "dept_opinion": "同意"})

    perf = users["perf"]
    select_task = only(tasks(perf, "claimable"), "Task_SelectExperts")
    assert refused(perf, select_task["id"], {"experts": ["expert1", "expert1"]}) == {"experts": "取值不符合要求"}
    assert "experts.0" in refused(perf, select_task["id"], {"experts": ["rm -rf /"]})
    complete(perf, select_task["id"], {"experts": ["expert1"]})

    expert = users["expert1"]
    (score_task,) = tasks(expert)
    fields = refused(expert, score_task["id"], {"expert_review": {"necessity": 21, "economy": 10, "goals": 10,
                                                                   "feasibility": 10, "recommendation": "support"}})
    assert fields == {"expert_review.necessity": "不能大于 20", "expert_review.compliance": "此项为必填项",
                      "expert_review.opinion": "此项为必填项"}
    complete(expert, score_task["id"], {"expert_review": {"necessity": 18, "economy": 15, "goals": 16,
                                                          "feasibility": 17, "compliance": 18,
                                                          "recommendation": "reject", "opinion": "不成熟"}})

    office = only(tasks(perf, "claimable"), "Task_OfficeAssess")
    assert refused(perf, office["id"], {**OFFICE_SCORES, "conclusion": "reject", "office_opinion": "不予支持"}) == {
        "reasons": "此项为必填项"}
    assert refused(perf, office["id"], {"conclusion": "adjust", "office_opinion": "调整", "reasons": "单价偏高，核减",
                                        "approved_amount": 0, **OFFICE_SCORES}) == {"approved_amount": "必须大于 0"}
    fields = refused(perf, office["id"], {"conclusion": "adjust", "office_opinion": "调整后支持"})
    assert fields["approved_amount"] == "此项为必填项" and fields["reasons"] == "此项为必填项"
    assert fields["office_necessity"] == "此项为必填项"
    assert refused(perf, office["id"], {"conclusion": "send_back", "office_opinion": "退回", "reasons": "短"}) == {
        "reasons": "至少 5 个字符"}
    # A send-back needs no scores.
    do(perf, "Task_OfficeAssess", {"conclusion": "send_back", "office_opinion": "退回", "reasons": "请补充可行性研究报告"})
    assert project_of(app, inst["id"]).status == "applied"
