"""`jixiao init`, `deploy` and `worker --once`, run in-process against both databases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from server.db import db
from server.models import ProcessModel

DATA = Path(__file__).parent / "data"


def invoke(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


# `init --demo` on an empty database, and doing it again, is tested once per database with the year it seeds:
# tests/cli/test_demo_year.py (the year is the slow part, so it is played once there).


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


def test_deploy_a_foreign_bpmn20_file_with_its_lanes_mapped(app):
    foreign = Path(__file__).parent.parent / "engine" / "fixtures" / "foreign"
    refused = invoke(app, "deploy", str(foreign / "reimburse_zh.bpmn"))
    assert refused.exit_code == 1 and "unit_staff（实施单位）" in refused.output
    mapped = invoke(app, "deploy", str(foreign / "reimburse_zh.bpmn"), "--lane-role", "申请人=unit_staff",
                    "--lane-role", "财务=finance_section")
    assert mapped.exit_code == 0, mapped.output
    lane_less = invoke(app, "deploy", str(foreign / "payment_wait.bpmn20.xml"), "--default-role", "performance_office")
    assert lane_less.exit_code == 0 and "payment_wait：已部署第 1 版" in lane_less.output, lane_less.output


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


@pytest.mark.parametrize("command", ["init", "deploy", "run", "serve", "worker"])
def test_every_command_explains_itself(app, command):
    result = invoke(app, command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output
