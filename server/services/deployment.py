"""Deploying a process model version from uploaded BPMN, DMN and form files."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from server.db import db
from server.engine.errors import DeployError
from server.engine.parsing import compile_package
from server.extensions import get_clock
from server.models import ProcessModel, ProcessVersion, User
from server.models.identity import ROLE_CODES
from server.services import audit
from server.services.errors import ValidationFailed
from server.services.start_lane import start_lane

ALLOWED_SUFFIXES = (".bpmn", ".dmn", ".json")
MAX_FILES = 50
MAX_FILE_BYTES = 1024 * 1024
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_\-]{1,63}$")


def _check_upload(model_key: str, files: dict[str, bytes]) -> None:
    if not KEY_PATTERN.match(model_key or ""):
        raise ValidationFailed(
            _("流程标识不合法"), fields={"key": _("只能包含小写字母、数字、下划线和连字符，以字母开头")}
        )
    if not files:
        raise ValidationFailed(_("没有上传文件"), fields={"files": _("至少需要一个 .bpmn 文件")})
    if len(files) > MAX_FILES:
        raise ValidationFailed(_("文件过多"), fields={"files": _("最多 %(n)s 个文件", n=MAX_FILES)})
    fields: dict[str, str] = {}
    for name, content in files.items():
        if not name.lower().endswith(ALLOWED_SUFFIXES) or "/" in name or "\\" in name or name.startswith("."):
            fields[name] = _("只接受 .bpmn、.dmn 和表单 .json 文件")
        elif len(content) > MAX_FILE_BYTES:
            fields[name] = _("文件超过 1 MB")
    if not any(n.lower().endswith(".bpmn") for n in files):
        fields.setdefault("files", _("至少需要一个 .bpmn 文件"))
    if fields:
        raise ValidationFailed(_("上传的文件不符合要求"), fields=fields)


def deploy_version(
    model_key: str, files: dict[str, bytes], *, actor: User | None = None, name: str | None = None
) -> ProcessVersion:
    """Validate and store a new version; identical content to the current version is not stored twice."""
    _check_upload(model_key, files)
    try:
        package = compile_package(
            files, known_roles=set(ROLE_CODES), operators=current_app.extensions["jixiao.operators"]
        )
    except DeployError as err:
        fields: dict[str, str] = {}
        for p in err.problems:
            key = f"{p.file}#{p.element_id}" if p.element_id else p.file
            fields[key] = f"{fields[key]}；{p.message}" if key in fields else p.message
        raise ValidationFailed(
            _("流程校验未通过：%(first)s", first=err.problems[0].message if err.problems else ""), fields=fields
        ) from err

    model = db.session.scalar(select(ProcessModel).where(ProcessModel.key == model_key))
    if model is None:
        model = ProcessModel(key=model_key, name=name or package.name or model_key, created_at=get_clock().now())
        db.session.add(model)
        db.session.flush()
    elif model.current_version is not None and model.current_version.checksum == package.checksum:
        return model.current_version
    number = (db.session.scalar(select(func.max(ProcessVersion.number)).where(ProcessVersion.model_id == model.id)) or 0) + 1
    version = ProcessVersion(
        model_id=model.id,
        model=model,
        number=number,
        process_id=package.process_id,
        start_role=start_lane(package.sources, package.process_id),
        sources=package.sources,
        forms=package.forms,
        spec_json=package.spec_json,
        checksum=package.checksum,
        deployed_by_id=actor.id if actor else None,
        deployed_at=get_clock().now(),
    )
    db.session.add(version)
    db.session.flush()
    model.current_version_id = version.id
    if name:
        model.name = name
    elif package.name:
        model.name = package.name
    audit.record("deploy", actor=actor, data={"process_key": model_key, "version": number, "files": sorted(files)})
    db.session.commit()
    return version
