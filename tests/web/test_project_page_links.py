"""The project page carries what the other parts of the front door add: the files the project's completed steps
hold (downloadable only in scope) and the flows the reader may start for it (issue 11.1, 11.3, 11.5)."""

from __future__ import annotations

from sqlalchemy import select

from server.db import db
from server.models import Project
from tests.api.helpers import complete, deploy_folder, start
from tests.api.test_attachments import uploaded
from tests.flows_ex_ante.conftest import FLOW_DIR, KEY, application
from tests.flows_monitoring.test_monitoring_page import logged_in
from tests.support import files


def test_the_project_page_lists_the_files_of_its_steps_for_readers_in_scope(app, login_as):
    deploy_folder(login_as("admin"), KEY, FLOW_DIR)
    school = login_as("school1")
    pdf = uploaded(school, files.PDF, "可研报告.pdf")["id"]
    inst = start(school, KEY)
    task = next(t for t in inst["open_tasks"] if t["element_id"] == "Task_Apply")
    complete(school, task["id"], application(material_files=[pdf]))
    with app.app_context():
        project_id = db.session.scalar(select(Project.id).where(Project.instance_id == inst["id"]))

    page = logged_in(app.test_client(), "edu_head").get(f"/projects/{project_id}").get_data(as_text=True)
    files_block = page.split('id="attachments"')[1].split("</section>")[0]
    assert "可研报告.pdf" in files_block and f"/attachments/{pdf}" in files_block
    assert f"/instances/{inst['id']}" in files_block  # the step that carried it
    water = logged_in(app.test_client(), "water_head")
    assert water.get(f"/projects/{project_id}").status_code == 404
    assert water.get(f"/attachments/{pdf}").status_code == 404
