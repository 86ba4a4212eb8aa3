"""The modeler's side panel and drafts over HTTP (issue 13 point 2).

Drafts: an administrator saves an edited diagram without deploying it, finds it again on the next visit (草稿, who
and when), discards it or deploys it (the draft goes); a draft whose version was superseded is shown as such and
the canvas opens the current version. Hostile drafts are refused whole.
Lanes: the panel sends its lane → role mapping with 校验/部署; a refusal lists what would be valid (the roles for
an unmapped lane, the version's forms for a missing one, the operators for an unknown one)."""

from __future__ import annotations

import json
from io import BytesIO

from sqlalchemy import func, select

from server.db import db
from server.models import AuditEvent, ModelerDraft, ProcessVersion
from tests.api.helpers import FLOWS, deploy_variant
from tests.web.test_admin_modeler import REVIEW_BPMN, URL, audits, send, versions


def drafts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ModelerDraft))


def test_a_draft_is_kept_reopened_discarded_and_gone_after_deploy(app, review, browser, login_as):
    admin = browser("admin")
    edited = REVIEW_BPMN.replace("审核结论", "审核结论（草稿）")
    saved = send(admin, "draft", edited)
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["draft"].startswith("草稿：系统管理员 于 ") and "基于第 1 版" in saved.get_json()["draft"]
    assert send(admin, "draft", edited.replace("（草稿）", "（草稿二）")).status_code == 200  # replaces it
    assert drafts(app) == 1 and versions(app) == 1  # a draft never becomes a version

    html = admin.get(URL).get_data(as_text=True)
    assert 'data-diagram-url="/admin/models/review/modeler/draft"' in html and "data-draft-open" in html
    assert "草稿：系统管理员" in html and ">丢弃草稿<" in html
    assert "审核结论（草稿二）" in admin.client.get(f"{URL}/draft").get_data(as_text=True)

    gone = admin.client.post(f"{URL}/draft/discard", headers={"X-CSRFToken": admin.token})
    assert gone.status_code == 200 and gone.get_json()["message"] == "草稿已丢弃"
    assert admin.client.get(f"{URL}/draft").status_code == 404 and drafts(app) == 0
    assert 'data-diagram-url="/admin/models/review/versions/1/files/review.bpmn"' in admin.get(URL).get_data(as_text=True)

    # Deployed from the modeler: the draft goes with the same commit.
    assert send(admin, "draft", edited).status_code == 200
    deployed = send(admin, "deploy", edited)
    assert deployed.status_code == 200 and deployed.get_json()["version"] == 2 and drafts(app) == 0

    # A draft overtaken by a deploy from elsewhere: shown, not opened, and only discardable.
    assert send(admin, "draft", edited, base=2).status_code == 200
    deploy_variant(login_as("admin"), "review", FLOWS / "review", {"review.bpmn": [("审核结论", "审核结论（别处）")]})
    html = admin.get(URL).get_data(as_text=True)
    assert "基于第 2 版" in html and "此后已部署第 3 版" in html and "data-draft-open" not in html
    assert 'data-diagram-url="/admin/models/review/versions/3/files/review.bpmn"' in html
    assert send(admin, "deploy", edited, base=2).status_code == 409
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("modeler_draft%"))).all()
        assert actions.count("modeler_draft_save") == 4 and actions.count("modeler_draft_discard") == 1


def test_hostile_drafts_are_refused_and_nothing_is_saved(app, review, browser):
    school = browser("school1")
    assert send(school, "draft", REVIEW_BPMN).status_code == 403
    assert school.client.post(f"{URL}/draft/discard", headers={"X-CSRFToken": school.token}).status_code == 403
    assert school.client.get(f"{URL}/draft").status_code == 403

    admin = browser("admin")
    audit_rows = audits(app)
    xxe = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           + REVIEW_BPMN.split("?>", 1)[1].replace("审核结论", "&x;"))
    refused = {
        "oversized": REVIEW_BPMN + "<!--" + "x" * (1024 * 1024) + "-->",
        "entities": xxe,
        "not BPMN": "<html><body>hello</body></html>",
        "not XML": "just text <",
        "no diagram": "",
        "not text": ["<x/>"],
        "lone surrogate": REVIEW_BPMN.replace("审核结论", "\ud800"),
    }
    for what, xml in refused.items():
        for action in ("draft", "deploy"):  # JSON as a browser sends it (a lone surrogate escaped as \ud800)
            resp = admin.client.post(f"{URL}/{action}", data=json.dumps({"xml": xml, "base": 1}),
                                     content_type="application/json", headers={"X-CSRFToken": admin.token})
            if what == "lone surrogate":  # refused at the door (request_hygiene) before the modeler sees it
                assert resp.status_code == 400, (action, resp.status_code)
            else:
                assert resp.status_code == 422, (what, action, resp.status_code)
                assert resp.get_json()["problems"][0]["message"], what
    assert "DOCTYPE" in send(admin, "draft", xxe).get_json()["message"]
    assert "BPMN" in send(admin, "draft", "<html/>").get_json()["message"]

    bad_role = admin.client.post(f"{URL}/draft", headers={"X-CSRFToken": admin.token}, json={
        "xml": REVIEW_BPMN, "base": 1, "lane_roles": {"审核人": "boss"}})
    assert bad_role.status_code == 422 and "performance_office（绩效管理股）" in bad_role.get_json()["message"] + str(
        bad_role.get_json()["problems"])
    bad_default = admin.client.post(f"{URL}/draft", headers={"X-CSRFToken": admin.token}, json={
        "xml": REVIEW_BPMN, "base": 1, "default_role": "<script>"})
    assert bad_default.status_code == 422
    stale = send(admin, "draft", REVIEW_BPMN, base=7)
    assert stale.status_code == 409 and "第 1 版" in stale.get_json()["message"]
    assert send(admin, "draft", REVIEW_BPMN, base="1").status_code == 422
    assert admin.client.post(f"{URL}/draft", json={"xml": REVIEW_BPMN, "base": 1}).status_code == 400  # no CSRF
    assert admin.client.post("/admin/models/nope/modeler/draft", json={"xml": REVIEW_BPMN, "base": 1},
                             headers={"X-CSRFToken": admin.token}).status_code == 404
    assert drafts(app) == 0 and audits(app) == audit_rows
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessVersion)) == 1


def test_the_panels_lane_mapping_is_checked_and_refusals_list_what_would_be_valid(app, review, browser):
    admin = browser("admin")
    page = admin.get(URL).get_data(as_text=True)
    assert 'id="modeler-panel-config"' in page and '"code": "finance_section"' in page  # the panel's roles
    drawn_elsewhere = REVIEW_BPMN.replace('name="finance_section"', 'name="财务科"')
    unmapped = send(admin, "validate", drawn_elsewhere)
    problems = {p["element_id"]: p["message"] for p in unmapped.get_json()["problems"]}
    assert unmapped.status_code == 422 and "泳道“财务科”不是已知角色" in problems["Lane_finance"]
    assert "finance_section（财政业务股室）" in problems["Lane_finance"]

    mapped = {"xml": drawn_elsewhere, "base": 1, "lane_roles": {"财务科": "finance_section"}, "default_role": None}
    assert admin.client.post(f"{URL}/validate", json=mapped, headers={"X-CSRFToken": admin.token}).status_code == 200
    stray = dict(mapped, lane_roles={"财务科": "finance_section", "不存在": "expert"})
    resp = admin.client.post(f"{URL}/deploy", json=stray, headers={"X-CSRFToken": admin.token})
    assert resp.status_code == 422 and "不是图中的泳道" in str(resp.get_json()["problems"])

    broken = drawn_elsewhere.replace('value="apply.json"', 'value="nope.json"')
    broken = broken.replace('id="util.echo"', 'id="util.nope"').replace('value="level"', 'value=""')
    resp = admin.client.post(f"{URL}/deploy", json=dict(mapped, xml=broken), headers={"X-CSRFToken": admin.token})
    problems = {p["element_id"]: p["message"] for p in resp.get_json()["problems"]}
    assert resp.status_code == 422 and versions(app) == 1
    assert "“nope.json”未上传" in problems["Task_Apply"] and "可选表单：apply.json（" in problems["Task_Apply"]
    assert "可用的服务操作：" in problems["Service_Record"] and "util.echo" in problems["Service_Record"]
    assert "服务参数“level”没有取值" in problems["Service_Record"]

    # The upload form's default role for lanes drawn elsewhere: only a role code is taken.
    upload = admin.client.post("/admin/models/deploy", content_type="multipart/form-data", data={
        "csrf_token": admin.token, "key": "review", "default_role": "boss",
        "files": [(BytesIO(drawn_elsewhere.encode()), "review.bpmn")]})
    assert upload.status_code == 422 and "“boss”不是已知角色" in upload.get_data(as_text=True)

    deployed = admin.client.post(f"{URL}/deploy", json=mapped, headers={"X-CSRFToken": admin.token})
    assert deployed.status_code == 200 and deployed.get_json()["version"] == 2
    with app.app_context():
        version = db.session.scalars(select(ProcessVersion).where(ProcessVersion.number == 2)).one()
        assert version.lane_roles == {"财务科": "finance_section"}
