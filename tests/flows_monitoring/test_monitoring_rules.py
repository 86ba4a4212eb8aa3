"""The colour thresholds and the schedule live in the rule table monitoring_rules: an admin deploys a new
version and new instances follow it, while an instance already running keeps the table it started with."""

from __future__ import annotations

from server.flows.monitoring.models import Colour
from tests.api.helpers import start
from tests.flows_goal_review.conftest import deploy_variant, steps
from tests.flows_monitoring.conftest import JANUARY, KEY, REPORT, approved_project, month_end, reports
from tests.flows_monitoring.test_monitoring_year import file


def test_thresholds_and_schedule_follow_the_dmn(app, users, flows, clock):
    clock.set(JANUARY)
    old = approved_project(users)
    running = start(users["school1"], KEY, {"project_code": old})["id"]

    new = deploy_variant(users, KEY, {"monitoring_rules.dmn": [
        ("<text>0.6</text>", "<text>0.5</text>"), ("<text>0.8</text>", "<text>0.7</text>"),
        ('<outputEntry id="OutputEntry_interval_months"><text>1</text>',
         '<outputEntry id="OutputEntry_interval_months"><text>3</text>')]})
    assert new["version"] == 2
    code = approved_project(users, project_name="县第一中学食堂改造")
    quarterly = start(users["school1"], KEY, {"project_code": code})["id"]

    month_end(clock, app, 1)
    assert steps(users["school1"], quarterly) == []  # quarterly: nothing to file in January
    file(users, running, 1, 22500)  # 75% of the pace: yellow under the shipped table
    assert reports(app, old)[-1].execution_colour == Colour.YELLOW

    month_end(clock, app, 2)
    month_end(clock, app, 3)
    assert steps(users["school1"], quarterly) == [REPORT]
    file(users, quarterly, 3, 67500)  # 75%: green under the new table (yellow from 70%, red below 50%)
    (march,) = reports(app, code)
    assert (march.month, march.execution_ratio, march.execution_colour) == (3, 0.75, Colour.GREEN)
