"""Users and organisations as an administrator manages them (/admin/users, /admin/organisations,
/api/v1/admin/users): the organisation tree, creating and editing users (roles, covered sectors), deactivation
(claimed tasks back to the pool, every session ended) and password resets. Every change is audited."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from server.db import db
from server.extensions import get_clock
from server.models import HumanTask, Organisation, OrgKind, Role, TaskStatus, User, UserRole, UserSector
from server.models.identity import ROLE_CODES
from server.services import audit, login_sessions
from server.services.admin_access import require_admin
from server.services.auth import hash_password
from server.services.errors import NotFound, ValidationFailed
from server.services.role_names import ROLE_LABELS

USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{1,63}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 128
# The 归口领域 a county's finance sections fund (DOMAIN.md); sectors organisations already carry count too.
STANDARD_SECTORS = ("教育", "科技", "文化", "卫生健康", "社会保障", "农业", "林业", "水利", "交通", "城乡建设",
                    "生态环境", "公共安全", "一般公共服务")
ORG_KINDS = {OrgKind.FINANCE_BUREAU.value: _l("财政局"), OrgKind.FINANCE_OFFICE.value: _l("财政局股室"),
             OrgKind.DEPARTMENT.value: _l("主管部门"), OrgKind.UNIT.value: _l("实施单位"),
             OrgKind.THIRD_PARTY.value: _l("第三方机构")}


def known_sectors() -> list[str]:
    used = db.session.scalars(select(Organisation.sector).where(Organisation.sector.is_not(None)).distinct())
    covered = db.session.scalars(select(UserSector.sector).distinct())
    order = {s: i for i, s in enumerate(STANDARD_SECTORS)}
    return sorted(set(STANDARD_SECTORS) | set(used) | set(covered), key=lambda s: (order.get(s, len(order)), s))


def role_from(text: str) -> str | None:
    """A role by its code or its Chinese name (as a spreadsheet may write it)."""
    text = text.strip()
    if text in ROLE_CODES:
        return text
    return next((code for code, label in ROLE_LABELS.items() if str(label) == text), None)


@dataclass(frozen=True)
class OrgNode:
    org: Organisation
    depth: int
    users: int


def organisation_tree() -> list[OrgNode]:
    """Depth-first, parents before children, siblings by code; with how many users each has."""
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.code)).all()
    users = dict(db.session.execute(select(User.organisation_id, func.count()).group_by(User.organisation_id))
                 .tuples().all())
    children: dict[int | None, list[Organisation]] = {}
    for org in orgs:
        children.setdefault(org.parent_id, []).append(org)
    out: list[OrgNode] = []
    stack = [(org, 0) for org in reversed(children.get(None, []))]
    while stack:
        org, depth = stack.pop()
        out.append(OrgNode(org, depth, users.get(org.id, 0)))
        stack.extend((child, depth + 1) for child in reversed(children.get(org.id, [])))
    return out


def user_list() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.organisation_id, User.username)))


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("用户不存在"))
    return user


@dataclass(frozen=True)
class UserFields:
    username: str
    display_name: str
    organisation: Organisation
    roles: frozenset[str]
    sectors: frozenset[str]


def _words(value: Any) -> list[str]:
    """A list from a form's repeated field, a JSON list or a spreadsheet cell ("a, b、c")."""
    if value is None:
        return []
    if isinstance(value, str):
        return [w for w in re.split(r"[,，、;；\s]+", value) if w]
    if isinstance(value, Iterable):
        return [str(w).strip() for w in value if str(w).strip()]
    return [str(value)]


def check_fields(data: Mapping[str, Any], *, editing: User | None = None,
                 taken: set[str] | None = None) -> tuple[UserFields | None, dict[str, str]]:
    """Read a user's fields; returns them or the field errors (nothing is written here)."""
    errors: dict[str, str] = {}
    username = str(data.get("username") or "").strip() if editing is None else editing.username
    if editing is None:
        if not USERNAME.match(username):
            errors["username"] = _("用户名须以字母开头，2–64 位字母、数字、下划线、点或连字符")
        elif username.lower() in (taken or set()) or db.session.scalar(
                select(User.id).where(func.lower(User.username) == username.lower())):
            errors["username"] = _("用户名“%(name)s”已存在", name=username)
    display_name = str(data.get("display_name") or "").strip()
    if not display_name or len(display_name) > 100:
        errors["display_name"] = _("请填写姓名（最多 100 字）")
    org_ref = str(data.get("organisation") or "").strip()
    org = None
    if org_ref:
        org = db.session.scalar(select(Organisation).where(Organisation.code == org_ref))
        if org is None and org_ref.isdigit():
            org = db.session.get(Organisation, int(org_ref))
    if org is None:
        errors["organisation"] = _("机构“%(org)s”不存在，请填写机构编码", org=org_ref or "—")
    roles: set[str] = set()
    for word in _words(data.get("roles")):
        role = role_from(word)
        if role is None:
            errors["roles"] = _("未知角色“%(role)s”，可选：%(valid)s", role=word, valid="、".join(
                f"{code}（{label}）" for code, label in ROLE_LABELS.items()))
        else:
            roles.add(role)
    if not roles and "roles" not in errors:
        errors["roles"] = _("至少选择一个角色")
    sectors = set(_words(data.get("sectors")))
    unknown = sorted(sectors - set(known_sectors()))
    if unknown:
        errors["sectors"] = _("未知领域“%(s)s”，可选：%(valid)s", s="、".join(unknown), valid="、".join(known_sectors()))
    elif sectors and Role.FINANCE_SECTION not in roles:
        errors["sectors"] = _("只有财政业务股室的用户负责归口领域")
    if errors:
        return None, errors
    assert org is not None
    return UserFields(username, display_name, org, frozenset(roles), frozenset(sectors)), {}


def check_password(password: str) -> str | None:
    if not (MIN_PASSWORD <= len(password) <= MAX_PASSWORD):
        return _("密码长度须为 %(lo)s–%(hi)s 位", lo=MIN_PASSWORD, hi=MAX_PASSWORD)
    if password.isdigit() or password.isalpha():
        return _("密码须同时包含字母和数字")
    return None


def one_time_password() -> str:
    return "Jx-" + secrets.token_urlsafe(9)


def _apply(user: User, fields: UserFields) -> None:
    user.display_name = fields.display_name
    user.organisation_id = fields.organisation.id
    user.organisation = fields.organisation
    for row in [r for r in user.role_rows if r.role not in fields.roles]:
        user.role_rows.remove(row)
    for role in sorted(fields.roles - user.roles):
        user.role_rows.append(UserRole(role=role))
    for row in [s for s in user.sector_rows if s.sector not in fields.sectors]:
        user.sector_rows.remove(row)
    for sector in sorted(fields.sectors - user.sectors):
        user.sector_rows.append(UserSector(sector=sector))


def _summary(user: User) -> dict[str, Any]:
    return {"username": user.username, "display_name": user.display_name, "organisation": user.organisation.code,
            "roles": sorted(user.roles), "sectors": sorted(user.sectors)}


def new_user(fields: UserFields, password: str) -> User:
    user = User(username=fields.username, display_name=fields.display_name, password_hash=hash_password(password),
                organisation_id=fields.organisation.id, organisation=fields.organisation,
                created_at=get_clock().now())
    _apply(user, fields)
    db.session.add(user)
    return user


def create_user(actor: User, data: Mapping[str, Any]) -> tuple[User, str | None]:
    """A new user; without a password given, a one-time password is made and returned to show once."""
    require_admin(actor)
    fields, errors = check_fields(data)
    password = str(data.get("password") or "")
    if password and (problem := check_password(password)):
        errors["password"] = problem
    if errors:
        raise ValidationFailed(_("用户信息有误"), fields=errors)
    assert fields is not None
    shown = None if password else one_time_password()
    user = new_user(fields, password or shown or "")
    db.session.flush()
    audit.record("user_create", actor=actor, data=_summary(user))
    db.session.commit()
    return user, shown


def update_user(actor: User, user_id: int, data: Mapping[str, Any]) -> User:
    require_admin(actor)
    user = get_user(user_id)
    fields, errors = check_fields(data, editing=user)
    if not errors and user.id == actor.id and Role.ADMIN not in fields.roles:  # type: ignore[union-attr]
        errors["roles"] = _("不能取消自己的系统管理员角色")
    if errors:
        raise ValidationFailed(_("用户信息有误"), fields=errors)
    assert fields is not None
    before = _summary(user)
    scope_changed = (fields.organisation.id != user.organisation_id or fields.roles != user.roles
                     or fields.sectors != user.sectors)
    _apply(user, fields)
    if scope_changed:  # tasks held under the old scope go back to the pool
        _release_tasks(user)
    audit.record("user_update", actor=actor, data={"before": before, "after": _summary(user)})
    db.session.commit()
    return user


def _release_tasks(user: User) -> int:
    return db.session.execute(
        update(HumanTask).where(HumanTask.assignee_id == user.id, HumanTask.status == TaskStatus.OPEN)
        .values(assignee_id=None).execution_options(synchronize_session=False)
    ).rowcount


def deactivate(actor: User, user_id: int) -> int:
    """The user can no longer log in, every session and token ends, claimed tasks return to the pool.
    Returns how many tasks went back."""
    require_admin(actor)
    user = get_user(user_id)
    if user.id == actor.id:
        raise ValidationFailed(_("不能停用自己的账号"))
    if not user.active:
        raise ValidationFailed(_("该用户已停用"))
    released = _release_tasks(user)
    audit.record("user_deactivate", actor=actor, data={"username": user.username, "released_tasks": released})
    login_sessions.deactivate(user)  # commits
    return released


def reactivate(actor: User, user_id: int) -> User:
    require_admin(actor)
    user = get_user(user_id)
    if user.active:
        raise ValidationFailed(_("该用户已在用"))
    user.active = True
    audit.record("user_reactivate", actor=actor, data={"username": user.username})
    db.session.commit()
    return user


def reset_password(actor: User, user_id: int, password: str | None) -> str | None:
    """Set the given password, or a one-time one returned to show once; the user's sessions end either way."""
    require_admin(actor)
    user = get_user(user_id)
    password = (password or "").strip()
    if password and (problem := check_password(password)):
        raise ValidationFailed(_("密码不符合要求"), fields={"password": problem})
    shown = None if password else one_time_password()
    audit.record("password_reset", actor=actor, data={"username": user.username, "generated": shown is not None})
    login_sessions.change_password(user, password or shown or "")  # commits
    return shown


def user_export_rows(users: list[User]):
    for u in users:
        yield [u.username, u.display_name, u.organisation.name, u.organisation.code,
               "、".join(str(ROLE_LABELS.get(r, r)) for r in sorted(u.roles)), "、".join(sorted(u.sectors)),
               _("在用") if u.active else _("已停用")]
