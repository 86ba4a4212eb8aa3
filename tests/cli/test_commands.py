"""`jixiao init`, `deploy` and `worker --once`, run in-process against both databases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server.db import db
from server.models import Organisation, ProcessModel, Project, User
from tests.conftest import dispose, make_app

DATA = Path(__file__).parent / "data"


def invoke(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


DESIGN_USERS = {"admin", "perf", "fin_edu", "fin_agri", "edu_head", "school1", "water_head", "water1",
                "expert1", "expert2"}


def test_init_demo_on_an_empty_database_is_repeatable(empty_db_url, instance_path, monkeypatch):
    app = make_app(empty_db_url)
    try:
        first = invoke(app, "init", "--demo")
        assert first.exit_code == 0, first.output
        assert "数据库已迁移到最新版本" in first.output
        assert "演示县的组织和用户已就绪" in first.output
        with app.app_context():
            counts = (db.session.scalar(select(func.count(User.id))),
                      db.session.scalar(select(func.count(Organisation.id))),
                      db.session.scalar(select(func.count(ProcessModel.id))),
                      db.session.scalar(select(func.count(Project.id))))
            names = set(db.session.scalars(select(User.username)))
        # DESIGN.md's demo users, plus the units the demo fiscal year adds; the year's projects are seeded once.
        assert names >= DESIGN_USERS and counts[0] > len(DESIGN_USERS)
        assert counts[3] >= 30

        second = invoke(app, "init", "--demo")
        assert second.exit_code == 0, second.output
        assert "已部署" not in second.output  # shipped flows were already current
        with app.app_context():
            assert (db.session.scalar(select(func.count(User.id))),
                    db.session.scalar(select(func.count(Organisation.id))),
                    db.session.scalar(select(func.count(ProcessModel.id))),
                    db.session.scalar(select(func.count(Project.id)))) == counts
        resp = app.test_client().post("/api/v1/session", json={"username": "perf", "password": "demo"})
        assert resp.status_code in (200, 201)
    finally:
        dispose(app)


def test_deploy_a_folder_then_the_same_content_again(app, login_as):
    first = invoke(app, "deploy", str(DATA / "timer_demo"))
    assert first.exit_code == 0, first.output
    assert "timer_demo：已部署第 1 版" in first.output

    again = invoke(app, "deploy", str(DATA / "timer_demo"))
    assert again.exit_code == 0, again.output
    assert "内容未变化，仍为第 1 版" in again.output

    models = login_as("admin").get("/api/v1/process-models").get_json()
    assert {"key": "timer_demo", "name": "计时器演示", "current_version": 1} in models


def test_deploy_a_bpmn_file_finds_its_form_beside_it(app):
    result = invoke(app, "deploy", str(DATA / "timer_demo" / "timer_demo.bpmn"), "--key", "note_flow")
    assert result.exit_code == 0, result.output
    assert "note_flow：已部署第 1 版（2 个文件）" in result.output


def test_deploy_refuses_an_unknown_lane_in_chinese(app):
    result = invoke(app, "deploy", str(DATA / "bad_lane"))
    assert result.exit_code == 1
    assert "✗ bad_lane：" in result.output
    assert "accountant" in result.output
    with app.app_context():
        assert db.session.scalar(select(ProcessModel).where(ProcessModel.key == "bad_lane")) is None


def test_deploy_reports_a_missing_form(app, tmp_path):
    bpmn = tmp_path / "lonely.bpmn"
    bpmn.write_bytes((DATA / "timer_demo" / "timer_demo.bpmn").read_bytes())
    result = invoke(app, "deploy", str(bpmn))
    assert result.exit_code == 1
    assert "找不到表单文件 timer-note-schema.json" in result.output


def test_worker_once_wakes_instances_whose_timer_is_due(app, clock, login_as):
    assert invoke(app, "deploy", str(DATA / "timer_demo")).exit_code == 0
    school1 = login_as("school1")
    started = school1.post("/api/v1/process-instances", json={"process_key": "timer_demo"})
    assert started.status_code == 201, started.get_data(as_text=True)
    instance_id = started.get_json()["id"]
    assert started.get_json()["open_tasks"] == []

    idle = invoke(app, "worker", "--once")
    assert idle.exit_code == 0, idle.output
    assert "已唤醒 0 个流程实例" in idle.output

    clock.advance(timedelta(minutes=61))
    woke = invoke(app, "worker", "--once")
    assert woke.exit_code == 0, woke.output
    assert "已唤醒 1 个流程实例" in woke.output

    instance = school1.get(f"/api/v1/process-instances/{instance_id}").get_json()
    assert [t["element_id"] for t in instance["open_tasks"]] == ["write_note"]


@pytest.mark.parametrize("command", ["init", "deploy", "run", "worker"])
def test_every_command_explains_itself(app, command):
    result = invoke(app, command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output
