"""Workflow-level helpers for API tests, on top of tests.support.api's logged-in callers."""

from __future__ import annotations

from pathlib import Path

from tests.support.api import ApiUser

FLOWS = Path(__file__).resolve().parent.parent / "flows"
FORMS = Path(__file__).resolve().parent.parent.parent / "forms"


def tasks(user: ApiUser, view: str = "mine", **params) -> list[dict]:
    resp = user.get("/api/v1/tasks", query_string={"view": view, **params})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["items"]


def workable(user: ApiUser, **params) -> list[dict]:
    """What the user can work on now: their own (我的待办) and what they may claim (可认领)."""
    return tasks(user, "mine", **params) + tasks(user, "claimable", **params)


def start(user: ApiUser, process_key: str, data: dict | None = None) -> dict:
    resp = user.post("/api/v1/process-instances", json={"process_key": process_key, "data": data or {}})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def complete(user: ApiUser, task_id: int, data: dict, expect: int = 200) -> dict:
    resp = user.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data})
    assert resp.status_code == expect, resp.get_json()
    return resp.get_json()


def upload(admin: ApiUser, key: str, files: dict[str, str | bytes]):
    """POST a package as multipart (filename -> content), the way the admin page and outside tools upload it."""
    from io import BytesIO

    payload = [(BytesIO(v.encode() if isinstance(v, str) else v), name) for name, v in files.items()]
    return admin.post(f"/api/v1/process-models/{key}/versions", data={"files": payload},
                      content_type="multipart/form-data")


def _package(folder: Path) -> list[Path]:
    """A flow's diagrams and rule tables, plus its forms (beside it, or under forms/<flow>/ for shipped flows)."""
    forms = FORMS / folder.name
    found = [p for d in (folder, forms) if d.is_dir() for p in d.iterdir()]
    return sorted((p for p in found if p.suffix in (".bpmn", ".dmn", ".json")), key=lambda p: p.name)


def deploy_folder(admin: ApiUser, key: str, folder: Path):
    return upload(admin, key, {p.name: p.read_bytes() for p in _package(folder)})


def deploy_variant(admin: ApiUser, key: str, folder: Path, replace: dict[str, list[tuple[str, str]]]) -> dict:
    """Deploy a flow's files again with text replaced in some of them (a new version, as an admin would)."""
    files = {}
    for path in _package(folder):
        raw = path.read_text(encoding="utf-8")
        for old, new in replace.get(path.name, []):
            assert old in raw, f"{old!r} not in {path.name}"
            raw = raw.replace(old, new)
        files[path.name] = raw
    resp = upload(admin, key, files)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()
