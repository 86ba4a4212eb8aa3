"""After the year, the performance office opens the evaluation of every project with approved goals at once;
each instance belongs to the project's unit, which finds its self-evaluation when the rule table opens it."""

from __future__ import annotations

from tests.api.helpers import workable
from tests.flows_evaluation.conftest import KEY, SELF, county, wake_at
from tests.flows_goal_review.conftest import steps
from tests.flows_monitoring.conftest import JANUARY, approved_project

BATCH = f"/api/v1/process-models/{KEY}/batch-start"


def test_the_office_opens_every_evaluation_of_the_year(app, users, flows, clock):
    clock.set(JANUARY)
    first = approved_project(users)
    second = approved_project(users, project_name="县第一中学图书馆扩建")
    wake_at(clock, app, county(2027, 1, 5, 9))
    resp = users["perf"].post(BATCH, json={"fiscal_year": 2026})
    assert resp.status_code == 201, resp.get_json()
    started = {row["project_code"]: row["instance_id"] for row in resp.get_json()["started"]}
    assert set(started) == {first, second}
    assert [t for t in workable(users["perf"]) if t["process_key"] == KEY] == []

    # The self-evaluation opens after the year's December report could be filed (rule table: 15 days).
    assert steps(users["school1"], started[first]) == []
    wake_at(clock, app, county(2027, 1, 16, 9))
    assert steps(users["school1"], started[first]) == [SELF]
    assert steps(users["school1"], started[second]) == [SELF]
    assert steps(users["water1"], started[first]) == []

    again = users["perf"].post(BATCH, json={"fiscal_year": 2026})
    assert again.status_code == 200 and again.get_json()["started"] == []
