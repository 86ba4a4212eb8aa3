"""One project's page (`/projects/<id>`: the whole story) and its printable sheets (申报书, 绩效目标申报表,
审核意见表) laid out for A4. Scope is the project library's: out of scope reads as not found."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from server.services import goal_table_export, project_export
from server.services.errors import NotFound, ValidationFailed
from server.services.project_story import chart_data, load_story, parse_version, story_label
from server.services.review_sheets import goal_opinions, review_sheets
from server.web.project_views import wants_xlsx, xlsx_response

bp = Blueprint("project", __name__)


@bp.app_context_processor
def _labels() -> dict:
    return {"story_label": story_label}


def _story(project_id: int):
    return load_story(project_id, current_user, a=request.args.get("a"), b=request.args.get("b"))


@bp.get("/projects/<int:project_id>")
@login_required
def page(project_id: int):
    story = _story(project_id)
    if wants_xlsx():  # the page's tables, one sheet each
        return xlsx_response(project_export.project_xlsx(story), f"{story.project.name}.xlsx")
    return render_template("project/page.html", story=story, p=story.project, chart=chart_data(story.months))


@bp.get("/projects/<int:project_id>/print/application")
@login_required
def print_application(project_id: int):
    story = _story(project_id)
    return render_template("project/print_application.html", story=story, p=story.project)


@bp.get("/projects/<int:project_id>/print/goals")
@login_required
def print_goals(project_id: int):
    story = _story(project_id)
    raw = request.args.get("version")
    goal = story.approved or (story.goals[-1] if story.goals else None)
    if raw is not None:
        number = parse_version(raw)
        goal = story.goal(number) if number is not None else None
    if goal is None:
        raise NotFound(_("该版本的绩效目标不存在"))
    fmt = request.args.get("format") or "html"
    if fmt in ("xlsx", "docx"):
        return _goal_file(story, goal, fmt)
    if fmt != "html":
        raise ValidationFailed(_("不支持的导出格式"), fields={"format": _("不是可选的值")})
    return render_template("project/print_goals.html", story=story, p=story.project, goal=goal,
                           opinions=goal_opinions(goal, story.people))


@bp.get("/projects/<int:project_id>/print/reviews")
@login_required
def print_reviews(project_id: int):
    story = _story(project_id)
    return render_template("project/print_reviews.html", story=story, p=story.project, sheets=review_sheets(story))



def _goal_file(story, goal, fmt: str) -> Response:
    """The goal table in the county's 申报表 layout, as Excel or Word (small: built in memory)."""
    grid = goal_table_export.goal_grid(story, goal)
    if fmt == "xlsx":
        body, mimetype = goal_table_export.to_xlsx(grid), goal_table_export.XLSX_MIMETYPE
    else:
        body, mimetype = goal_table_export.to_docx(grid), goal_table_export.DOCX_MIMETYPE
    name = _("%(name)s绩效目标申报表（第%(v)s版）", name=story.project.name, v=goal.version) + "." + fmt
    disposition = f"attachment; filename=\"goals.{fmt}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})
