"""What /admin/models shows: every deployed flow with its versions (who deployed it, when, checksum, how many
instances run on it and in which states) and a version's files as a .zip. Deploying goes through
server.services.deployment, the same service as POST /api/v1/process-models/{key}/versions."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from server.db import db
from server.models import ProcessInstance, ProcessModel, ProcessVersion, User
from server.services.errors import NotFound


@dataclass
class VersionRow:
    number: int
    deployed_at: datetime
    deployed_by: str | None
    checksum: str
    current: bool
    files: list[str]
    instances: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.instances.values())


@dataclass
class ModelRow:
    key: str
    name: str
    versions: list[VersionRow]


def model_rows() -> list[ModelRow]:
    """Newest version first in each model; instance counts by status in one grouped query."""
    counts: dict[int, Counter[str]] = {}
    for version_id, status, n in db.session.execute(
        select(ProcessInstance.version_id, ProcessInstance.status, func.count())
        .group_by(ProcessInstance.version_id, ProcessInstance.status)
    ):
        counts.setdefault(version_id, Counter())[str(status.value)] = n
    names = dict(db.session.execute(select(User.id, User.display_name)).tuples().all())
    rows: dict[int, ModelRow] = {}
    models = db.session.scalars(select(ProcessModel).order_by(ProcessModel.key)).all()
    for model in models:
        rows[model.id] = ModelRow(model.key, model.name, [])
    versions = db.session.scalars(
        select(ProcessVersion).options(undefer(ProcessVersion.sources))
        .order_by(ProcessVersion.model_id, ProcessVersion.number.desc())
    ).all()
    current = {m.current_version_id for m in models}
    for v in versions:
        rows[v.model_id].versions.append(VersionRow(
            v.number, v.deployed_at, names.get(v.deployed_by_id), v.checksum, v.id in current,
            sorted(v.sources) + sorted(v.forms), counts.get(v.id, Counter())))
    return list(rows.values())


def current_version(key: str) -> ProcessVersion:
    """The model's current version with its files loaded (what the modeler and the form and rule editors edit)."""
    model = db.session.scalar(select(ProcessModel).where(ProcessModel.key == key))
    version = model.current_version if model is not None else None
    if version is None:
        raise NotFound(_("流程模型不存在"))
    return db.session.scalar(select(ProcessVersion).where(ProcessVersion.id == version.id)
                             .options(undefer(ProcessVersion.sources)))


def version_files(key: str, number: int) -> dict[str, bytes]:
    """The version's BPMN/DMN sources and form snapshots, by file name, as deployed."""
    version = db.session.scalar(
        select(ProcessVersion).join(ProcessModel, ProcessModel.id == ProcessVersion.model_id)
        .where(ProcessModel.key == key, ProcessVersion.number == number)
        .options(undefer(ProcessVersion.sources))
    )
    if version is None:
        raise NotFound(_("流程版本不存在"))
    files = {name: xml.encode("utf-8") for name, xml in version.sources.items()}
    for name, form in version.forms.items():
        files[name] = json.dumps(form, ensure_ascii=False, indent=2).encode("utf-8")
    return files


def version_zip(key: str, number: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(version_files(key, number).items()):
            archive.writestr(name, content)
    return buffer.getvalue()


def export_rows(rows: list[ModelRow]):
    for model in rows:
        for v in model.versions:
            yield [model.key, model.name, v.number, _("当前版本") if v.current else _("历史版本"),
                   v.deployed_by or "", v.deployed_at.strftime("%Y-%m-%d %H:%M"), v.checksum, v.total,
                   v.instances.get("error", 0)]
