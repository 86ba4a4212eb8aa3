"""What the performance office and the finance section do around the monthly reports: start the year's
monitoring for every approved project at once, and decisions that change the project (its budget in force)
or open the unit's goal-adjustment request. Walked over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from server.db import db
from server.models import InstanceStatus, ProcessInstance
from tests.api.helpers import deploy_folder, start, tasks
from tests.flows_goal_review.conftest import ROOT, do, goal_table, in_library, project, status_of, steps
from tests.flows_monitoring.conftest import (
    BUDGET,
    DECIDE,
    EXPLAIN,
    JANUARY,
    KEY,
    REPORT,
    approved_project,
    corrections,
    month_end,
    notices,
    report_rows,
)
from tests.flows_monitoring.test_monitoring_year import file, in_force, on_track

BATCH = f"/api/v1/process-models/{KEY}/batch-start"


def monitoring_instances(app) -> dict[str, tuple[int, int]]:
    """project code → (instance id, owning organisation id) of every monitoring instance."""
    with app.app_context():
        rows = db.session.execute(
            select(ProcessInstance.business_key, ProcessInstance.id, ProcessInstance.organisation_id)
            .where(ProcessInstance.process_key == KEY, ProcessInstance.status != InstanceStatus.CANCELLED))
        return {code: (iid, org) for code, iid, org in rows}


def water_project(users) -> str:
    """A 2026 project of 县水利工程站 whose goals 农业农村股 approved."""
    code = in_library(users, who="water1", fiscal_year=2026, amount=BUDGET, project_name="县城区防洪堤加固")
    iid = start(users["water1"], "goal_review", {"project_code": code})["id"]
    do(users["water1"], iid, "Task_Fill", goal_table())
    do(users["water_head"], iid, "Task_DeptReview", {"dept_decision": "pass", "dept_opinion": "同意"})
    do(users["fin_agri"], iid, "Task_FinanceReview", {"grade": "优", "finance_opinion": "目标明确"})
    return code


def test_the_office_starts_the_years_monitoring_for_every_approved_project(app, users, flows, clock):
    clock.set(JANUARY)
    school = approved_project(users)
    water = water_project(users)
    unapproved = in_library(users, fiscal_year=2026)  # in the library, goals not yet approved: not monitored
    perf = users["perf"]

    assert users["school1"].post(BATCH, json={"fiscal_year": 2026}).status_code == 403
    for bad in ({"fiscal_year": "2026"}, {"fiscal_year": 1e9}, {}, {"fiscal_year": 2026, "project_codes": "x"},
                {"fiscal_year": 2026, "project_codes": [""]}):
        resp = perf.post(BATCH, json=bad)
        assert resp.status_code == 422, bad
        assert resp.get_json()["fields"]
    assert perf.post("/api/v1/process-models/goal_review/batch-start", json={"fiscal_year": 2026}).status_code == 422
    assert monitoring_instances(app) == {}  # nothing started by the refused calls

    resp = perf.post(BATCH, json={"fiscal_year": 2026})
    assert resp.status_code == 201
    started = {row["project_code"] for row in resp.get_json()["started"]}
    assert started == {school, water} and unapproved not in monitoring_instances(app)
    # Each instance belongs to the project's unit, so the unit (not the office) files the reports.
    month_end(clock, app, 1)
    school_iid = monitoring_instances(app)[school][0]
    water_iid = monitoring_instances(app)[water][0]
    assert steps(users["school1"], school_iid) == [REPORT] and steps(users["water1"], water_iid) == [REPORT]
    assert [t for t in tasks(users["school1"], "claimable") if t["instance_id"] == water_iid] == []
    perf = users["perf"]  # a fresh token: the clock moved past the first one's lifetime
    assert tasks(perf, "claimable") == []

    # Again: nothing left to start; a named project that is not eligible is reported, not started.
    again = perf.post(BATCH, json={"fiscal_year": 2026, "project_codes": [school, unapproved, "NO-SUCH"]})
    assert again.status_code == 200
    assert again.get_json()["started"] == []
    assert {row["project_code"] for row in again.get_json()["skipped"]} == {school, unapproved, "NO-SUCH"}
    assert len(monitoring_instances(app)) == 2


@pytest.fixture
def with_adjust(users, flows) -> None:
    resp = deploy_folder(users["admin"], "goal_adjust", ROOT / "goal_adjust")
    assert resp.status_code == 201, resp.get_json()


def red_march(app, users, clock) -> tuple[str, int]:
    """A project monitored from January, filed green in January and February, red in March and explained."""
    clock.set(JANUARY)
    code = approved_project(users)
    iid = users["perf"].post(BATCH, json={"fiscal_year": 2026}).get_json()["started"][0]["instance_id"]
    for month in (1, 2):
        month_end(clock, app, month)
        file(users, iid, month, 30000 * month)
    month_end(clock, app, 3)
    file(users, iid, 3, 30000, on_track(3, "未达成"), likelihood="无法完成", cause="施工队伍未进场")
    do(users["school1"], iid, EXPLAIN, {"cause": "施工队伍未进场", "measures": "更换施工单位"})
    return code, iid


def test_impossible_amounts_are_refused_and_nothing_changes(app, users, flows, clock):
    code, iid = red_march(app, users, clock)
    fin = users["fin_edu"]
    for data, words in (
        ({"decision": "recover_balance", "decision_amount": BUDGET}, "不能超过未支出余额"),
        ({"decision": "adjust_budget", "decision_amount": 10000}, "不能低于已支出"),
    ):
        resp = do(fin, iid, DECIDE, {"finance_opinion": "试试看", **data}, expect=422)
        assert words in resp["message"]
    resp = do(fin, iid, DECIDE, {"decision": "adjust_budget", "decision_amount": -5, "finance_opinion": "试试看"},
              expect=422)
    assert "decision_amount" in resp["fields"]
    assert corrections(app, code) == [] and in_force(users, code) == (f"{BUDGET}.00", f"{BUDGET}.00")
    assert steps(fin, iid) == [DECIDE]  # still waiting for a decision that makes sense

    do(fin, iid, DECIDE, {"decision": "recover_balance", "decision_amount": 100000, "finance_opinion": "收回"})
    assert corrections(app, code) == [(3, "recover_balance", "100000.00")]
    assert in_force(users, code) == (f"{BUDGET}.00", f"{BUDGET - 100000}.00")


def test_adjust_goals_opens_the_units_adjustment_request(app, users, flows, with_adjust, clock):
    code, iid = red_march(app, users, clock)
    do(users["fin_edu"], iid, DECIDE, {"decision": "adjust_goals", "finance_opinion": "目标过高，请调整"})
    assert corrections(app, code) == [(3, "adjust_goals", None)]
    assert project(app, code).goal_status == "adjusting"
    # The unit finds the adjustment request in its inbox, owned by the school like the monitoring itself.
    (adjust,) = [t for t in tasks(users["school1"], "claimable") if t["process_key"] == "goal_adjust"]
    assert adjust["project_code"] == code
    assert "请在待办中填报绩效目标调整申请" in notices(app, code)[-1][2]
    assert [t for t in tasks(users["water1"], "claimable") if t["process_key"] == "goal_adjust"] == []

    # April red again, adjust goals again: the request already open is not duplicated.
    month_end(clock, app, 4)
    file(users, iid, 4, 40000, on_track(4, "未达成"), likelihood="无法完成", cause="仍在更换施工单位")
    do(users["school1"], iid, EXPLAIN, {"cause": "仍在更换施工单位", "measures": "本月完成招标"})
    do(users["fin_edu"], iid, DECIDE, {"decision": "adjust_goals", "finance_opinion": "按3月决定调整"})
    assert len([t for t in tasks(users["school1"], "claimable") if t["process_key"] == "goal_adjust"]) == 1
    assert "已在办理中" in notices(app, code)[-1][2]
    assert status_of(users, iid) != "error"


def test_without_the_adjustment_flow_deployed_the_decision_still_stands(app, users, flows, clock):
    code, iid = red_march(app, users, clock)
    do(users["fin_edu"], iid, DECIDE, {"decision": "adjust_goals", "finance_opinion": "目标过高，请调整"})
    assert corrections(app, code) == [(3, "adjust_goals", None)]
    assert [t for t in tasks(users["school1"], "claimable") if t["process_key"] == "goal_adjust"] == []
    assert "请在待办中填报绩效目标调整申请" in notices(app, code)[-1][2]


def test_report_rows_helper_sees_only_open_reports(users, flows):  # guards the helpers above
    with pytest.raises(AssertionError):
        report_rows(users["school1"], 999999, [])


_ = datetime, UTC
