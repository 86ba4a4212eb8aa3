"""Login and logout for the browser (flask-login session), with failed-login rate limits."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError

from server.extensions import login_manager
from server.services import login_guard, login_sessions
from server.services.auth import LoginFailed
from server.web import i18n
from server.web.safety import local_path

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message_category = "warning"

MAX_FIELD = 150


def _render(status: int, *, error: str | None = None, fields: dict[str, str] | None = None, username: str = ""):
    page = render_template(
        "login.html", error=error, fields=fields or {}, username=username[:MAX_FIELD], next=_next()
    )
    return page, status


def _next() -> str:
    return local_path(request.values.get("next"), default="")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_next() or url_for("inbox.inbox"))
    if request.method == "GET":
        return _render(200)
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    fields = {}
    if not username:
        fields["username"] = _("请输入用户名")
    elif len(username) > MAX_FIELD:
        fields["username"] = _("用户名过长")
    if not password:
        fields["password"] = _("请输入密码")
    if fields:
        return _render(422, fields=fields, username=username)
    try:
        user = login_guard.attempt(username, password, request.remote_addr)
    except login_guard.TooManyAttempts as err:
        page, status = _render(429, error=err.message, username=username)
        return page, status, {"Retry-After": str(err.retry_after)}
    except login_guard.LoginBusy as err:
        page, status = _render(503, error=err.message, username=username)
        return page, status, {"Retry-After": str(err.retry_after)}
    except LoginFailed as err:
        return _render(401, error=err.message, username=username)
    session.pop("csrf_token", None)  # a fresh CSRF secret for the new session
    login_user(user)
    i18n.adopt_visit_language(user)  # saved by the commit below
    login_sessions.start(user)
    flash(_("欢迎，%(name)s", name=user.display_name), "success")
    return i18n.keep_for_visit(redirect(_next() or url_for("inbox.inbox")))


@bp.post("/logout")
@login_required
def logout():
    login_sessions.end_current()  # server-side: a copy of the cookie saved before this opens nothing
    logout_user()
    session.pop("csrf_token", None)
    flash(_("您已安全退出"), "success")
    return redirect(url_for("auth.login"))


@bp.app_errorhandler(CSRFError)
def csrf_refused(err: CSRFError):
    message = _("页面已过期或缺少安全令牌，请刷新页面后重试。")
    if request.headers.get("HX-Request"):
        return render_template("inbox/_message.html", message=message, kind="error"), 400
    return render_template("error.html", message=message), 400
