"""/admin/models/<key>/modeler (issue 13 point 2, first slice): the bpmn-js modeler page for administrators only,
and its 校验 / 部署 posts: the edited diagram is checked or deployed with the version's rule tables and forms
reused; a refusal lists each element with its problem (JSON 422) and changes nothing, hostile XML included."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from sqlalchemy import func, select

from server.db import db
from server.models import AuditEvent, ProcessVersion, User
from tests.api.helpers import FLOWS

REVIEW_BPMN = (FLOWS / "review" / "review.bpmn").read_text(encoding="utf-8")
URL = "/admin/models/review/modeler"
FOREIGN = Path(__file__).resolve().parent.parent / "engine" / "fixtures" / "foreign"


def versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcessVersion))


def audits(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def send(admin, action: str, xml, base=1, **kwargs):
    """What modeler.js posts: JSON {xml, base} with the page's CSRF token in X-CSRFToken."""
    if not admin.token:
        admin.get(URL)
    return admin.client.post(f"{URL}/{action}", json={"xml": xml, "base": base},
                             headers={"X-CSRFToken": admin.token, **kwargs.pop("headers", {})}, **kwargs)


def test_only_administrators_reach_the_modeler(app, review, browser):
    school = browser("school1")
    assert school.get(URL).status_code == 403
    for action in ("validate", "deploy"):
        assert send(school, action, REVIEW_BPMN).status_code == 403
    anonymous = browser(None).client.get(URL)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]

    admin = browser("admin")
    page = admin.get(URL)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "/vendor/bpmn-modeler.js" in html and "/static/js/modeler.js" in html and "<script>" not in html
    assert 'data-diagram-url="/admin/models/review/versions/1/files/review.bpmn"' in html
    assert ">校验<" in html and ">部署<" in html and 'data-base="1"' in html
    assert "/admin/models/review/modeler" in admin.get("/admin/models").get_data(as_text=True)
    assert admin.get("/admin/models/nope/modeler").status_code == 404
    assert admin.client.get("/vendor/bpmn-modeler.js").status_code == 200
    assert admin.client.get("/vendor/bpmn-font.css").status_code == 200


def test_validate_names_each_refused_element_and_stores_nothing(app, review, browser):
    admin = browser("admin")
    ok = send(admin, "validate", REVIEW_BPMN)
    assert ok.status_code == 200 and ok.get_json()["ok"] is True

    bad = REVIEW_BPMN.replace("expert_avg = round(", "import os\nexpert_avg = round(")
    bad = bad.replace('id="util.echo"', 'id="util.no_such_operator"')
    resp = send(admin, "validate", bad)
    assert resp.status_code == 422
    body = resp.get_json()
    by_element = {p["element_id"]: p["message"] for p in body["problems"]}
    assert "Script_Average" in by_element and "import" in by_element["Script_Average"]
    assert "Service_Record" in by_element and "util.no_such_operator" in by_element["Service_Record"]
    assert all(p["file"] == "review.bpmn" for p in body["problems"])
    assert versions(app) == 1


def test_deploy_makes_a_version_with_the_other_files_and_an_audit_row(app, review, browser):
    admin = browser("admin")
    edited = REVIEW_BPMN.replace("审核结论", "审核结论（建模器）")
    resp = send(admin, "deploy", edited)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["version"] == 2 and "第 2 版" in resp.get_json()["message"]
    with app.app_context():
        version = db.session.scalars(select(ProcessVersion).order_by(ProcessVersion.number.desc())).first()
        assert "审核结论（建模器）" in version.sources["review.bpmn"]
        assert "review_rules.dmn" in version.sources and {"apply.json", "review.json"} <= set(version.forms)
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "deploy")
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.data["version"] == 2 and event.data["process_key"] == "review"
        assert db.session.get(User, event.actor_id).username == "admin"

    # An edit made against version 1 no longer applies: refused, nothing stored.
    stale = send(admin, "deploy", edited.replace("（建模器）", "（旧页面）"), base=1)
    assert stale.status_code == 409 and "第 2 版" in stale.get_json()["message"]
    assert versions(app) == 2


def test_hostile_edits_are_refused_with_422_and_change_nothing(app, review, browser):
    admin = browser("admin")
    audit_rows = audits(app)
    xxe = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           + REVIEW_BPMN.split("?>", 1)[1].replace("审核结论", "&x;"))
    bombs = {
        "oversized": REVIEW_BPMN + "<!--" + "x" * (1024 * 1024) + "-->",
        "entities": xxe,
        "not BPMN": "<html><body>hello</body></html>",
        "not XML": "just text",
        "no diagram": "",
        "not text": {"a": 1},
    }
    for what, xml in bombs.items():
        for action in ("validate", "deploy"):
            resp = send(admin, action, xml)
            assert resp.status_code == 422, (what, action, resp.status_code)
            body = resp.get_json()
            assert body["message"] and body["problems"], (what, body)
    assert "DOCTYPE" in send(admin, "deploy", xxe).get_json()["message"]
    not_json = admin.client.post(f"{URL}/deploy", data="<xml/>", content_type="application/xml",
                                 headers={"X-CSRFToken": admin.token})
    assert not_json.status_code == 422
    assert send(admin, "deploy", REVIEW_BPMN, base="1").status_code == 422
    unknown = admin.client.post("/admin/models/nope/modeler/validate", json={"xml": REVIEW_BPMN},
                                headers={"X-CSRFToken": admin.token})
    assert unknown.status_code == 404 and unknown.get_json()["message"]
    no_csrf = admin.client.post(f"{URL}/deploy", json={"xml": REVIEW_BPMN, "base": 1})
    assert no_csrf.status_code == 400
    assert versions(app) == 1 and audits(app) == audit_rows


def test_a_foreign_diagram_keeps_its_lane_mapping_when_deployed_from_the_modeler(app, browser, login_as):
    """A diagram drawn elsewhere, deployed with lanes mapped to roles: the modeler's deploy keeps the mapping
    (the side panel to change it is still to come)."""
    lanes = '{"申请人": "unit_staff", "财务": "finance_section"}'
    source = (FOREIGN / "reimburse_zh.bpmn").read_text(encoding="utf-8")
    resp = login_as("admin").post("/api/v1/process-models/reimburse/versions", content_type="multipart/form-data",
                                  data={"files": [(BytesIO(source.encode()), "reimburse_zh.bpmn")], "lane_roles": lanes})
    assert resp.status_code == 201, resp.get_json()
    admin = browser("admin")
    admin.get("/admin/models/reimburse/modeler")
    edited = admin.client.post("/admin/models/reimburse/modeler/deploy", headers={"X-CSRFToken": admin.token},
                               json={"xml": source.replace("核对票据", "核对票据（新）"), "base": 1})
    assert edited.status_code == 200 and edited.get_json()["version"] == 2, edited.get_json()
    with app.app_context():
        version = db.session.scalars(select(ProcessVersion).order_by(ProcessVersion.number.desc())).first()
        assert version.lane_roles == {"申请人": "unit_staff", "财务": "finance_section"}
        assert version.start_role == "unit_staff"
