"""Issue 13 point 4 end to end: the administrator raises 优 from 90 to 95 points on the rule-table page; its test
run grades 92 as 良, and after the deploy a new evaluation scored 92 is graded 良 by the engine, while an
evaluation started before keeps version 1 and its 优."""

from __future__ import annotations

from decimal import Decimal

from tests.api.helpers import start
from tests.flows_evaluation.conftest import FULL, KEY, REVIEW, SELF, county, evaluation, self_form, wake_at
from tests.flows_goal_review.conftest import do
from tests.flows_monitoring.conftest import approved_project
from tests.web.conftest import Browser
from tests.web.test_admin_rule_tables import URL, form_of


def self_evaluate_at_92(users, iid: int) -> None:
    """Every indicator met (90 points) and 20% of the budget spent (2 points): 92."""
    rows = self_form(users["school1"], iid, FULL, 100)
    do(users["school1"], iid, SELF, {"spent": 72000, "indicator_scores": rows, "explanation": "目标全部完成"})
    do(users["perf"], iid, REVIEW, {"review_decision": "accept", "review_opinion": "同意"})


def test_grade_band_edited_on_the_page_grades_new_evaluations(app, users, flows, clock):
    old = approved_project(users)
    new = approved_project(users, project_name="县第一中学食堂改造")
    wake_at(clock, app, county(2027, 2, 1, 9))
    running = start(users["school1"], KEY, {"project_code": old})["id"]

    admin = Browser(app.test_client())
    assert admin.login("admin").status_code == 302
    form = form_of(admin.get(URL).get_data(as_text=True)) | {"r0-in0": ">= 95", "r0-out1": '"综合得分 95 分（含）以上为优"'}
    run = admin.post(URL, {**form, "action": "run", "run-score": "92"}).get_data(as_text=True)
    assert "命中规则：第 2 条" in run and '<td class="rule-run-value">良</td>' in run
    assert admin.post(URL, {**form, "action": "deploy"}).status_code == 303

    following = start(users["school1"], KEY, {"project_code": new})["id"]
    self_evaluate_at_92(users, running)
    self_evaluate_at_92(users, following)
    assert (evaluation(app, old).score, evaluation(app, old).grade) == (Decimal(92), "优")
    assert (evaluation(app, new).score, evaluation(app, new).grade) == (Decimal(92), "良")
