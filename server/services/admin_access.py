"""The one rule of the administrator's pages and API: only holders of the admin role (403 for anyone else)."""

from __future__ import annotations

from flask_babel import gettext as _

from server.models import Role, User
from server.services.errors import Forbidden


def is_admin(user: User) -> bool:
    return Role.ADMIN in user.roles


def require_admin(actor: User) -> None:
    if not is_admin(actor):
        raise Forbidden(_("只有系统管理员可以进行此操作"))
