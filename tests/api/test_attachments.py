"""Attachments over the API: uploads checked by content and size, names made harmless, one file per content,
scope on download (404 outside it), linking at completion, and the worker removing what nobody referenced."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from server.db import db
from server.models import Attachment
from server.scheduler import run_pass
from server.services.attachments import display_name
from server.services.file_types import PDF as PDF_KIND
from tests.api.helpers import complete, deploy_folder, start
from tests.flows_ex_ante.conftest import FLOW_DIR, KEY, application
from tests.support import files

URL = "/api/v1/attachments"


def send(user, content: bytes, name: str = "申报书.pdf", **kwargs):
    return user.post(URL, data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data", **kwargs)


def uploaded(user, content: bytes, name: str = "申报书.pdf") -> dict:
    resp = send(user, content, name)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def stored(app) -> Path:
    return Path(app.instance_path) / "attachments"


@pytest.mark.parametrize(("content", "name", "kind"), [
    (files.PDF, "申报书.pdf", "application/pdf"),
    (files.DOCX, "实施方案.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (files.XLSX, "预算测算.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (files.DOC, "可研报告.doc", "application/msword"),
    (files.XLS, "明细.xls", "application/vnd.ms-excel"),
    (files.JPEG, "现场照片.jpg", "image/jpeg"),
    (files.PNG, "截图.png", "image/png"),
    (files.ZIP, "佐证材料.zip", "application/zip"),
], ids=["pdf", "docx", "xlsx", "doc", "xls", "jpeg", "png", "zip"])
def test_each_allowed_type_is_told_by_its_content(app, login_as, content, name, kind):
    body = uploaded(login_as("school1"), content, name)
    assert body["content_type"] == kind and body["name"] == name and body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    sha = body["sha256"]
    assert (stored(app) / sha[:2] / sha).read_bytes() == content


def test_hostile_uploads_are_refused_with_a_reason_and_leave_nothing(app, login_as):
    school = login_as("school1")
    before = tree(Path(app.instance_path))
    for content, name in [(files.EXE, "申报书.pdf"), (files.HTML, "照片.png"), (files.MSI, "报告.doc"),
                          (b"PK\x03\x04 not really a zip", "材料.zip"), (b"plain text", "说明.txt")]:
        resp = send(school, content, name)
        assert resp.status_code == 422, (name, resp.get_json())
        assert "不支持的文件类型" in resp.get_json()["fields"]["file"]
    empty = send(school, b"", "空.pdf")
    assert empty.status_code == 422 and "0 字节" in empty.get_json()["fields"]["file"]
    # A real PDF claiming to be a picture is a mistake the user should see, not a file to keep.
    disguised = send(school, files.PDF, "照片.png")
    assert disguised.status_code == 422 and "内容是 PDF" in disguised.get_json()["fields"]["file"]
    missing = school.post(URL, data={"other": "x"}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in missing.get_json()["fields"]
    assert school.post(URL, json={"file": "x"}).status_code == 422
    # Nothing kept: no rows, no stored files, no temporary files left behind anywhere under the instance folder.
    assert tree(Path(app.instance_path)) - before <= {"attachments/.lock"}
    with app.app_context():
        assert db.session.scalar(select(Attachment.id).limit(1)) is None


def test_oversized_uploads_get_413_and_nothing_is_kept(app, login_as):
    school = login_as("school1")
    # The endpoint has its own limit: a file larger than the app's other requests may be (2 MB) goes through.
    big = files.PDF + b"0" * (3 * 1024 * 1024)
    assert app.config["MAX_CONTENT_LENGTH"] < len(big) < app.config["ATTACHMENT_MAX_BYTES"]
    assert uploaded(school, big)["size"] == len(big)
    app.config["ATTACHMENT_MAX_BYTES"] = 4096
    too_big = send(school, files.PDF + b"0" * 5000)
    assert too_big.status_code == 413
    assert too_big.get_json()["error"] == "payload_too_large" and "4 KB" in too_big.get_json()["fields"]["file"]
    # A body announced far beyond the limit is refused before it is read.
    huge = school.post(URL, data=b"x" * 200_000, headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert huge.status_code == 413 and huge.get_json()["error"] == "payload_too_large"
    assert send(school, files.PDF).status_code == 201  # a file within the limit still goes through
    assert tree(stored(app) / "tmp") == set()


def test_one_account_cannot_pile_up_unsubmitted_uploads(app, login_as):
    deploy_folder(login_as("admin"), KEY, FLOW_DIR)
    school = login_as("school1")
    app.config["ATTACHMENT_PENDING_MAX_BYTES"] = len(files.PDF) + len(files.DOCX)
    ids = [uploaded(school, files.PDF)["id"], uploaded(school, files.DOCX, "实施方案.docx")["id"]]
    refused = send(school, files.PNG, "截图.png")
    assert refused.status_code == 413 and "尚未提交" in refused.get_json()["fields"]["file"]
    assert uploaded(login_as("water1"), files.PNG, "截图.png")  # another account has its own allowance
    task = next(t for t in start(school, KEY)["open_tasks"] if t["element_id"] == "Task_Apply")
    complete(school, task["id"], application(material_files=ids))
    assert uploaded(school, files.PNG, "截图.png")  # submitted files no longer count


def test_names_are_kept_for_display_only(app, login_as):
    school = login_as("school1")
    cases = {
        "../../../etc/passwd.pdf": "passwd.pdf",
        "报告\u202efdp.exe": "报告fdp.exe.pdf",  # the right-to-left override no longer hides ".exe"
        "bell\x07\x1b[31mred\t.pdf": "bell[31mred.pdf",
        "\u200b\u200b": "附件.pdf",
        "": "附件.pdf",
        "很长" * 200 + ".pdf": "很长" * 58 + ".pdf",
    }
    for raw, shown in cases.items():
        body = uploaded(school, files.PDF, raw)
        assert body["name"] == shown, raw
        assert len(body["name"]) <= 120
    # Windows paths (the client may mangle backslashes on the way; the service drops the folders either way).
    assert "\\" not in uploaded(school, files.PDF, "C:\\Users\\申报书.pdf")["name"]
    assert display_name("..\\..\\windows\\申报书.pdf", PDF_KIND) == "申报书.pdf"
    # NUL inside a name is dropped as well (the door lets this endpoint clean its own names).
    assert uploaded(school, files.PDF, "a\x00b.pdf")["name"] == "ab.pdf"
    # Whatever the names, the only files are the one content-addressed copy (and the lock).
    sha = hashlib.sha256(files.PDF).hexdigest()
    assert tree(stored(app)) == {f"{sha[:2]}/{sha}", ".lock"}


def test_a_second_upload_of_the_same_content_shares_the_file(app, login_as):
    first = uploaded(login_as("school1"), files.DOCX, "实施方案.docx")
    second = uploaded(login_as("water1"), files.DOCX, "方案（修订）.docx")
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    assert tree(stored(app)) == {f"{first['sha256'][:2]}/{first['sha256']}", ".lock"}
    # Each upload keeps its own name and owner: each uploader reads their own row, not the other's.
    assert login_as("water1").get(f"{URL}/{first['id']}").status_code == 404
    got = login_as("water1").get(f"{URL}/{second['id']}")
    assert got.status_code == 200 and got.data == files.DOCX


def test_downloads_are_attachments_with_nosniff_and_the_chinese_name(app, login_as):
    school = login_as("school1")
    body = uploaded(school, files.HTML.replace(b"<!DOCTYPE", b"%PDF-1.4 <!DOCTYPE"), "可研报告.pdf")
    resp = school.get(f"{URL}/{body['id']}")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''%E5%8F%AF%E7%A0%94%E6%8A%A5%E5%91%8A.pdf" in disposition
    assert "sandbox" in resp.headers["Content-Security-Policy"]


def test_out_of_scope_is_not_found(app, login_as):
    body = uploaded(login_as("school1"), files.PDF)
    for outsider in ("water1", "edu_head", "water_head", "expert1"):  # unlinked: only the uploader
        assert login_as(outsider).get(f"{URL}/{body['id']}").status_code == 404, outsider
    assert login_as("water1").get(f"{URL}/999999").status_code == 404
    assert login_as("water1").get(f"{URL}/99999999999999999999").status_code == 404
    assert app.test_client().get(f"{URL}/{body['id']}").status_code == 401


def test_completion_links_files_and_opens_them_to_who_sees_the_instance(app, login_as):
    deploy_folder(login_as("admin"), KEY, FLOW_DIR)
    school, water = login_as("school1"), login_as("water1")
    mine = [uploaded(school, files.PDF, "申报书.pdf")["id"], uploaded(school, files.DOCX, "实施方案.docx")["id"]]
    theirs = uploaded(water, files.XLSX, "水利预算.xlsx")["id"]
    inst = start(school, KEY)
    task = next(t for t in inst["open_tasks"] if t["element_id"] == "Task_Apply")
    # Someone else's upload (or one that does not exist) cannot be slipped into the form.
    for bad in ([theirs], [mine[0], 424242], [2**31], [10**30]):
        refused = complete(school, task["id"], application(material_files=bad), expect=422)
        assert "不存在或已失效" in refused["fields"]["material_files"]
    complete(school, task["id"], application(material_files=mine))
    with app.app_context():
        rows = db.session.scalars(select(Attachment).where(Attachment.id.in_(mine))).all()
        assert {r.instance_id for r in rows} == {inst["id"]} and all(r.referenced_at for r in rows)
        assert all(r.project_id is not None for r in rows)  # the project library.apply created
    # The department reviewer (and the office) may now read them; another department still may not.
    for reader in ("edu_head", "perf", "fin_edu"):
        got = login_as(reader).get(f"{URL}/{mine[0]}")
        assert got.status_code == 200 and got.data == files.PDF, reader
    for outsider in ("water1", "water_head"):
        assert login_as(outsider).get(f"{URL}/{mine[1]}").status_code == 404, outsider
    # A linked file belongs to its instance: another application of the same unit cannot reuse it.
    other = start(school, KEY)
    other_task = next(t for t in other["open_tasks"] if t["element_id"] == "Task_Apply")
    reused = complete(school, other_task["id"], application(material_files=[mine[0]]), expect=422)
    assert "已用于其他流程" in reused["fields"]["material_files"]
    # The reviewer sees the files in the instance's answer history, by id.
    history = login_as("edu_head").get(f"/api/v1/process-instances/{inst['id']}").get_json()["history"]
    assert any((h.get("data") or {}).get("material_files") == mine for h in history)


def test_the_form_total_is_limited(app, login_as):
    deploy_folder(login_as("admin"), KEY, FLOW_DIR)
    school = login_as("school1")
    ids = [uploaded(school, files.PDF, "a.pdf")["id"], uploaded(school, files.DOCX, "b.docx")["id"]]
    app.config["ATTACHMENT_FORM_MAX_BYTES"] = len(files.PDF) + 10
    task = next(t for t in start(school, KEY)["open_tasks"] if t["element_id"] == "Task_Apply")
    refused = complete(school, task["id"], application(material_files=ids), expect=422)
    assert "合计超过" in refused["fields"]["material_files"]
    with app.app_context():  # nothing of the step was kept
        assert db.session.scalar(select(Attachment.id).where(Attachment.instance_id.is_not(None))) is None


def test_the_worker_removes_uploads_nobody_referenced_within_a_day(app, login_as, clock):
    deploy_folder(login_as("admin"), KEY, FLOW_DIR)
    school = login_as("school1")
    kept = uploaded(school, files.PDF, "申报书.pdf")
    dangling = uploaded(school, files.XLSX, "草稿.xlsx")
    shared = uploaded(school, files.PDF, "申报书副本.pdf")  # same bytes as `kept`: the file must stay
    task = next(t for t in start(school, KEY)["open_tasks"] if t["element_id"] == "Task_Apply")
    complete(school, task["id"], application(material_files=[kept["id"]]))
    clock.advance(timedelta(hours=23))
    run_pass(app)
    assert login_as("school1").get(f"{URL}/{dangling['id']}").status_code == 200  # not yet a day
    clock.advance(timedelta(hours=2))
    run_pass(app)
    school = login_as("school1")
    assert school.get(f"{URL}/{dangling['id']}").status_code == 404
    assert school.get(f"{URL}/{shared['id']}").status_code == 404
    assert school.get(f"{URL}/{kept['id']}").data == files.PDF
    sha_kept, sha_gone = kept["sha256"], dangling["sha256"]
    assert tree(stored(app)) == {f"{sha_kept[:2]}/{sha_kept}", ".lock"}
    assert sha_gone != sha_kept


def test_a_zip_bomb_is_only_looked_at_not_unpacked(app, login_as):
    bomb = files.zip_bomb()  # 64 MB of zeros in a few dozen KB
    assert len(bomb) < 200_000
    body = uploaded(login_as("school1"), bomb, "佐证材料.zip")
    assert body["content_type"] == "application/zip" and body["size"] == len(bomb)
    sizes = [p.stat().st_size for p in stored(app).rglob("*") if p.is_file()]
    assert max(sizes) == len(bomb)  # only the archive itself was written


def test_nothing_is_written_outside_the_attachment_folder(app, login_as, tmp_path):
    """Every kind of upload, accepted or refused, with hostile names: new files appear only under
    <instance>/attachments, and none is left in its temporary folder."""
    school = login_as("school1")
    app.config["ATTACHMENT_MAX_BYTES"] = 64 * 1024

    def outside() -> set[str]:
        inside = stored(app)
        return {str(p) for p in tmp_path.rglob("*")
                if p.is_file() and inside not in p.parents and ".sqlite3" not in p.name}

    before = outside()
    for content, name in [(files.PDF, "../../../../outside.pdf"), (files.PNG, "/tmp/absolute.png"),
                          (files.DOCX, "..\\..\\win.docx"), (files.EXE, "../evil.pdf"), (b"", "../empty.pdf"),
                          (files.PDF + b"0" * 70_000, "../../big.pdf"), (files.ZIP, "%2e%2e%2fencoded.zip")]:
        assert send(school, content, name).status_code in (201, 413, 422)
    assert outside() == before
    assert tree(stored(app) / "tmp") == set()
    assert all(len(Path(p).name) == 64 for p in tree(stored(app)) if p != ".lock")  # only content-addressed files


def test_a_file_that_cannot_be_placed_leaves_no_row(app, login_as):
    sha = hashlib.sha256(files.PNG).hexdigest()
    stored(app).mkdir(parents=True, exist_ok=True)
    (stored(app) / sha[:2]).write_bytes(b"")  # where its folder should go: the disk refuses the file
    resp = send(login_as("school1"), files.PNG, "截图.png")
    assert resp.status_code == 500 and resp.get_json()["error"] == "internal_error"
    with app.app_context():
        assert db.session.scalar(select(Attachment.id).limit(1)) is None
    assert tree(stored(app) / "tmp") == set()
