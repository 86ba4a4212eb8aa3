"""Issue 9, findings 10, 11 and 12 (input half): text and numbers no layer can hold are refused at the door.

NUL, lone surrogates, NaN/Infinity (and 1e999, which a float parser turns into Infinity) and JSON nested deeper
than any form are answered with the API's 422, naming the field, before authentication and before any view,
on SQLite and PostgreSQL alike (PostgreSQL's text and JSON refuse NUL and NaN: today those are 500s).
Nothing is saved and no instance goes into error.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.db import db
from server.models import ProcessInstance
from server.request_hygiene import checks_own_fields
from tests.api.helpers import FLOWS, complete, deploy_folder, start, upload


def count_instances(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcessInstance))


def raw_post(user, path: str, text: str):
    """Send JSON exactly as written (NaN, escapes for NUL or a lone surrogate), as a hostile client would."""
    return user.post(path, data=text.encode(), content_type="application/json")


def refused(resp, field: str) -> str:
    body = resp.get_json()
    assert resp.status_code == 422, (resp.status_code, resp.get_data(as_text=True)[:500])
    assert body["error"] == "validation_failed" and body["message"]
    assert field in body["fields"], body
    return body["fields"][field]


@pytest.fixture
def simple(login_as):
    admin, school = login_as("admin"), login_as("school1")
    assert deploy_folder(admin, "simple", FLOWS / "simple").status_code == 201
    return school


NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e999", "-1e400"]


@pytest.mark.parametrize("number", NON_FINITE)
def test_non_finite_numbers_are_refused_on_complete_and_the_instance_stays_workable(app, simple, number):
    opened = start(simple, "simple")
    task_id = opened["open_tasks"][0]["id"]
    resp = raw_post(simple, f"/api/v1/tasks/{task_id}/complete", f'{{"data": {{"x": {number}}}}}')
    assert "有限的数字" in refused(resp, "body.data.x")
    instance = simple.get(f"/api/v1/process-instances/{opened['id']}").get_json()
    assert instance["status"] == "running"
    complete(simple, task_id, {"x": 1.5})


@pytest.mark.parametrize("number", NON_FINITE)
def test_non_finite_numbers_are_refused_on_start_and_nothing_is_saved(app, simple, number):
    before = count_instances(app)
    resp = raw_post(simple, "/api/v1/process-instances", f'{{"process_key": "simple", "data": {{"n": [1, {number}]}}}}')
    assert "有限的数字" in refused(resp, "body.data.n[1]")
    assert count_instances(app) == before


@pytest.mark.parametrize(("text", "problem"), [("a\\u0000b", "空字符"), ("x\\ud800y", "代理项"), ("\\udfff", "代理项")])
def test_an_opinion_no_database_can_hold_is_refused_and_the_instance_stays_running(app, simple, text, problem):
    opened = start(simple, "simple")
    first = opened["open_tasks"][0]["id"]
    after = complete(simple, first, {"x": 50})["instance"]  # above 10: on to task_b, the opinion
    second = next(t["id"] for t in after["open_tasks"] if t["element_id"] == "task_b")
    resp = raw_post(simple, f"/api/v1/tasks/{second}/complete", f'{{"data": {{"note": "{text}"}}}}')
    assert problem in refused(resp, "body.data.note")
    instance = simple.get(f"/api/v1/process-instances/{opened['id']}").get_json()
    assert instance["status"] == "running" and not instance.get("error_message")
    complete(simple, second, {"note": "同意"})


def test_a_bad_key_is_named_with_its_escape(simple):
    task_id = start(simple, "simple")["open_tasks"][0]["id"]
    resp = raw_post(simple, f"/api/v1/tasks/{task_id}/complete", '{"data": {"x\\ud800": 1}}')
    assert "代理项" in refused(resp, "body.data.x\\ud800")


@pytest.mark.parametrize("path", ["/api/v1/tasks", "/api/v1/projects"])
@pytest.mark.parametrize("q", ["\x00", "县\x00中学"])
def test_search_text_with_nul_is_refused(simple, path, q):
    assert "空字符" in refused(simple.get(path, query_string={"q": q}), "query.q")
    assert simple.get(path, query_string={"q": "中学"}).status_code == 200


@pytest.mark.parametrize("key", ["a\\u0000b", "\\ud800", "simple\\udc00"])
def test_process_key_with_bad_text_is_refused(app, simple, key):
    before = count_instances(app)
    resp = raw_post(simple, "/api/v1/process-instances", f'{{"process_key": "{key}", "data": {{}}}}')
    refused(resp, "body.process_key")
    assert count_instances(app) == before


def test_bad_text_in_a_path_segment_is_refused(login_as):
    admin = login_as("admin")
    resp = admin.post("/api/v1/process-models/a%00b/versions", data={}, content_type="multipart/form-data")
    refused(resp, "path.key")


def test_bad_text_in_an_uploaded_file_name_is_refused(login_as):
    from io import BytesIO

    admin = login_as("admin")
    resp = admin.post("/api/v1/process-models/k/versions", data={"files": [(BytesIO(b"x"), "a\x00.bpmn")]},
                      content_type="multipart/form-data")
    refused(resp, "files.files")
    assert upload(admin, "k", {"a.bpmn": "x"}).status_code == 422  # the same upload, named normally: parsed


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"username": "school1", "password": "\\ud800"}', "body.password"),
        ('{"username": "school1\\u0000", "password": "demo"}', "body.username"),
        ('{"username": "school1", "password": "demo", "x": NaN}', "body.x"),
    ],
)
def test_login_refuses_bad_text_before_looking_anyone_up(client, body, field):
    resp = client.post("/api/v1/session", data=body, content_type="application/json")
    refused(resp, field)


def test_the_door_answers_before_authentication(client):
    resp = client.get("/api/v1/tasks", query_string={"q": "\x00"})
    refused(resp, "query.q")  # not 401: the text is refused before anyone is looked up
    assert client.get("/api/v1/tasks").status_code == 401


def test_deep_nesting_is_refused_naming_where(simple):
    task_id = start(simple, "simple")["open_tasks"][0]["id"]
    deep = "[" * 40 + "]" * 40
    resp = raw_post(simple, f"/api/v1/tasks/{task_id}/complete", f'{{"data": {{"x": {deep}}}}}')
    assert "嵌套" in " ".join(resp.get_json()["fields"].values())
    resp = raw_post(simple, f"/api/v1/tasks/{task_id}/complete", "[" * 100_000)
    assert "嵌套" in refused(resp, "body")


def test_what_is_merely_not_json_keeps_the_views_own_answer(simple):
    task_id = start(simple, "simple")["open_tasks"][0]["id"]
    resp = raw_post(simple, f"/api/v1/tasks/{task_id}/complete", "{not json")
    assert resp.status_code == 422 and "JSON" in resp.get_json()["message"]


def test_an_endpoint_can_check_its_own_fields(app):
    from flask import request

    @checks_own_fields
    def own_check():
        return {"t": "NUL" if "\x00" in request.args["t"] else "clean"}

    app.add_url_rule("/api/own-check", "own_check", own_check)
    app.add_url_rule("/api/door-check", "door_check", lambda: {"ok": True})
    client = app.test_client()
    assert client.get("/api/own-check", query_string={"t": "a\x00b"}).get_json() == {"t": "NUL"}
    refused(client.get("/api/door-check", query_string={"t": "a\x00b"}), "query.t")
