"""What the BPMN modeler page (/admin/models/<key>/modeler) edits and sends back: the current version's diagram,
checked or deployed with the version's other files (rule tables, forms) and lane options reused unchanged.

An edit is made against one version (`base`): when another deploy came in meanwhile, the edit is refused (409)
instead of silently replacing that version's changes. Refusals carry, per element, what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import undefer

from server.db import db
from server.engine.parsing import is_bpmn
from server.models import ProcessModel, ProcessVersion, User
from server.services.admin_access import require_admin
from server.services.deployment import MAX_FILE_BYTES, check_version, deploy_version
from server.services.errors import Conflict, NotFound, ValidationFailed
from server.services.model_admin import version_files
from server.services.start_lane import start_lane


@dataclass(frozen=True)
class Diagram:
    key: str
    name: str
    version: int
    file: str  # the BPMN file the modeler edits


@dataclass(frozen=True)
class Problem:
    file: str
    element_id: str | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "element_id": self.element_id, "message": self.message}


def _current(key: str) -> ProcessVersion:
    model = db.session.scalar(select(ProcessModel).where(ProcessModel.key == key))
    version = model.current_version if model is not None else None
    if version is None:
        raise NotFound(_("流程模型不存在"))
    return db.session.scalar(select(ProcessVersion).where(ProcessVersion.id == version.id)
                             .options(undefer(ProcessVersion.sources)))


def _main_file(version: ProcessVersion) -> str:
    """The BPMN file holding the version's process (a package may hold called processes in other files)."""
    bpmn = sorted(name for name in version.sources if is_bpmn(name))
    marker = f'id="{version.process_id}"'
    return next((name for name in bpmn if marker in version.sources[name]), bpmn[0])


def diagram(actor: User, key: str) -> Diagram:
    require_admin(actor)
    version = _current(key)
    return Diagram(key, version.model.name, version.number, _main_file(version))


def problems_of(err: ValidationFailed) -> list[Problem]:
    """deployment's fields ("file#element" or a file or a form field) as a list the page marks on the canvas."""
    found = []
    for key, message in (err.fields or {}).items():
        file, _sep, element = key.partition("#")
        found.append(Problem(file, element or None, message))
    return found or [Problem("", None, err.message)]


def _package(key: str, xml: Any, base: Any) -> tuple[ProcessVersion, dict[str, bytes], dict[str, Any]]:
    if not isinstance(xml, str) or not xml.strip():
        raise ValidationFailed(_("没有收到流程图"), fields={"xml": _("请求中应有 BPMN XML 文本")})
    raw = xml.encode("utf-8")
    if len(raw) > MAX_FILE_BYTES:
        raise ValidationFailed(_("流程图超过 1 MB"), fields={"xml": _("文件超过 1 MB")})
    version = _current(key)
    if base is not None and base != version.number:
        raise Conflict(_("编辑期间该流程已部署了第 %(n)s 版，请重新打开建模器后再修改", n=version.number))
    files = version_files(key, version.number)
    files[_main_file(version)] = raw
    # The lane options stay as deployed; a start role given for a lane-less diagram is kept too.
    options: dict[str, Any] = {"lane_roles": version.lane_roles or None, "default_role": version.default_role}
    if start_lane(version.sources, version.process_id) is None:
        options["start_role"] = version.start_role
    return version, files, options


def validate(actor: User, key: str, xml: Any, base: Any = None) -> None:
    """Raises ValidationFailed (see problems_of) when the edited diagram would not deploy; stores nothing."""
    require_admin(actor)
    _version, files, options = _package(key, xml, base)
    check_version(key, files, **options)


def deploy(actor: User, key: str, xml: Any, base: Any = None) -> ProcessVersion:
    """A new version of `key` from the edited diagram (audited by the deployment service); on a refusal
    nothing is stored."""
    require_admin(actor)
    _version, files, options = _package(key, xml, base)
    return deploy_version(key, files, actor=actor, **options)
