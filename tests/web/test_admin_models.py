"""/admin/models: every deployed flow with its versions (who, when, checksum, instances per version and state),
a version's files as .zip or one by one, the list as .xlsx, and deploying uploaded files through the deployment
service — a refusal (unknown operator, missing form, broken XML, a file too large, an oversized request) names the
file and element in Chinese and changes nothing."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
from sqlalchemy import func, select

from server.db import db
from server.models import AuditEvent, ProcessVersion
from tests.api.helpers import FLOWS, _package, start

REVIEW = {p.name: p.read_bytes() for p in _package(FLOWS / "review")}


def versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcessVersion))


def deploy(admin, files: dict[str, bytes], key: str = "review"):
    admin.get("/admin/models")
    payload = [(io.BytesIO(content), name) for name, content in files.items()]
    return admin.post("/admin/models/deploy", {"key": key, "files": payload}, content_type="multipart/form-data")


def test_versions_listed_downloaded_and_exported(app, review, login_as, browser):
    start(login_as("school1"), "review")
    admin = browser("admin")
    html = admin.get("/admin/models").get_data(as_text=True)
    row = re.search(r'<section class="model" id="model-review".*?</section>', html, re.S).group(0)
    assert "项目审核（测试流程）" in row and "v1" in row and "当前版本" in row
    assert "系统管理员" in row and "共 1 个" in row and "办理中 1" in row  # who deployed; instances by state
    with app.app_context():
        checksum = db.session.scalar(select(ProcessVersion.checksum))
    assert checksum[:12] in row

    resp = admin.client.get("/admin/models/review/versions/1.zip")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(resp.data)).namelist())
    assert {"review.bpmn", "review_rules.dmn", "apply.json", "review.json"} <= names
    one = admin.client.get("/admin/models/review/versions/1/files/review.bpmn")
    assert one.status_code == 200 and b"Task_Apply" in one.data and "attachment" in one.headers["Content-Disposition"]
    assert admin.client.get("/admin/models/review/versions/1/files/nope.bpmn").status_code == 404
    assert admin.get("/admin/models/review/versions/9.zip").status_code == 404

    sheet = openpyxl.load_workbook(io.BytesIO(admin.client.get("/admin/models?format=xlsx").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("流程标识", "流程名称", "版本") and rows[1][0] == "review" and rows[1][7] == 1


def test_deploying_a_new_version_from_the_page(app, review, browser):
    admin = browser("admin")
    changed = {**REVIEW, "review.bpmn": REVIEW["review.bpmn"].replace("审核结论".encode(), "审核结论（新）".encode())}
    resp = deploy(admin, changed)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    page = admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已部署 review 第 2 版" in page and "v2" in page
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "deploy")
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.data["version"] == 2 and "review.bpmn" in event.data["files"]


def test_refused_deploys_name_the_file_and_element_and_change_nothing(app, review, browser):
    admin = browser("admin")
    before = versions(app)

    unknown_operator = REVIEW["review.bpmn"].replace(b'id="util.echo"', b'id="util.no_such_operator"')
    resp = deploy(admin, {**REVIEW, "review.bpmn": unknown_operator})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "未部署，系统未做任何改动" in html
    problem = re.search(r'<tr class="deploy-problem">(.*?)</tr>', html, re.S).group(1)
    assert "review.bpmn" in problem and "Service_Record" in problem and "util.no_such_operator" in problem

    no_form = {n: c for n, c in REVIEW.items() if n != "apply.json"}
    html = deploy(admin, no_form).get_data(as_text=True)
    assert "apply.json" in html and "Task_Apply" in html

    broken = deploy(admin, {"review.bpmn": b"<definitions><process id='x'>"})
    assert broken.status_code == 422 and "review.bpmn" in broken.get_data(as_text=True)

    wrong_kind = deploy(admin, {"notes.exe": b"MZ", **REVIEW})
    assert wrong_kind.status_code == 422 and "notes.exe" in wrong_kind.get_data(as_text=True)

    big = deploy(admin, {**REVIEW, "big.json": b"{" + b" " * (1024 * 1024 + 10) + b"}"})
    assert big.status_code == 422 and "big.json" in big.get_data(as_text=True)
    assert "文件超过 1 MB" in big.get_data(as_text=True)

    oversized = deploy(admin, {**REVIEW, "huge.json": b" " * (3 * 1024 * 1024)})
    assert oversized.status_code == 413

    bad_key = deploy(admin, REVIEW, key="../etc")
    assert bad_key.status_code == 422 and "流程标识不合法" in bad_key.get_data(as_text=True)

    no_csrf = admin.post("/admin/models/deploy", {"key": "review"}, csrf=False)
    assert no_csrf.status_code == 400
    assert versions(app) == before
