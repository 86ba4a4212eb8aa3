"""The project page offers the flows its reader may start for the project (issue 11.1 on the page of 11.3)."""

from __future__ import annotations

from sqlalchemy import select

from server.db import db
from server.models import Project
from tests.api.helpers import deploy_folder
from tests.flows_goal_review.conftest import ROOT, in_library
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


def test_the_library_offers_the_same_starts_on_each_row_and_the_years_batches_on_top(app, users, flows):
    code = in_library(users)
    unit = logged_in(app.test_client(), "school1").get("/projects").get_data(as_text=True)
    row = unit.split(code, 1)[1].split("</tr>")[0]
    assert 'class="row-action"' in row and "发起绩效目标编审" in row
    assert "新建项目申报" in unit.split('class="start-actions"')[1].split("</div>")[0]
    deploy_folder(users["admin"], "monitoring", ROOT / "monitoring")  # a flow the office starts per year
    office = logged_in(app.test_client(), "perf")
    assert "批量发起" not in office.get("/projects").get_data(as_text=True)  # no year chosen: no batch
    header = office.get("/projects?year=2026").get_data(as_text=True).split('class="start-actions"')[1]
    assert "/start/batch/monitoring?fiscal_year=2026" in header.split("</div>")[0]
