"""A user changes their own password: the current one is checked through the login guard (so guessing it here
is rate-limited like the login page), the new one must meet the same rules as an administrator's reset, and
every other login of the user ends."""

from __future__ import annotations

from flask_babel import gettext as _

from server.models import User
from server.services import audit, login_guard, login_sessions
from server.services.auth import LoginFailed
from server.services.errors import ValidationFailed
from server.services.people import MAX_PASSWORD, check_password


def change(user: User, current: str, new: str, repeat: str, remote_addr: str | None) -> None:
    """Raises ValidationFailed by field (nothing changes), login_guard.TooManyAttempts while locked."""
    fields: dict[str, str] = {}
    if not current:
        fields["current"] = _("请输入当前密码")
    if not new:
        fields["new"] = _("请输入新密码")
    elif problem := check_password(new):
        fields["new"] = problem
    elif new == current:
        fields["new"] = _("新密码不能与当前密码相同")
    if new and repeat != new:
        fields["repeat"] = _("两次输入的新密码不一致")
    if len(current) > MAX_PASSWORD * 4:
        fields["current"] = _("当前密码不正确")
    if fields:
        raise ValidationFailed(_("密码未修改，请按提示更正"), fields=fields)
    try:
        login_guard.attempt(user.username, current, remote_addr)
    except LoginFailed:
        raise ValidationFailed(_("密码未修改，请按提示更正"),
                               fields={"current": _("当前密码不正确")}) from None
    audit.record("password_change", actor=user, data={"username": user.username})
    login_sessions.change_password(user, new)  # ends every session and token, this one too; commits
