"""What the BPMN modeler page (/admin/models/<key>/modeler) edits and sends back: the current version's diagram
(or the admin's draft of it, services/modeler_drafts.py), checked or deployed with the version's other files (rule
tables, forms) reused unchanged, and the lane options as the side panel set them (the version's when not sent).
The page's side panel gets what it offers from here: the roles by name, the version's forms by title, the
registered service operators.

An edit is made against one version (`base`): when another deploy came in meanwhile, the edit is refused (409)
instead of silently replacing that version's changes. Refusals carry, per element, what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from server.db import db
from server.engine.parsing import is_bpmn
from server.models import ProcessVersion, User
from server.models.identity import ROLE_CODES
from server.services import modeler_drafts
from server.services.admin_access import require_admin
from server.services.deployment import check_version, deploy_version
from server.services.errors import Conflict, ValidationFailed
from server.services.model_admin import current_version, version_files
from server.services.role_names import role_name
from server.services.start_lane import start_lane

UI_SUFFIXES = (".ui.json", "uischema.json", "-ui.json", "_ui.json")  # as engine.validation tells forms apart
KEEP = object()  # lane options not sent: the version's stay


@dataclass(frozen=True)
class Diagram:
    key: str
    name: str
    version: int
    file: str  # the BPMN file the modeler edits
    # What the side panel offers (JSON for modeler.js): roles, the version's forms, operators, lane options.
    panel: dict[str, Any] = field(default_factory=dict)
    draft: modeler_drafts.DraftInfo | None = None


@dataclass(frozen=True)
class Problem:
    file: str
    element_id: str | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "element_id": self.element_id, "message": self.message}



def _main_file(version: ProcessVersion) -> str:
    """The BPMN file holding the version's process (a package may hold called processes in other files)."""
    bpmn = sorted(name for name in version.sources if is_bpmn(name))
    marker = f'id="{version.process_id}"'
    return next((name for name in bpmn if marker in version.sources[name]), bpmn[0])


def _panel(version: ProcessVersion) -> dict[str, Any]:
    def title(name: str) -> str:
        form = version.forms.get(name)
        found = form.get("title") if isinstance(form, dict) else None
        return str(found) if found else name

    forms = sorted(version.forms)
    return {
        "roles": [{"code": code, "name": role_name(code)} for code in sorted(ROLE_CODES)],
        "forms": [{"file": n, "title": title(n)} for n in forms if not n.lower().endswith(UI_SUFFIXES)],
        "ui_forms": [{"file": n, "title": n} for n in forms if n.lower().endswith(UI_SUFFIXES)],
        "operators": sorted(current_app.extensions["jixiao.operators"].names()),
        "lane_roles": dict(version.lane_roles or {}),
        "default_role": version.default_role,
    }


def diagram(actor: User, key: str) -> Diagram:
    require_admin(actor)
    version = current_version(key)
    draft = modeler_drafts.info(actor, key)
    panel = _panel(version)
    if draft is not None and not draft.stale:  # the page opens the draft, with the lane options it was saved with
        saved = modeler_drafts.load(actor, key)
        panel.update(lane_roles=dict(saved.lane_roles or {}), default_role=saved.default_role)
    return Diagram(key, version.model.name, version.number, _main_file(version), panel, draft)


def problems_of(err: ValidationFailed) -> list[Problem]:
    """deployment's fields ("file#element" or a file or a form field) as a list the page marks on the canvas."""
    found = []
    for key, message in (err.fields or {}).items():
        file, _sep, element = key.partition("#")
        found.append(Problem(file, element or None, message))
    return found or [Problem("", None, err.message)]


def _package(key: str, xml: Any, base: Any, lane_roles: Any = KEEP,
             default_role: Any = KEEP) -> tuple[ProcessVersion, dict[str, bytes], dict[str, Any]]:
    """`lane_roles` / `default_role` as the side panel set them; KEEP (not sent) reuses the version's."""
    raw = modeler_drafts.check_diagram(xml)
    version = current_version(key)
    if base is not None and base != version.number:
        raise Conflict(_("编辑期间该流程已部署了第 %(n)s 版，请重新打开建模器后再修改", n=version.number))
    files = version_files(key, version.number)
    files[_main_file(version)] = raw
    # The lane options stay as deployed unless the panel sent them; a start role given for a lane-less diagram
    # is kept too.
    options: dict[str, Any] = {
        "lane_roles": (version.lane_roles or None) if lane_roles is KEEP else lane_roles,
        "default_role": version.default_role if default_role is KEEP else default_role,
    }
    if start_lane(version.sources, version.process_id) is None:
        options["start_role"] = version.start_role
    return version, files, options


def validate(actor: User, key: str, xml: Any, base: Any = None, **lanes: Any) -> None:
    """Raises ValidationFailed (see problems_of) when the edited diagram would not deploy; stores nothing.
    `lanes`: lane_roles / default_role from the side panel (see _package)."""
    require_admin(actor)
    _version, files, options = _package(key, xml, base, **lanes)
    check_version(key, files, **options)


def deploy(actor: User, key: str, xml: Any, base: Any = None, **lanes: Any) -> ProcessVersion:
    """A new version of `key` from the edited diagram (audited by the deployment service); the deployer's draft
    goes in the same transaction. On a refusal nothing is stored and the draft stays."""
    require_admin(actor)
    version, files, options = _package(key, xml, base, **lanes)
    modeler_drafts.drop(actor, version.model_id)
    try:
        deployed = deploy_version(key, files, actor=actor, **options)
    except ValidationFailed:
        db.session.rollback()
        raise
    db.session.commit()  # the draft's removal, also when the diagram was unchanged and no version was added
    return deployed
