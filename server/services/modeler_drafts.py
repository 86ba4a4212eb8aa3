"""Drafts of the BPMN modeler (/admin/models/<key>/modeler): an administrator saves an edited diagram without
deploying it, and finds it again on the next visit. One draft per model and administrator; it never runs.

A draft is only checked for being a safe, well-formed BPMN document (no DTD/entities, within the size limit)
and for being made against the current version: it may hold unfinished work that would not deploy yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from lxml import etree
from sqlalchemy import delete, select

from server.db import db
from server.engine.parsing import parse_xml
from server.extensions import get_clock
from server.models import ModelerDraft, ProcessModel, User
from server.services import audit
from server.services.admin_access import require_admin
from server.services.deployment import MAX_FILE_BYTES, check_lane_options
from server.services.errors import Conflict, NotFound, ValidationFailed

BPMN_MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class DraftInfo:
    """What the page says about a draft: whose, when, against which version, and whether it can still deploy."""

    saved_by: str
    saved_at: datetime
    base: int
    stale: bool  # another version was deployed after the draft's base: it can only be discarded


def _model(key: str) -> ProcessModel:
    model = db.session.scalar(select(ProcessModel).where(ProcessModel.key == key))
    if model is None or model.current_version is None:
        raise NotFound(_("流程模型不存在"))
    return model


def _draft(actor: User, model: ProcessModel) -> ModelerDraft | None:
    return db.session.scalar(select(ModelerDraft).where(ModelerDraft.model_id == model.id,
                                                        ModelerDraft.user_id == actor.id))


def check_diagram(xml: Any) -> bytes:
    """The diagram as UTF-8, or ValidationFailed: not text, too large, not XML, DTD/entities, not BPMN."""
    if not isinstance(xml, str) or not xml.strip():
        raise ValidationFailed(_("没有收到流程图"), fields={"xml": _("请求中应有 BPMN XML 文本")})
    raw = xml.encode("utf-8")  # lone surrogates never get here: request_hygiene refuses them at the door
    if len(raw) > MAX_FILE_BYTES:
        raise ValidationFailed(_("流程图超过 1 MB"), fields={"xml": _("文件超过 1 MB")})
    root, _text, problems = parse_xml("draft.bpmn", raw)
    if problems:
        raise ValidationFailed(problems[0].message, fields={"xml": problems[0].message})
    if root is None or etree.QName(root).namespace != BPMN_MODEL_NS or etree.QName(root).localname != "definitions":
        raise ValidationFailed(_("不是 BPMN 流程图"), fields={"xml": _("根元素应为 BPMN 2.0 的 definitions")})
    return raw


def info(actor: User, key: str) -> DraftInfo | None:
    require_admin(actor)
    model = _model(key)
    draft = _draft(actor, model)
    if draft is None:
        return None
    return DraftInfo(actor.display_name or actor.username, draft.saved_at, draft.base_number,
                     draft.base_number != model.current_version.number)


def load(actor: User, key: str) -> ModelerDraft:
    require_admin(actor)
    draft = _draft(actor, _model(key))
    if draft is None:
        raise NotFound(_("没有草稿"))
    return draft


def save(actor: User, key: str, xml: Any, base: Any, lane_roles: Any = None, default_role: Any = None) -> DraftInfo:
    """Store (or replace) the actor's draft of `key`; refused whole (nothing stored) on any bad part."""
    require_admin(actor)
    model = _model(key)
    raw = check_diagram(xml)
    mapping = check_lane_options(lane_roles, default_role, None)
    current = model.current_version.number
    if base != current:
        raise Conflict(_("编辑期间该流程已部署了第 %(n)s 版，请重新打开建模器后再修改", n=current))
    draft = _draft(actor, model) or ModelerDraft(model_id=model.id, user_id=actor.id)
    draft.base_number = current
    draft.xml = raw.decode("utf-8")
    draft.lane_roles = mapping or None
    draft.default_role = default_role
    draft.saved_at = get_clock().now()
    db.session.add(draft)
    audit.record("modeler_draft_save", actor=actor, data={"process_key": key, "base": current})
    db.session.commit()
    return DraftInfo(actor.display_name or actor.username, draft.saved_at, current, False)


def discard(actor: User, key: str) -> bool:
    """Remove the actor's draft of `key`; False when there was none."""
    require_admin(actor)
    model = _model(key)
    gone = drop(actor, model.id)
    if gone:
        audit.record("modeler_draft_discard", actor=actor, data={"process_key": key})
    db.session.commit()
    return gone


def drop(actor: User, model_id: int) -> bool:
    """Delete the actor's draft in the current transaction (a deploy from the modeler commits it)."""
    result = db.session.execute(delete(ModelerDraft).where(ModelerDraft.model_id == model_id,
                                                           ModelerDraft.user_id == actor.id))
    return bool(result.rowcount)
