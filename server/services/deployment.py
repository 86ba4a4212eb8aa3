"""Deploying a process model version from uploaded BPMN, DMN and form files.

Lanes: a diagram drawn elsewhere keeps its lane names; `lane_roles` (lane name -> role code) and `default_role`
say who each lane is offered to (server.engine.lanes), and are stored with the version. Who may start it: the
role of the start event's lane, or `start_role` when given; a diagram without lanes is started by administrators
unless `start_role` names another role (nobody-in-particular is never a starter).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from server.db import db
from server.engine.errors import DeployError
from server.engine.parsing import CompiledPackage, compile_package, is_bpmn
from server.extensions import get_clock
from server.models import ProcessModel, ProcessVersion, Role, User
from server.models.identity import ROLE_CODES
from server.services import audit
from server.services.errors import ValidationFailed
from server.services.role_names import role_name
from server.services.start_lane import start_lane

ALLOWED_SUFFIXES = (".bpmn", ".bpmn20.xml", ".dmn", ".json")
MAX_LANE_ROLES = 100
MAX_FILES = 100  # a flow with its forms and rule tables: the largest shipped one has about 30 files
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
            fields[name] = _("只接受 .bpmn、.bpmn20.xml、.dmn 和表单 .json 文件")
        elif len(content) > MAX_FILE_BYTES:
            fields[name] = _("文件超过 1 MB")
    if not any(is_bpmn(n) for n in files):
        fields.setdefault("files", _("至少需要一个 .bpmn 文件"))
    if fields:
        raise ValidationFailed(_("上传的文件不符合要求"), fields=fields)


def _valid_roles() -> str:
    return "、".join(f"{code}（{role_name(code)}）" for code in sorted(ROLE_CODES))


def check_lane_options(lane_roles: Any, default_role: Any, start_role: Any) -> dict[str, str]:
    """The deploy's lane options as given (API input: anything); refused with the valid role codes listed."""
    fields: dict[str, str] = {}
    if lane_roles is None:
        lane_roles = {}
    if not isinstance(lane_roles, Mapping) or len(lane_roles) > MAX_LANE_ROLES or not all(
        isinstance(k, str) and isinstance(v, str) and 0 < len(k.strip()) <= 200 for k, v in lane_roles.items()
    ):
        fields["lane_roles"] = _("应为对象：泳道名称 → 角色代码（最多 %(n)s 项）", n=MAX_LANE_ROLES)
    else:
        bad = sorted(str(v) for v in lane_roles.values() if v not in ROLE_CODES)
        if bad:
            fields["lane_roles"] = _("“%(bad)s”不是已知角色；可选角色：%(valid)s", bad="、".join(bad),
                                     valid=_valid_roles())
    for key, value in (("default_role", default_role), ("start_role", start_role)):
        if value is not None and value not in ROLE_CODES:
            fields[key] = _("“%(bad)s”不是已知角色；可选角色：%(valid)s", bad=str(value)[:50], valid=_valid_roles())
    if fields:
        raise ValidationFailed(_("泳道与角色的设置不正确"), fields=fields)
    return {k.strip(): v for k, v in lane_roles.items()}


def check_version(
    model_key: str,
    files: dict[str, bytes],
    *,
    lane_roles: Mapping[str, str] | None = None,
    default_role: str | None = None,
    start_role: str | None = None,
) -> tuple[CompiledPackage, dict[str, str]]:
    """Everything a deploy checks, storing nothing: the compiled package and the cleaned lane mapping, or
    ValidationFailed whose fields are keyed "file#element" (or the file alone) with the problem in Chinese."""
    _check_upload(model_key, files)
    mapping = check_lane_options(lane_roles, default_role, start_role)
    try:
        package = compile_package(
            files,
            known_roles=set(ROLE_CODES),
            operators=current_app.extensions["jixiao.operators"],
            lane_roles=mapping,
            default_role=default_role,
            role_names={code: role_name(code) for code in ROLE_CODES},
        )
    except DeployError as err:
        fields: dict[str, str] = {}
        for p in err.problems:
            key = f"{p.file}#{p.element_id}" if p.element_id else p.file
            fields[key] = f"{fields[key]}；{p.message}" if key in fields else p.message
        raise ValidationFailed(
            _("流程校验未通过：%(first)s", first=err.problems[0].message if err.problems else ""), fields=fields
        ) from err
    return package, mapping


def deploy_version(
    model_key: str,
    files: dict[str, bytes],
    *,
    actor: User | None = None,
    name: str | None = None,
    lane_roles: Mapping[str, str] | None = None,
    default_role: str | None = None,
    start_role: str | None = None,
) -> ProcessVersion:
    """Validate and store a new version; identical content (and lane options) to the current version is not
    stored twice. `lane_roles`, `default_role`, `start_role`: see the module docstring."""
    package, mapping = check_version(model_key, files, lane_roles=lane_roles, default_role=default_role,
                                     start_role=start_role)
    starter = start_lane(package.sources, package.process_id)
    if start_role is None:
        start_role = (mapping.get(starter) or (starter if starter in ROLE_CODES else default_role)
                      if starter else None) or Role.ADMIN.value

    model = db.session.scalar(select(ProcessModel).where(ProcessModel.key == model_key))
    if model is None:
        model = ProcessModel(key=model_key, name=name or package.name or model_key, created_at=get_clock().now())
        db.session.add(model)
        db.session.flush()
    elif (current := model.current_version) is not None and current.checksum == package.checksum \
            and current.start_role == start_role:
        return current
    number = (db.session.scalar(select(func.max(ProcessVersion.number)).where(ProcessVersion.model_id == model.id)) or 0) + 1
    version = ProcessVersion(
        model_id=model.id,
        model=model,
        number=number,
        process_id=package.process_id,
        start_role=start_role,
        lane_roles=mapping or None,
        default_role=default_role,
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
    audit.record("deploy", actor=actor, data={
        "process_key": model_key, "version": number, "files": sorted(files),
        "lane_roles": mapping or None, "default_role": default_role, "start_role": start_role,
    })
    db.session.commit()
    return version
