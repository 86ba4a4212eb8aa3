"""The project page offers the flows its reader may start for the project (issue 11.1 on the page of 11.3)."""

from __future__ import annotations

from sqlalchemy import select

from server.db import db
from server.models import Project
from tests.flows_goal_review.conftest import in_library
from tests.flows_monitoring.test_monitoring_page import logged_in


def test_the_project_page_offers_what_its_unit_may_start_next(app, users, flows):
    code = in_library(users)
    with app.app_context():
        project_id = db.session.scalar(select(Project.id).where(Project.code == code))
    unit = logged_in(app.test_client(), "school1").get(f"/projects/{project_id}").get_data(as_text=True)
    actions = unit.split('class="start-actions"')[1].split("</div>")[0]
    assert "发起绩效目标编审" in actions and "/start/" in actions
    head = logged_in(app.test_client(), "edu_head").get(f"/projects/{project_id}").get_data(as_text=True)
    assert 'class="start-actions"' not in head  # the department reviews; it starts nothing for the unit
