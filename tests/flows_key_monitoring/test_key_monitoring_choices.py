"""The office picks who monitors a project from a list (issue 16.6): 财政自行监控 or a registered third-party firm,
the list read from the database (services/choices.py) when the task page is built. A value not in the list —
a typo, a firm without an expert account, a unit's code — is refused next to the field on the page and with 422
in the API, nothing recorded; only the finance office can read the list."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import select

from server.db import db
from server.flows.key_monitoring.models import KeyMonitoringStatus
from server.models import Organisation, OrgKind, User
from server.services import choices
from tests.api.helpers import complete
from tests.flows_goal_review.conftest import task_of
from tests.flows_key_monitoring.test_key_monitoring import monitoring, school_projects, select_project
from tests.web import demo_year_db
from tests.web.conftest import Browser

year_db, year_url, app = demo_year_db.year_db, demo_year_db.year_url, demo_year_db.app  # on the demo year

FORMS = Path(__file__).resolve().parents[2] / "forms" / "key_monitoring"
OFFICE_ITSELF = "财政自行监控（绩效管理股跟踪）"


def options(html: str, name: str) -> list[tuple[str, str]]:
    """(value, label) of the select named `name`, the empty 请选择 left out."""
    select_html = html.split(f'name="{name}"')[1].split("</select>")[0]
    return [(v, label) for v, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select_html) if v]


def test_the_office_chooses_the_monitor_from_the_firm_list_and_a_firm_not_in_it_is_refused(app, login_as):
    with app.app_context():  # a firm without an expert account cannot take the tracking task: not offered
        db.session.add(Organisation(code="dsf2", name="未登记专家的咨询公司", kind=OrgKind.THIRD_PARTY))
        db.session.commit()
    iid = select_project(login_as, school_projects(app, 1)[0])
    office = login_as("perf")
    assign = task_of(office, iid, "Task_Assign")["id"]

    page = Browser(app.test_client())
    assert page.login("perf").status_code == 302
    page.post(f"/tasks/{assign}/claim")
    html = page.get(f"/tasks/{assign}").get_data(as_text=True)
    assert options(html, "monitor") == [("office", OFFICE_ITSELF), ("dsf", "第三方评价机构")]
    body = office.get(f"/api/v1/tasks/{assign}").get_json()
    assert body["form"]["choices"] == {"third_party_firms": [{"value": "dsf", "label": "第三方评价机构"}]}

    # On the page: the refusal stands next to the field, the reason typed is kept, nothing is recorded.
    resp = page.post(f"/tasks/{assign}", {"monitor": "dsf2", "monitor_reason": "金额较大"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    error = html.split('id="e-f-monitor"')[1].split("</p>")[0]
    assert "“dsf2”不在可选范围内，请从列表中选择" in error and "金额较大" in html
    assert 'href="#f-monitor"' in html  # the summary on top links to it
    assert monitoring(app, iid).status == KeyMonitoringStatus.ASSIGNING

    # In the API: 422 by field, for a firm not in the list, a unit's code, a wrong type, an overlong value.
    for bad in ("dsf2", "jyj_yz", "third_party", "office "):
        fields = complete(office, assign, {"monitor": bad, "monitor_reason": "金额较大"}, expect=422)["fields"]
        assert "不在可选范围内" in fields["monitor"], bad
    assert "monitor" in complete(office, assign, {"monitor": 7, "monitor_reason": "金额较大"}, expect=422)["fields"]
    assert "monitor" in complete(office, assign, {"monitor": "d" * 65, "monitor_reason": "金额较大"},
                                 expect=422)["fields"]
    assert "monitor" in complete(office, assign, {"monitor_reason": "金额较大"}, expect=422)["fields"]
    assert monitoring(app, iid).status == KeyMonitoringStatus.ASSIGNING

    resp = page.post(f"/tasks/{assign}", {"monitor": "office", "monitor_reason": "金额较大，本股跟踪"})
    assert resp.status_code == 302
    row = monitoring(app, iid)
    assert row.status == KeyMonitoringStatus.TRACKING and row.monitor == "office" and row.firm_id is None
    assert task_of(office, iid, "Task_TrackOffice")


def test_only_the_finance_office_reads_the_firm_list(app, login_as, client):
    assert login_as("perf").get("/api/v1/choices/third_party_firms").get_json() == {
        "items": [{"value": "dsf", "label": "第三方评价机构"}]}
    experts = login_as("perf").get("/api/v1/choices/experts").get_json()["items"]
    assert experts and all("（第三方评价机构）" in e["label"] for e in experts)
    for other in ("school1", "expert1", "fin_edu", "edu_head"):
        resp = login_as(other).get("/api/v1/choices/third_party_firms")
        assert resp.status_code == 403, (other, resp.status_code)
    assert login_as("perf").get("/api/v1/choices/users").status_code == 404
    assert login_as("perf").get("/api/v1/choices/" + "x" * 5000).status_code == 404
    assert client.get("/api/v1/choices/third_party_firms").status_code == 401


def test_a_user_outside_the_roles_of_the_list_cannot_choose_from_it(app):
    """The service refuses the value for a user who may not read the list, whatever the value (defence in depth:
    the lane keeps other roles off the task already)."""
    with app.app_context():
        school = db.session.scalar(select(User).where(User.username == "school1"))
        perf = db.session.scalar(select(User).where(User.username == "perf"))
        ui = {"monitor": {"ui:options": {"choices": "third_party_firms"}}}
        assert choices.refused(perf, ui, {"monitor": "dsf"}) == {}
        assert "monitor" in choices.refused(school, ui, {"monitor": "dsf"})
        rows = {"rows": {"items": {"firm": {"ui:options": {"choices": "third_party_firms"}}}}}
        assert list(choices.refused(perf, rows, {"rows": [{"firm": "dsf"}, {"firm": "nobody"}]})) == ["rows.1.firm"]



def test_the_form_editor_previews_the_list_and_names_an_unknown_source(app):
    editor = "/admin/models/key_monitoring/forms/assign.json"
    admin = Browser(app.test_client())
    assert admin.login("admin").status_code == 302
    page = admin.get(editor).get_data(as_text=True)
    assert OFFICE_ITSELF in page and "第三方评价机构" in page  # the preview draws the select with today's firms
    schema = json.loads((FORMS / "assign.json").read_text(encoding="utf-8"))
    ui = json.loads((FORMS / "assign.ui.json").read_text(encoding="utf-8"))
    ui["monitor"]["ui:options"]["choices"] = "firms"
    resp = admin.client.post(editor + "/preview", json={"schema": json.dumps(schema), "ui": json.dumps(ui)},
                             headers={"X-CSRFToken": admin.token})
    assert resp.status_code == 422
    assert "monitor：未知的选项来源“firms”；可用：experts、third_party_firms" in resp.get_json()["problems"][0]["message"]
