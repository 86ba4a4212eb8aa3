"""A plain list of the projects the user may see (units: their own; reviewers: their department or sectors)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from server.services.projects import list_projects
from server.web.nav import projects_label

bp = Blueprint("projects", __name__)

PER_PAGE = 20


@bp.get("/projects")
@login_required
def projects():
    label = projects_label(current_user.roles)
    if label is None:
        abort(403)  # experts work only on the instances they are assigned to
    q = (request.args.get("q") or "").strip()[:100]
    raw_page = request.args.get("page", "1")
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and 0 < len(raw_page) <= 6 else 1
    rows, total = list_projects(current_user, q=q, page=page, per_page=PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    if page > pages:
        page = pages
        rows, total = list_projects(current_user, q=q, page=page, per_page=PER_PAGE)
    return render_template("projects/index.html", title=label, rows=rows, total=total, q=q, page=page, pages=pages)
