"""Messages and timers behind an event-based gateway, at the engine (issue 13.8c,d): correlation as SpiffWorkflow
does it but without its first-message trap, payloads kept, the gateway's timer in the instance's next due time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.engine.conftest import T0, compile_files

FOREIGN = Path(__file__).resolve().parent / "fixtures" / "foreign"


def _pkg(name: str, **options):
    from server.engine.operators import default_registry
    from server.engine.parsing import compile_package
    from tests.engine.conftest import ROLES

    return compile_package({name: (FOREIGN / name).read_bytes()}, known_roles=ROLES, operators=default_registry(),
                           **options)


def test_the_gateway_timer_is_the_next_due_time_and_fires_when_the_clock_passes_it(runner, manual_clock):
    wf = runner.start(_pkg("payment_wait.bpmn20.xml", default_role="performance_office"))
    assert wf.status == "waiting" and wf.waiting_messages() == ["payment_received"]
    assert wf.next_timer_due() == T0 + timedelta(days=2)
    manual_clock.advance(timedelta(days=1))
    wf.refresh()
    assert [v.name for v in wf.user_tasks()] == []
    manual_clock.advance(timedelta(days=1, seconds=1))
    wf = runner.again(wf)
    wf.refresh()
    assert [v.name for v in wf.user_tasks()] == ["remind"] and wf.next_timer_due() is None


def test_a_message_wins_the_race_and_its_payload_is_in_the_data(runner):
    wf = runner.start(_pkg("payment_wait.bpmn20.xml", default_role="performance_office"))
    assert wf.catch_message("payment_received", {}, {"amount": 1200})
    wf = runner.again(wf)
    [book] = wf.user_tasks()
    assert book.name == "book" and book.data["amount"] == 1200 and book.lane == "performance_office"
    assert wf.next_timer_due() is None and wf.waiting_messages() == []


def test_an_instance_without_correlation_values_catches_only_messages_matching_its_own_data(runner):
    pkg = _pkg("funds_wait.bpmn", lane_roles={"Applicant": "unit_staff"})
    wf = runner.start(pkg, {"project_code": "P-1"})
    assert not wf.catch_message("funds_arrived", {"project_code": "P-2"}, {})  # SpiffWorkflow alone: caught
    assert not wf.catch_message("funds_arrived", {}, {})  # correlated messages need their values
    assert not wf.catch_message("other", {"project_code": "P-1"}, {})
    assert wf.catch_message("funds_arrived", {"project_code": "P-1"}, {"amount": 5})
    assert [v.name for v in runner.again(wf).user_tasks()] == ["use_funds"]


def test_a_thrown_message_nobody_inside_catches_is_handed_out_with_its_correlation(runner):
    wf = runner.start(_pkg("funds_notice.bpmn", default_role="performance_office"))
    [announce] = wf.user_tasks()
    wf.complete(announce.task_id, {"project_code": "P-1", "amount": 9})
    [out] = wf.thrown_messages()
    assert out.name == "funds_arrived" and out.correlation == {"project_code": "P-1"}
    assert out.payload["amount"] == 9
    assert wf.thrown_messages() == []  # read once


def test_two_pools_run_in_one_instance_and_their_messages_stay_inside(runner):
    pkg = _pkg("report_two_pools.bpmn", lane_roles={"Clerk": "unit_staff", "审核员": "performance_office"})
    assert pkg.process_id == "report_unit"
    wf = runner.start(pkg)
    [prepare] = wf.user_tasks()
    assert prepare.lane == "unit_staff"
    wf = runner.complete(wf, prepare.task_id, {"pages": 3})
    [review] = wf.user_tasks()
    assert review.lane == "performance_office" and review.data.get("pages") == 3  # the message carried the data
    wf = runner.complete(wf, review.task_id, {})
    assert wf.status == "completed" and wf.thrown_messages() == []


def test_a_collaboration_with_two_startable_pools_is_refused_naming_them():
    import pytest

    from server.engine.errors import DeployError

    xml = (FOREIGN / "report_two_pools.bpmn").read_bytes().replace(
        b'<bpmn:messageEventDefinition messageRef="m_filed" /></bpmn:startEvent>', b"</bpmn:startEvent>")
    with pytest.raises(DeployError) as err:
        compile_files({"r.bpmn": xml.replace(b'name="Clerk"', b'name="unit_staff"')
                       .replace('name="审核员"'.encode(), b'name="performance_office"')})
    assert {p.element_id for p in err.value.problems} == {"report_unit", "report_bureau"}
    assert all("只能有一个" in p.message for p in err.value.problems)
