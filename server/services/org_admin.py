"""Creating and editing organisations (/admin/organisations): code, name, kind, parent and sector (归口领域).
A unit (实施单位) sits under its supervising department and takes its sector unless given one; the tree never
loops. Instances keep the scope they started with; a change applies to what starts afterwards."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from server.db import db
from server.models import Organisation, OrgKind, User
from server.services import audit
from server.services.admin_access import require_admin
from server.services.errors import NotFound, ValidationFailed
from server.services.people import ORG_KINDS, known_sectors

CODE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


def _summary(org: Organisation) -> dict[str, Any]:
    return {"code": org.code, "name": org.name, "kind": org.kind.value,
            "parent": org.parent.code if org.parent else None, "sector": org.sector}


def _check(data: Mapping[str, Any], editing: Organisation | None) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    code = editing.code if editing else str(data.get("code") or "").strip()
    if editing is None:
        if not CODE.match(code):
            errors["code"] = _("机构编码须以小写字母开头，2–64 位小写字母、数字或下划线")
        elif db.session.scalar(select(Organisation.id).where(Organisation.code == code)):
            errors["code"] = _("机构编码“%(code)s”已存在", code=code)
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 200:
        errors["name"] = _("请填写机构名称（最多 200 字）")
    kind_text = str(data.get("kind") or "")
    kind = OrgKind(kind_text) if kind_text in ORG_KINDS else None
    if kind is None:
        errors["kind"] = _("请选择机构类型")
    parent_code = str(data.get("parent") or "").strip()
    parent = db.session.scalar(select(Organisation).where(Organisation.code == parent_code)) if parent_code else None
    if parent_code and parent is None:
        errors["parent"] = _("上级机构“%(code)s”不存在", code=parent_code)
    elif kind == OrgKind.UNIT and (parent is None or parent.kind != OrgKind.DEPARTMENT):
        errors["parent"] = _("实施单位的上级须为主管部门")
    elif editing is not None and parent is not None:
        ancestor: Organisation | None = parent
        while ancestor is not None:
            if ancestor.id == editing.id:
                errors["parent"] = _("上级机构不能是本机构或其下级")
                break
            ancestor = ancestor.parent
    sector = str(data.get("sector") or "").strip() or None
    if sector is None and kind == OrgKind.UNIT and parent is not None:
        sector = parent.sector
    if sector is not None and sector not in known_sectors():
        errors["sector"] = _("未知领域“%(s)s”，可选：%(valid)s", s=sector, valid="、".join(known_sectors()))
    elif sector is None and kind == OrgKind.DEPARTMENT:
        errors["sector"] = _("主管部门须有归口领域")
    return {"code": code, "name": name, "kind": kind, "parent": parent, "sector": sector}, errors


def create_organisation(actor: User, data: Mapping[str, Any]) -> Organisation:
    require_admin(actor)
    fields, errors = _check(data, None)
    if errors:
        raise ValidationFailed(_("机构信息有误"), fields=errors)
    org = Organisation(code=fields["code"], name=fields["name"], kind=fields["kind"], parent=fields["parent"],
                       sector=fields["sector"])
    db.session.add(org)
    db.session.flush()
    audit.record("org_create", actor=actor, data=_summary(org))
    db.session.commit()
    return org


def update_organisation(actor: User, org_id: int, data: Mapping[str, Any]) -> Organisation:
    require_admin(actor)
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound(_("机构不存在"))
    fields, errors = _check(data, org)
    if errors:
        raise ValidationFailed(_("机构信息有误"), fields=errors)
    before = _summary(org)
    org.name, org.kind, org.parent, org.sector = fields["name"], fields["kind"], fields["parent"], fields["sector"]
    org.parent_id = fields["parent"].id if fields["parent"] else None
    audit.record("org_update", actor=actor, data={"before": before, "after": _summary(org)})
    db.session.commit()
    return org
