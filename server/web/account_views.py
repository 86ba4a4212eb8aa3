"""The logged-in user's own account: changing the password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from server.services import login_guard, login_sessions, own_password
from server.services.errors import ValidationFailed

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    if request.method == "GET":
        return render_template("account/password.html", fields={}, error=None)
    user = current_user._get_current_object()
    form = request.form
    try:
        own_password.change(user, form.get("current", ""), form.get("new", ""), form.get("repeat", ""),
                            request.remote_addr)
    except ValidationFailed as err:
        return render_template("account/password.html", fields=err.fields or {}, error=err.message), 422
    except login_guard.TooManyAttempts as err:
        page = render_template("account/password.html", fields={}, error=err.message)
        return page, 429, {"Retry-After": str(err.retry_after)}
    # Every login ended with the old password; this browser continues on a new session.
    session.pop("csrf_token", None)
    login_user(user)
    login_sessions.start(user)
    flash(_("密码已修改。其他设备上的登录已全部退出。"), "success")
    return redirect(url_for("inbox.inbox"))
