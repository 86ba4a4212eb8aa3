"""One project's page (`/projects/<id>`: the whole story) and its printable sheets (申报书, 绩效目标申报表,
审核意见表) laid out for A4. Scope is the project library's: out of scope reads as not found."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from server.services.errors import NotFound
from server.services.project_story import chart_data, load_story, parse_version, story_label
from server.services.review_sheets import goal_opinions, review_sheets

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
    return render_template("project/print_goals.html", story=story, p=story.project, goal=goal,
                           opinions=goal_opinions(goal, story.people))


@bp.get("/projects/<int:project_id>/print/reviews")
@login_required
def print_reviews(project_id: int):
    story = _story(project_id)
    return render_template("project/print_reviews.html", story=story, p=story.project, sheets=review_sheets(story))

