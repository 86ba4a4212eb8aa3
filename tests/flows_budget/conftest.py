"""Fixtures and helpers for walking 预算安排 (workflows/budget_arrangement) over the HTTP API: projects get results
through the shipped ex-ante, goal and evaluation flows, then the office arranges the next year's budget."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import deploy_folder, start
from tests.flows_ex_ante.conftest import KEY as EX_ANTE
from tests.flows_ex_ante.conftest import Users
from tests.flows_goal_review.conftest import ROOT, do, goal_table, in_library

KEY = "budget_arrangement"
SECTION, CONFIRM = "Task_SectionReview", "Task_OfficeConfirm"


@pytest.fixture
def users(login_as) -> Users:
    return Users(login_as)


@pytest.fixture
def flows(users) -> dict[str, Any]:
    out = {}
    for key in (EX_ANTE, "goal_review", "evaluation", KEY):
        resp = deploy_folder(users["admin"], key, ROOT / key)
        assert resp.status_code == 201, resp.get_json()
        out[key] = resp.get_json()
    return out


def water_project(users, **over: Any) -> str:
    """A 2026 project of 县水利工程站 (sector 水利) with goals approved by 县水利局 and 农业农村股."""
    code = in_library(users, who="water1", fiscal_year=2026, amount=over.pop("amount", 300000), **over)
    iid = start(users["water1"], "goal_review", {"project_code": code})["id"]
    do(users["water1"], iid, "Task_Fill", goal_table())
    do(users["water_head"], iid, "Task_DeptReview", {"dept_decision": "pass", "dept_opinion": "同意"})
    do(users["fin_agri"], iid, "Task_FinanceReview", {"grade": "优", "finance_opinion": "目标明确"})
    return code


def arrangement(user, year: int = 2027, **params: Any) -> dict[str, dict]:
    """The caller's arrangement lines of the year by project code (asserting the request succeeds)."""
    resp = user.get("/api/v1/budget-arrangements", query_string={"fiscal_year": year, **params})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["total"] == len(body["items"])
    return {item["project_code"]: item for item in body["items"]}


def codes(line: dict) -> list[str]:
    return [r["code"] for r in line["reasons"]]
