"""The landing page (the inbox once signed in) and the load balancer's health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from server.db import db

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("inbox.inbox"))
    return render_template("index.html")


@bp.get("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})
