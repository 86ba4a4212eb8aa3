"""A PostgreSQL restart or a cut connection (maintenance night, failover, a firewall dropping idle sockets)
heals by itself: the next requests succeed, a step cut mid-way answers 503 with nothing of it saved."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import func, select

from server.db import db
from server.models import AuditEvent, HumanTask, ProcessInstance, TaskStatus
from server.services import tasks as task_service
from tests.api.helpers import FLOWS, complete, deploy_folder, start
from tests.support import postgres

pytestmark = pytest.mark.own_database


@pytest.fixture
def db_url(postgres_url: str) -> str:
    return postgres_url  # PostgreSQL only: SQLite has no connection to cut


def _cut_every_connection(app) -> int:
    """What `pg_terminate_backend` does to a server on a restart: every session of the app's database ends."""
    name = app.config["SQLALCHEMY_DATABASE_URI"].rsplit("/", 1)[-1]
    with psycopg.connect(postgres.admin_url(), autocommit=True) as admin:
        return len(admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall())


def test_requests_after_every_connection_is_cut_succeed(app, login_as):
    admin, school = login_as("admin"), login_as("school1")
    assert deploy_folder(admin, "simple", FLOWS / "simple").status_code == 201
    first = start(school, "simple")
    assert _cut_every_connection(app) >= 1
    # No failed click: pooled connections are pinged at checkout and replaced, on the read and write paths.
    assert school.get("/api/v1/tasks", query_string={"view": "mine"}).status_code == 200
    second = start(school, "simple")
    assert _cut_every_connection(app) >= 1
    for inst in (first, second):
        assert complete(school, inst["open_tasks"][0]["id"], {"x": 5})["instance"]["id"] == inst["id"]


def test_a_cut_in_the_middle_of_a_completion_answers_503_and_saves_nothing(app, login_as, monkeypatch):
    assert deploy_folder(login_as("admin"), "simple", FLOWS / "simple").status_code == 201
    school = login_as("school1")
    inst = start(school, "simple")
    task_id = inst["open_tasks"][0]["id"]
    follow_ups = task_service.run_follow_ups

    def cut_before_commit(context):  # the step is written, uncommitted, when the database goes away
        follow_ups(context)
        _cut_every_connection(app)

    monkeypatch.setattr(task_service, "run_follow_ups", cut_before_commit)
    once = {"Idempotency-Key": "cut-1"}
    resp = school.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"x": 5}}, headers=once)
    assert resp.status_code == 503, resp.get_json()
    assert resp.get_json()["error"] == "db_unavailable" and resp.headers["Retry-After"]
    assert "他人" not in resp.get_json()["message"]  # not reported as someone else's change
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        assert task.status == TaskStatus.OPEN and task.completed_by_id is None
        lock_version = db.session.get(ProcessInstance, inst["id"]).lock_version
        assert db.session.scalar(select(func.count()).select_from(HumanTask)
                                 .where(HumanTask.instance_id == inst["id"])) == 1
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.instance_id == inst["id"], AuditEvent.action == "complete")) == 0
    with app.app_context():
        assert db.session.get(ProcessInstance, inst["id"]).lock_version == lock_version  # read before the step
    monkeypatch.setattr(task_service, "run_follow_ups", follow_ups)
    # The retry (same request and key, as Retry-After says) runs afresh: the key was not kept with the failure.
    retried = school.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"x": 5}}, headers=once)
    assert retried.status_code == 200 and retried.get_json()["instance"]["id"] == inst["id"]
    again = school.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"x": 5}}, headers=once)
    assert again.get_json() == retried.get_json() and again.headers["Idempotent-Replayed"] == "true"


def test_a_page_whose_database_goes_away_says_so_in_chinese_and_the_next_one_works(app, monkeypatch):
    from server.services import inbox
    from tests.web.conftest import Browser

    browser = Browser(app.test_client())
    assert browser.login("fin_edu").status_code == 302
    list_page = inbox.list_page

    def cut_then_list(*args, **kwargs):  # the connection the request already holds dies under it
        _cut_every_connection(app)
        return list_page(*args, **kwargs)

    monkeypatch.setattr(inbox, "list_page", cut_then_list)
    resp = browser.get("/inbox")
    assert resp.status_code == 503 and resp.headers["Retry-After"]
    assert "数据库暂时不可用" in resp.get_data(as_text=True)
    monkeypatch.setattr(inbox, "list_page", list_page)
    assert browser.get("/inbox").status_code == 200


def test_a_worker_pass_after_a_cut_fires_due_timers(app, clock, login_as):
    from datetime import timedelta
    from pathlib import Path

    from server.scheduler import drain

    timer_flow = Path(__file__).resolve().parent.parent / "cli" / "data" / "timer_demo"
    assert app.test_cli_runner().invoke(args=["deploy", str(timer_flow)]).exit_code == 0
    school = login_as("school1")
    inst = school.post("/api/v1/process-instances", json={"process_key": "timer_demo"}).get_json()
    drain(app)  # the worker's pooled connection exists before the cut
    clock.advance(timedelta(hours=1, seconds=1))
    _cut_every_connection(app)
    assert drain(app) == 1
    shown = school.get(f"/api/v1/process-instances/{inst['id']}").get_json()
    assert [t["element_id"] for t in shown["open_tasks"]] == ["write_note"]
