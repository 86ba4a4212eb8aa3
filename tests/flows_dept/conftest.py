"""Fixtures for walking 部门整体绩效 (workflows/dept_performance) over the HTTP API as the demo county's users:
县教育局 (edu_head) sets its year goals, 教科文股 (fin_edu) reviews them, 绩效管理股 (perf) evaluates."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from server.flows.dept_performance.demo import INDICATORS  # the demo year's goals
from tests.api.helpers import deploy_folder
from tests.flows_ex_ante.conftest import Users
from tests.flows_goal_review.conftest import ROOT

KEY = "dept_performance"


def dept_goals(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "functions": "贯彻执行教育方针政策，统筹管理全县学前教育、义务教育和普通高中教育，负责教育经费和学生资助管理。",
        "work_plan": "2026年完成12所义务教育学校标准化建设，落实学生资助政策，巩固义务教育普及成果。",
        "annual_goal": "2026年完成12所学校标准化建设，义务教育巩固率不低于98%，适龄儿童全部入学，家长满意度不低于90%。",
        "indicators": copy.deepcopy(INDICATORS),
    }
    data.update(over)
    return data


@pytest.fixture
def users(login_as) -> Users:
    return Users(login_as)


@pytest.fixture
def flow(users) -> dict:
    resp = deploy_folder(users["admin"], KEY, ROOT / KEY)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()
