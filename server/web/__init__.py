"""Server-rendered pages: login, the task inbox, projects; the task and instance pages build on the same
blueprint and on templates/base.html."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from server.db import db

web_bp = Blueprint("web", __name__)


@web_bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("web.inbox"))
    return render_template("index.html")


@web_bp.get("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})


from server.web import auth_views, errors, formatting, i18n, inbox_views, nav, project_views, vendor  # noqa: E402,F401

from . import instance_views, task_views  # noqa: E402,F401  (task and instance pages)
