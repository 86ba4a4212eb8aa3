"""Attachments (附件): receiving an upload, who may read it, linking it to the step that references it, and the
worker's cleanup of uploads nobody referenced.

Storage: `<instance>/attachments/<sha[:2]>/<sha>`, written as a temporary file in `<instance>/attachments/tmp`
and renamed into place, so a reader never sees half a file and nothing is written outside that folder. A second
upload of the same bytes gets a row of its own (its uploader, name and link) and shares the file. A file is
removed once no row names its hash; an advisory lock keeps that check and an upload's rename apart.

Scope: the uploader always; once a completed step references it, whoever may view that instance
(scope.may_view_instance) or its project (projects.visible_clause). Anyone else is told it does not exist.
A form field holds attachments when its JSON Schema is an array of ids marked `"x-attachments": true`.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select

from server.db import db
from server.extensions import get_clock
from server.models import Attachment, ProcessInstance, Project, User
from server.services.errors import NotFound, ServiceError, ValidationFailed
from server.services.file_types import ALLOWED_EXTENSIONS, KINDS, FileKind, detect, extension
from server.services.projects import visible_clause
from server.services.scope import may_view_instance

log = logging.getLogger(__name__)

MAX_ROW_ID = 2**31 - 1  # ids are 32-bit columns
MARKER = "x-attachments"  # the JSON Schema keyword that makes an array of ids an attachment field
MAX_NAME = 120  # characters of a display name
TEMP_MAX_AGE = 24 * 3600  # seconds a crashed upload's temporary file may stay
_SHA = re.compile(r"[0-9a-f]{64}")
# Control and format characters (NUL, newlines, RTL/LTR overrides, zero-width joiners) never reach a name.
_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


class TooLarge(ServiceError):
    status = 413
    code = "payload_too_large"


# ---------------------------------------------------------------- storage


def root() -> Path:
    return Path(current_app.instance_path) / "attachments"


def file_path(sha256: str) -> Path:
    if not _SHA.fullmatch(sha256):
        raise ValueError("not a SHA-256 hex digest")
    return root() / sha256[:2] / sha256


@contextmanager
def _store_lock(exclusive: bool) -> Iterator[None]:
    """Uploads placing a file share it; the cleanup removing files holds it alone (flock, so across processes)."""
    root().mkdir(parents=True, exist_ok=True)
    with open(root() / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def per_file_limit() -> int:
    return int(current_app.config["ATTACHMENT_MAX_BYTES"])


def per_form_limit() -> int:
    return int(current_app.config["ATTACHMENT_FORM_MAX_BYTES"])


def human_size(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f}".rstrip("0").rstrip(".") + " " + unit
    return f"{size} B"


class Spool:
    """Where an upload's bytes go as they arrive: a temporary file inside the attachment folder, hashed and
    counted on the way; one byte past the per-file limit stops the upload with 413."""

    def __init__(self, limit: int) -> None:
        folder = root() / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix="upload-")
        self.path = Path(name)
        self.file: BinaryIO = os.fdopen(fd, "w+b")
        self.limit = limit
        self.size = 0
        self._hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge(_("文件超过 %(limit)s 的上限", limit=human_size(self.limit)),
                           fields={"file": _("文件超过 %(limit)s 的上限", limit=human_size(self.limit))})
        self._hash.update(data)
        return self.file.write(data)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def __getattr__(self, name: str) -> Any:  # seek, read, tell, flush… as the parser needs them
        return getattr(self.file, name)

    def discard(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)


# ---------------------------------------------------------------- names


def display_name(raw: str, kind: FileKind) -> str:
    """A name for people: no folders, no control or direction characters, bounded, with the extension of what
    the file really is. A name whose extension claims another allowed type is refused (a PDF called .png)."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _INVISIBLE)
    name = " ".join(name.split()).strip(" .")
    ext = extension(name)
    if ext and ext in ALLOWED_EXTENSIONS and ext not in kind.extensions:
        raise ValidationFailed(
            _("文件扩展名为 .%(ext)s，但内容是 %(kind)s 文件", ext=ext, kind=kind.label),
            fields={"file": _("文件扩展名为 .%(ext)s，但内容是 %(kind)s 文件", ext=ext, kind=kind.label)},
        )
    if ext not in kind.extensions:
        ext = kind.extensions[0]
        name = (name or _("附件")) + "." + ext
    stem = name[: -len(ext) - 1]
    return stem[: MAX_NAME - len(ext) - 1] + "." + ext


# ---------------------------------------------------------------- upload


def upload(user: User, spool: Spool, filename: str) -> Attachment:
    """Keep a received upload: checked by content, recorded, its file placed (or shared with the same bytes)."""
    try:
        if spool.size == 0:
            raise ValidationFailed(_("文件为空"), fields={"file": _("文件为空（0 字节）")})
        spool.file.flush()
        kind = detect(spool.file)
        if kind is None:
            allowed = "、".join(dict.fromkeys(k.label for k in KINDS))
            message = _("不支持的文件类型（按文件内容判断，只接受 %(allowed)s）", allowed=allowed)
            raise ValidationFailed(message, fields={"file": message})
        _check_pending(user, spool.size)
        row = Attachment(
            sha256=spool.sha256, name=display_name(filename, kind), size=spool.size,
            content_type=kind.content_type, uploaded_by_id=user.id, organisation_id=user.organisation_id,
            created_at=get_clock().now(),
        )
        db.session.add(row)
        db.session.flush()
        spool.file.close()
        with _store_lock(exclusive=False):
            db.session.commit()  # the row first: cleanup removes only files no committed row names
            try:
                _place(spool.path, file_path(row.sha256))
            except OSError:
                db.session.delete(row)  # a full or unwritable disk leaves no row without its file
                db.session.commit()
                raise
        return row
    finally:
        spool.discard()


def _check_pending(user: User, size: int) -> None:
    """One account may hold only so much uploaded but not yet submitted; the rest waits for a submission or the
    cleanup."""
    limit = int(current_app.config["ATTACHMENT_PENDING_MAX_BYTES"])
    pending = db.session.scalar(
        select(func.coalesce(func.sum(Attachment.size), 0))
        .where(Attachment.uploaded_by_id == user.id, Attachment.referenced_at.is_(None))
    ) or 0
    if pending + size > limit:
        message = _("您已上传但尚未提交的附件合计将超过 %(limit)s，请先提交表单或移除不用的附件（未提交的附件一天后清理）",
                    limit=human_size(limit))
        raise TooLarge(message, fields={"file": message})


def _place(received: Path, target: Path) -> None:
    if target.exists():  # the same bytes are already stored
        received.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(received, target)


# ---------------------------------------------------------------- reading


def may_read(user: User, attachment: Attachment) -> bool:
    """The uploader; after linking, whoever may view its instance or its project."""
    if attachment.uploaded_by_id == user.id:
        return True
    if attachment.instance_id is not None:
        instance = db.session.get(ProcessInstance, attachment.instance_id)
        if instance is not None and may_view_instance(user, instance):
            return True
    if attachment.project_id is not None:
        seen = select(Project.id).where(Project.id == attachment.project_id, visible_clause(user))
        if db.session.scalar(seen.limit(1)) is not None:
            return True
    return False


def readable(user: User, attachment_id: int) -> tuple[Attachment, Path]:
    """The attachment and its file, or NotFound for anyone out of scope (existence does not leak)."""
    row = db.session.get(Attachment, attachment_id)
    if row is None or not may_read(user, row):
        raise NotFound(_("附件不存在"))
    path = file_path(row.sha256)
    if not path.is_file():
        log.error("attachment %s: file %s is missing", row.id, path)
        raise NotFound(_("附件不存在"))
    return row, path


@dataclass(frozen=True)
class Shown:
    id: int
    name: str
    size: str


def describe(user: User, ids: list[int]) -> dict[int, Shown]:
    """Names and sizes of the attachments among `ids` this user may read (for lists and forms)."""
    wanted = [i for i in dict.fromkeys(ids) if isinstance(i, int) and not isinstance(i, bool)][:200]
    return {r.id: Shown(r.id, r.name, human_size(r.size)) for r in _rows(wanted).values() if may_read(user, r)}


# ---------------------------------------------------------------- linking to a completed step


def fields_of(schema: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    """(path, title) of every attachment field of a form, looking into nested objects."""
    props = schema.get("properties") if isinstance(schema, dict) else None
    found: list[tuple[tuple[str, ...], str]] = []
    for key, sub in (props or {}).items():
        if not isinstance(sub, dict):
            continue
        if is_attachment_field(sub):
            found.append(((*prefix, key), str(sub.get("title") or key)))
        elif sub.get("type") == "object":
            found.extend(fields_of(sub, (*prefix, key)))
    return found


def is_attachment_field(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get(MARKER) is True and schema.get("type") == "array"


def _ids_at(data: Any, path: tuple[str, ...]) -> list[int]:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    if not isinstance(data, list):
        return []
    return list(dict.fromkeys(v for v in data if isinstance(v, int) and not isinstance(v, bool)))


def _rows(ids: list[int]) -> dict[int, Attachment]:
    """Rows by id; ids no row could have (PostgreSQL will not even compare an integer column with them) are
    simply not found."""
    valid = [i for i in ids if 0 < i <= MAX_ROW_ID]
    if not valid:
        return {}
    return {r.id: r for r in db.session.scalars(select(Attachment).where(Attachment.id.in_(valid)))}


def referenced(user: User, instance: ProcessInstance, schema: Any, data: Any) -> list[Attachment]:
    """The attachments a submission references, checked before the step runs: each must exist, be readable by
    the user and not belong to another instance, and together stay within the per-form limit (422 naming the
    field otherwise)."""
    found: list[Attachment] = []
    errors: dict[str, str] = {}
    total = 0
    for path, _title in fields_of(schema):
        field = ".".join(path)
        ids = _ids_at(data, path)
        rows = _rows(ids)
        for attachment_id in ids:
            row = rows.get(attachment_id)
            if row is None or not may_read(user, row):
                errors.setdefault(field, _("附件 %(id)s 不存在或已失效，请重新上传", id=attachment_id))
            elif row.instance_id not in (None, instance.id):
                errors.setdefault(field, _("附件“%(name)s”已用于其他流程，请重新上传", name=row.name))
            else:
                total += row.size
                if total > per_form_limit():
                    errors.setdefault(field, _("本表附件合计超过 %(limit)s 的上限", limit=human_size(per_form_limit())))
                found.append(row)
    if errors:
        raise ValidationFailed(_("附件不符合要求"), fields=errors)
    return found


def link(rows: list[Attachment], instance: ProcessInstance) -> None:
    """Tie checked attachments to the instance (and its project) in the step's own transaction."""
    if not rows:
        return
    now = get_clock().now()
    project_id = _project_id(instance)
    for row in rows:
        row.instance_id = instance.id
        row.project_id = row.project_id or project_id
        row.referenced_at = row.referenced_at or now


def _project_id(instance: ProcessInstance) -> int | None:
    """The instance's project: by its business key (the project code), else the one the instance created."""
    key = select(ProcessInstance.business_key).where(ProcessInstance.id == instance.id).scalar_subquery()
    stmt = select(Project.id).where(or_(Project.instance_id == instance.id, Project.code == key))
    return db.session.scalar(stmt.order_by(Project.id.desc()).limit(1))


# ---------------------------------------------------------------- the worker's cleanup


def cleanup(now: datetime | None = None, *, batch: int = 1000) -> int:
    """Remove uploads no completed step referenced within the keep time, then every file no row names any
    more, and temporary files a crashed upload left. Returns how many rows went."""
    now = now or get_clock().now()
    cutoff = now - timedelta(hours=float(current_app.config["ATTACHMENT_KEEP_HOURS"]))
    stale = db.session.execute(
        select(Attachment.id, Attachment.sha256)
        .where(Attachment.referenced_at.is_(None), Attachment.created_at < cutoff)
        .order_by(Attachment.id).limit(batch)
    ).tuples().all()
    if stale:
        db.session.execute(delete(Attachment).where(Attachment.id.in_([i for i, _sha in stale])))
        db.session.commit()
        hashes = {sha for _i, sha in stale}
        with _store_lock(exclusive=True):
            kept = set(db.session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(hashes))))
            db.session.rollback()  # end the read, so the next pass sees later uploads
            for sha in hashes - kept:
                file_path(sha).unlink(missing_ok=True)
        log.info("removed %d unreferenced attachment(s)", len(stale))
    _sweep_temporary()
    return len(stale)


def _sweep_temporary() -> None:
    folder = root() / "tmp"
    if not folder.is_dir():
        return
    limit = time.time() - TEMP_MAX_AGE  # real files on a real disk: the wall clock, not the flow clock
    for item in folder.iterdir():
        try:
            if item.is_file() and item.stat().st_mtime < limit:
                item.unlink()
        except OSError:
            continue
