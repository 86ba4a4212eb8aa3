"""No database error text ever reaches a user: a value the database refuses (a NUL a flow computed, which
PostgreSQL's text cannot hold) fails the step with a plain message; the SQL and driver text stay in the log."""

from __future__ import annotations

from tests.api.bpmn_text import PROJECT_FORM, admit_flow
from tests.api.helpers import start, upload

LEAKS = ("SQL", "INSERT", "psycopg", "sqlite3", "DataError", "0x00", "parameters", "sqlalche.me")


def test_a_value_the_database_refuses_shows_no_database_text(login_as):
    nul_flow = admit_flow().replace('value="project_name"', "value=\"project_name + '\\x00'\"")
    assert upload(login_as("admin"), "admit", {"admit.bpmn": nul_flow, "p.json": PROJECT_FORM}).status_code == 201
    school = login_as("school1")
    inst = start(school, "admit")
    resp = school.post(f"/api/v1/tasks/{inst['open_tasks'][0]['id']}/complete",
                       json={"data": {"project_name": "县一中食堂改造", "amount": 1000}})
    shown = resp.get_data(as_text=True)
    # SQLite stores the NUL; PostgreSQL refuses it, and the step fails with a message meant for people.
    assert resp.status_code == 200 or "数据库拒绝保存" in resp.get_json()["message"], shown
    page = school.get(f"/api/v1/process-instances/{inst['id']}").get_data(as_text=True)
    for leak in LEAKS:
        assert leak not in shown and leak not in page, (leak, shown, page)
