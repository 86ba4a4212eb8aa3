"""Hostile and mistaken input to the evaluation flow: every form names the fields it refuses, the operators
refuse (422, task still open, nothing saved) what a form cannot know, and nobody outside the project's unit,
the performance office and the drawn firm can see or act on its tasks."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import update

from server.db import db
from server.models import User
from tests.api.helpers import start, tasks
from tests.flows_evaluation.conftest import (
    FULL,
    KEY,
    NOTICE,
    RECTIFY,
    REVIEW,
    SELF,
    VERIFY,
    county,
    draw_of,
    evaluation,
    self_form,
    wake_at,
)
from tests.flows_goal_review.conftest import do, in_library, refused_start, steps, task_of
from tests.flows_monitoring.conftest import approved_project

QUALITATIVE = 2  # the row of 开学前完工 (定性) in goal_review's INDICATORS


def opened(app, users, clock) -> tuple[str, int]:
    code = approved_project(users)
    wake_at(clock, app, county(2027, 2, 1, 9))
    return code, start(users["school1"], KEY, {"project_code": code})["id"]


def submit(users, iid: int, data: dict, expect: int = 422) -> dict:
    return do(users["school1"], iid, SELF, data, expect=expect)


def test_starting_needs_the_units_own_project_with_approved_goals(app, users, flows, clock):
    bare = in_library(users, fiscal_year=2026)
    assert "请指定项目" in refused_start(users, {}, key=KEY)
    assert "未找到本单位的项目“XM-404”" in refused_start(users, {"project_code": "XM-404"}, key=KEY)
    assert "绩效目标尚未批复" in refused_start(users, {"project_code": bare}, key=KEY)
    resp = users["perf"].post("/api/v1/process-instances", json={"process_key": KEY, "data": {"project_code": bare}})
    assert resp.status_code == 403  # the unit starts its own evaluation


def test_the_self_evaluation_form_refuses_field_by_field(app, users, flows, clock):
    code, iid = opened(app, users, clock)
    rows = self_form(users["school1"], iid, ["四千二百", "100", "完成", "3200", "30", "90"])
    resp = submit(users, iid, {"spent": -1, "indicator_scores": rows})
    assert resp["fields"] == {
        "spent": "不能小于 0",
        "explanation": "此项为必填项",
        "indicator_scores.0.actual_value": "定量指标的实际完成值应为数字（单位见“计量单位”）",
        "indicator_scores.2.actual_value": "取值必须是以下之一：达成、部分达成、未达成",
        "indicator_scores.2.degree": "此项为必填项",
    }
    # Each qualitative level has its band of completion.
    for level, degree in (("达成", 79), ("部分达成", 80), ("未达成", 60)):
        values = FULL[:QUALITATIVE] + [level] + FULL[QUALITATIVE + 1:]
        rows = self_form(users["school1"], iid, values, degree, {QUALITATIVE: "原因"})
        resp = submit(users, iid, {"spent": 1000, "indicator_scores": rows, "explanation": "说明"})
        assert set(resp["fields"]) == {f"indicator_scores.{QUALITATIVE}.degree"}, level
    resp = submit(users, iid, {"spent": "很多", "indicator_scores": "全部完成", "explanation": "x" * 4001})
    assert set(resp["fields"]) == {"spent", "indicator_scores", "explanation"}
    assert evaluation(app, code).self_round == 0 and steps(users["school1"], iid) == [SELF]


def test_the_flow_refuses_rows_the_form_cannot_check(app, users, flows, clock):
    code, iid = opened(app, users, clock)
    rows = self_form(users["school1"], iid, FULL, 90)
    base = {"spent": 300000, "explanation": "说明"}
    refusals = {
        "须逐项填报已批复的全部绩效指标": [
            rows[:-1],  # a row left out
            rows + [dict(rows[0])],  # a row twice
            rows[:-1] + [dict(rows[-1], indicator_id=99999)],  # someone else's indicator
        ],
        # The row claims to be quantitative; the approved goal says 定性.
        "指标“开学前完工”请填写 达成、部分达成 或 未达成": [
            [dict(r, operator="≥", actual_value="5") if i == QUALITATIVE else r for i, r in enumerate(rows)]],
        "指标“竣工验收合格率”未完成年度目标，请填写偏差原因": [
            [dict(r, actual_value="99") if i == 1 else r for i, r in enumerate(rows)]],
    }
    for message, variants in refusals.items():
        for variant in variants:
            resp = submit(users, iid, {**base, "indicator_scores": variant})
            assert message in resp["message"], (message, resp)
    ev = evaluation(app, code)
    assert (ev.self_round, ev.self_score, ev.indicators, ev.status) == (0, None, [], "self")
    assert steps(users["school1"], iid) == [SELF]

    # Outsiders cannot see the task, let alone complete it.
    task = task_of(users["school1"], iid, SELF)
    for outsider in ("water1", "perf", "fin_edu", "expert1", "edu_head"):
        resp = users[outsider].post(f"/api/v1/tasks/{task['id']}/complete",
                                    json={"data": {**base, "indicator_scores": rows}})
        assert resp.status_code == 404, outsider
    submit(users, iid, {**base, "indicator_scores": rows}, expect=200)
    assert evaluation(app, code).self_round == 1


def test_office_unit_and_firm_forms_refuse_field_by_field(app, users, flows, clock):
    code, iid = opened(app, users, clock)
    reasons = {i: "进度滞后" for i in range(6)}
    rows = self_form(users["school1"], iid, ["2000", "100", "达成", "1600", "30", "60"], 90, reasons)
    submit(users, iid, {"spent": 100000, "indicator_scores": rows, "explanation": "说明"}, expect=200)

    resp = do(users["perf"], iid, REVIEW, {"review_decision": "approve", "review_opinion": "好",
                                            "draw_seed": "1; drop table"}, expect=422)
    assert set(resp["fields"]) == {"review_decision", "review_opinion", "draw_seed"}
    # No firm with an active expert: the draw cannot happen, and the review is not half-recorded.
    with app.app_context():
        db.session.execute(update(User).where(User.username.in_(["expert1", "expert2"])).values(active=False))
        db.session.commit()
    resp = do(users["perf"], iid, REVIEW, {"review_decision": "key", "review_opinion": "列入重点评价",
                                            "key_reason": "资金量大"}, expect=422)
    assert "没有登记的第三方评价机构" in resp["message"]
    assert (evaluation(app, code).status, evaluation(app, code).review_decision, draw_of(app, code)) == (
        "reviewing", None, None)
    do(users["perf"], iid, REVIEW, {"review_decision": "accept", "review_opinion": "同意"})
    # 2.78 + 25 × 2000/4200 + 16.67 + 8.33 × 90% + 20 × 50% + 10 + 10 × 60/90 = 65.53
    assert (evaluation(app, code).score, evaluation(app, code).grade) == (Decimal("65.53"), "中")

    resp = do(users["perf"], iid, NOTICE, {"problems": "进度慢", "requirements": 5}, expect=422)
    assert set(resp["fields"]) == {"conclusion", "requirements"}
    do(users["perf"], iid, NOTICE, {"conclusion": "进度滞后", "requirements": "加快进度"})
    resp = do(users["school1"], iid, RECTIFY, {"measures": "加快", "results": "完成", "completion": "差不多"},
              expect=422)
    assert set(resp["fields"]) == {"completion"}
    do(users["school1"], iid, RECTIFY, {"measures": "加快施工", "results": "已完工", "completion": "已完成"})
    resp = do(users["perf"], iid, VERIFY, {"verify_decision": "ok", "verify_opinion": "好"}, expect=422)
    assert set(resp["fields"]) == {"verify_decision", "verify_opinion"}
    assert [r.decision for r in evaluation(app, code).rectifications] == [None]
    for outsider in ("school1", "fin_edu", "water_head"):
        assert tasks(users[outsider], "claimable") == [], outsider
    do(users["perf"], iid, VERIFY, {"verify_decision": "verified", "verify_opinion": "整改到位"})
    assert (evaluation(app, code).status, evaluation(app, code).publish) == ("rectified", True)
