"""BPMN drawn by other tools runs (issue 13.8): each diagram under fixtures/foreign/ (written for this test in the
styles of other modellers) is refused as it stands, naming its lanes and the valid roles, deploys once its lanes
are mapped, and runs to its end through the HTTP API — tasks done by the mapped roles, messages sent, the clock
moved for timers behind an event-based gateway."""

from __future__ import annotations

import json
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest

from server.scheduler import run_pass
from tests.api.helpers import complete, start, workable
from tests.support.api import ApiUser

FOREIGN = Path(__file__).resolve().parent / "fixtures" / "foreign"

# file -> (model key, deploy options)
CORPUS = {
    "leave_en.bpmn": ("leave", {"lane_roles": {"Applicant": "unit_staff", "Manager": "dept_reviewer"}}),
    "reimburse_zh.bpmn": ("reimburse", {"lane_roles": {"申请人": "unit_staff", "财务": "finance_section"}}),
    "payment_wait.bpmn20.xml": ("payment", {"default_role": "performance_office",
                                            "start_role": "performance_office"}),
    "report_two_pools.bpmn": ("report", {"lane_roles": {"Clerk": "unit_staff", "审核员": "performance_office"}}),
    "funds_wait.bpmn": ("funds-wait", {"lane_roles": {"Applicant": "unit_staff"}}),
    "funds_notice.bpmn": ("funds-notice", {"default_role": "performance_office", "start_role": "performance_office"}),
}


def deploy(admin: ApiUser, name: str, options: dict | None = None):
    key = CORPUS[name][0]
    form = {"files": [(BytesIO((FOREIGN / name).read_bytes()), name)]}
    for option, value in (options or {}).items():
        form[option] = json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value
    return admin.post(f"/api/v1/process-models/{key}/versions", data=form, content_type="multipart/form-data")


def one_task(user: ApiUser, instance_id: int) -> dict:
    found = [t for t in workable(user) if t["instance_id"] == instance_id]
    assert len(found) == 1, (user, found)
    return found[0]


def status(user: ApiUser, instance_id: int) -> dict:
    resp = user.get(f"/api/v1/process-instances/{instance_id}")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_every_foreign_diagram_is_refused_naming_its_elements_until_its_lanes_are_mapped(login_as):
    admin = login_as("admin")
    for name in CORPUS:
        resp = deploy(admin, name)
        assert resp.status_code == 422, (name, resp.get_json())
        body = resp.get_json()
        assert all("unit_staff（实施单位）" in message and "performance_office（绩效管理股）" in message
                   for message in body["fields"].values()), body
        assert all("#" in field for field in body["fields"]), body  # file#element
    refused = deploy(admin, "leave_en.bpmn").get_json()["fields"]
    assert set(refused) == {"leave_en.bpmn#Lane_applicant", "leave_en.bpmn#Lane_manager"}
    assert "Applicant" in refused["leave_en.bpmn#Lane_applicant"]
    # A mapping to something that is not a role, or naming a lane the diagram lacks: refused, saying what is valid.
    bad = deploy(admin, "leave_en.bpmn", {"lane_roles": {"Applicant": "boss", "Manager": "dept_reviewer"}})
    assert bad.status_code == 422 and "dept_reviewer（主管部门）" in bad.get_json()["fields"]["lane_roles"]
    typo = deploy(admin, "leave_en.bpmn", {"lane_roles": {"Applicant": "unit_staff", "Manger": "dept_reviewer"}})
    assert typo.status_code == 422 and "Manager" in json.dumps(typo.get_json(), ensure_ascii=False)
    junk = admin.post("/api/v1/process-models/leave/versions", content_type="multipart/form-data", data={
        "files": [(BytesIO((FOREIGN / "leave_en.bpmn").read_bytes()), "leave_en.bpmn")], "lane_roles": "[1, 2"})
    assert junk.status_code == 422 and "lane_roles" in junk.get_json()["fields"]
    assert admin.get("/api/v1/process-models").get_json() == [
        m for m in admin.get("/api/v1/process-models").get_json() if m["key"] not in {k for k, _o in CORPUS.values()}
    ]


def test_foreign_diagrams_run_to_their_end_through_the_api(app, clock, login_as):
    admin = login_as("admin")
    for name, (_key, options) in CORPUS.items():
        resp = deploy(admin, name, options)
        assert resp.status_code == 201, (name, resp.get_json())
    assert deploy(admin, "leave_en.bpmn", CORPUS["leave_en.bpmn"][1]).get_json()["start_role"] == "unit_staff"

    # English lanes; user tasks without forms keep what is submitted, and the gateway reads it.
    school, head = login_as("school1"), login_as("edu_head")
    leave = start(school, "leave")["id"]
    complete(school, one_task(school, leave)["id"], {"days": 3})
    complete(head, one_task(head, leave)["id"], {"approved": True})
    done = status(school, leave)
    assert done["status"] == "completed"
    assert [e for e in done["history"] if e["action"] == "complete"][0]["data"] == {"days": 3}

    # Chinese lanes, a plain <task> and a manual task: a confirm with no data is enough; finance by sector.
    fin = login_as("fin_edu")
    claim = start(school, "reimburse")
    assert claim["open_tasks"][0]["role"] == "unit_staff"
    complete(school, one_task(school, claim["id"])["id"], {})
    complete(fin, one_task(fin, claim["id"])["id"], {})
    assert status(school, claim["id"])["status"] == "completed"

    # A collaboration of two pools: the bureau's pool starts on the unit's message and answers it.
    perf = login_as("perf")
    report = start(school, "report")["id"]
    complete(school, one_task(school, report)["id"], {"pages": 12})
    review = one_task(perf, report)
    assert review["title"] == "Review the report"
    complete(perf, review["id"], {})
    assert status(school, report)["status"] == "completed"

    # Lane-less .bpmn20.xml: only the chosen start role may start it (not anyone).
    assert school.post("/api/v1/process-instances", json={"process_key": "payment"}).status_code == 403
    paid = start(perf, "payment")["id"]
    sent = admin.post("/api/v1/messages", json={"name": "payment_received", "payload": {"amount": 1200}})
    assert sent.status_code == 200 and sent.get_json() == {"delivered": [paid]}
    late = start(perf, "payment")["id"]
    book = [t for t in workable(perf) if t["instance_id"] == paid][0]
    assert book["title"] == "Book the payment"
    complete(perf, book["id"], {})
    clock.advance(timedelta(days=2, seconds=1))  # the timer behind the event-based gateway fires
    run_pass(app)
    perf = login_as("perf")
    remind = one_task(perf, late)
    assert remind["title"] == "Send a reminder"
    complete(perf, remind["id"], {})
    assert status(perf, late)["status"] == "completed" and status(perf, paid)["status"] == "completed"


@pytest.fixture
def funds(login_as) -> dict:
    admin = login_as("admin")
    for name in ("funds_wait.bpmn", "funds_notice.bpmn"):
        assert deploy(admin, name, CORPUS[name][1]).status_code == 201
    one = start(login_as("school1"), "funds-wait", {"project_code": "P-1"})["id"]
    two = start(login_as("water1"), "funds-wait", {"project_code": "P-2"})["id"]
    return {"P-1": one, "P-2": two}


def test_messages_reach_only_the_correlated_instance_from_the_api_and_from_another_instance(login_as, funds):
    admin, perf, school, water = login_as("admin"), login_as("perf"), login_as("school1"), login_as("water1")
    assert school.post("/api/v1/messages", json={"name": "funds_arrived"}).status_code == 403
    # Correlated by project code: a message for an unknown project reaches nobody, P-2's reaches only P-2.
    none = admin.post("/api/v1/messages", json={"name": "funds_arrived", "correlation": {"project_code": "P-9"}})
    assert none.get_json() == {"delivered": []}
    sent = admin.post("/api/v1/messages", json={"name": "funds_arrived", "correlation": {"project_code": "P-2"},
                                                "payload": {"amount": 80000}})
    assert sent.status_code == 200 and sent.get_json() == {"delivered": [funds["P-2"]]}
    assert one_task(water, funds["P-2"])["title"] == "Use the funds"
    assert not [t for t in workable(school) if t["instance_id"] == funds["P-1"]]
    events = status(water, funds["P-2"])["history"]
    assert [e["data"]["correlation"] for e in events if e["action"] == "message"] == [{"project_code": "P-2"}]

    # The bureau's instance throws the message; it reaches the unit's waiting instance for the same project.
    notice = start(perf, "funds-notice")["id"]
    complete(perf, one_task(perf, notice)["id"], {"project_code": "P-1"})
    use = one_task(school, funds["P-1"])
    assert use["title"] == "Use the funds"
    complete(school, use["id"], {})
    assert status(school, funds["P-1"])["status"] == "completed"


@pytest.mark.parametrize("body", [
    {"name": ""}, {"name": "a|b"}, {"name": "x" * 300}, {"name": ["x"]}, {"name": "m", "correlation": [1]},
    {"name": "m", "correlation": {"k": {"deep": 1}}}, {"name": "m", "payload": "text"},
    {"name": "m", "payload": {"__class__": 1}}, {"name": "m", "payload": {"_x": 1}},
    {"name": "m", "payload": {"x": "a" * 70000}},
])
def test_hostile_messages_are_refused_by_field(login_as, body):
    resp = login_as("admin").post("/api/v1/messages", json=body)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["fields"]


def test_a_lane_less_flow_is_started_by_administrators_unless_deploy_names_a_role(login_as):
    admin, perf = login_as("admin"), login_as("perf")
    resp = deploy(admin, "funds_notice.bpmn", {"default_role": "performance_office"})
    assert resp.status_code == 201 and resp.get_json()["start_role"] == "admin"
    refused = perf.post("/api/v1/process-instances", json={"process_key": "funds-notice"})
    assert refused.status_code == 403
    started = start(admin, "funds-notice")
    assert started["open_tasks"][0]["role"] == "performance_office"  # the default role holds the lane-less task


def test_the_instance_diagram_shows_a_mapped_lane_by_its_role_and_its_own_name(app_ctx):
    from server.services.instance_page import readable_lanes

    xml = (FOREIGN / "leave_en.bpmn").read_text(encoding="utf-8")
    shown = readable_lanes(xml, CORPUS["leave_en.bpmn"][1]["lane_roles"])
    assert 'name="实施单位（Applicant）"' in shown and 'name="主管部门（Manager）"' in shown


@pytest.mark.parametrize("options", [
    {"lane_roles": "[1, 2]"}, {"lane_roles": '{"Applicant": 7}'}, {"lane_roles": '{"": "unit_staff"}'},
    {"lane_roles": '{"Applicant": {"x": 1}}'}, {"lane_roles": "{" + '"a": "b",' * 5000 + '"c": "d"}'},
    {"default_role": "root"}, {"start_role": "anyone"}, {"lane_roles": "\x00"},
])
def test_hostile_lane_options_are_refused_and_nothing_is_deployed(login_as, options):
    admin = login_as("admin")
    form = {"files": [(BytesIO((FOREIGN / "leave_en.bpmn").read_bytes()), "leave_en.bpmn")], **options}
    resp = admin.post("/api/v1/process-models/leave/versions", data=form, content_type="multipart/form-data")
    assert resp.status_code == 422, resp.get_json()
    assert any(option in field for field in resp.get_json()["fields"] for option in options), resp.get_json()
    assert "leave" not in {m["key"] for m in admin.get("/api/v1/process-models").get_json()}


def test_a_delivery_that_loses_the_optimistic_lock_is_tried_again_on_the_fresh_state(app, login_as, funds,
                                                                                         monkeypatch):
    from sqlalchemy import update

    from server.db import db
    from server.models import ProcessInstance
    from server.services import messages

    loads = []
    real = messages.load_workflow

    def racing(instance):
        loads.append(instance.id)
        if len(loads) == 1:  # someone saves the instance between our read and our write
            db.session.execute(update(ProcessInstance).where(ProcessInstance.id == instance.id)
                               .values(lock_version=ProcessInstance.lock_version + 1)
                               .execution_options(synchronize_session=False))
        return real(instance)

    monkeypatch.setattr(messages, "load_workflow", racing)
    sent = login_as("admin").post("/api/v1/messages", json={"name": "funds_arrived",
                                                            "correlation": {"project_code": "P-1"}})
    assert sent.get_json() == {"delivered": [funds["P-1"]]}
    assert loads.count(funds["P-1"]) == 2  # the first save found the row changed; the second read it afresh
    history = status(login_as("school1"), funds["P-1"])["history"]
    assert [e["action"] for e in history].count("message") == 1


def test_the_same_files_with_other_lane_options_are_a_new_version(login_as):
    admin = login_as("admin")
    options = CORPUS["funds_notice.bpmn"][1]
    assert deploy(admin, "funds_notice.bpmn", options).get_json()["version"] == 1
    assert deploy(admin, "funds_notice.bpmn", options).get_json()["version"] == 1  # nothing changed
    other = deploy(admin, "funds_notice.bpmn", {**options, "start_role": "admin"}).get_json()
    assert other["version"] == 2 and other["start_role"] == "admin"
    mapped = deploy(admin, "funds_notice.bpmn", {"default_role": "admin", "start_role": "admin"}).get_json()
    assert mapped["version"] == 3 and mapped["default_role"] == "admin"


def test_a_message_answered_with_a_message_reaches_the_next_instance_whatever_comes_after(login_as):
    admin = login_as("admin")
    for name, key in (("relay.bpmn", "relay"), ("pong_wait.bpmn", "pong-wait")):
        form = {"files": [(BytesIO((FOREIGN / name).read_bytes()), name)]}
        assert admin.post(f"/api/v1/process-models/{key}/versions", data=form,
                          content_type="multipart/form-data").status_code == 201
    first = start(admin, "relay", {"code": "A"})["id"]
    start(admin, "relay", {"code": "B"})  # waits for ping too, but for code B: looked at after `first`, not caught
    waiting = start(admin, "pong-wait")["id"]
    sent = admin.post("/api/v1/messages", json={"name": "ping", "correlation": {"code": "A"}})
    assert sent.get_json() == {"delivered": [first]}
    assert status(admin, first)["status"] == "completed"
    assert status(admin, waiting)["status"] == "completed"  # the relay's pong, thrown before B was looked at
