"""A notice to the unit whose work a reviewer judged: its application passed or was sent back, its goal table was
graded, its monitoring warning was decided. Any step that is not the unit's own and whose form carries a verdict
(a field `decision`, `*_decision`, `conclusion` or `grade` with its choices) tells the instance's unit, so the
people whose work was approved, returned or refused hear it without watching the inbox."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from server.db import db
from server.models import HumanTask, Notification, Project, Role, User

VERDICT_NAMES = ("decision", "conclusion", "grade")
KIND = "outcome"


def verdict_field(schema: dict[str, Any] | None) -> str | None:
    for name, spec in ((schema or {}).get("properties") or {}).items():
        if not isinstance(spec, dict) or not spec.get("enum"):
            continue
        if name in VERDICT_NAMES or name.endswith("_decision"):
            return name
    return None


def _choice_title(spec: dict[str, Any], value: Any) -> str:
    titles = spec.get("x-enumTitles") or []
    options = spec.get("enum") or []
    if value in options and len(titles) == len(options):
        return str(titles[options.index(value)])
    return str(value)


def tell_the_unit(instance: Any, task: Any, actor: User, schema: dict[str, Any] | None, data: dict[str, Any],
                  now: Any, *, told_unit: bool = False) -> None:
    """Add the notice in the step's transaction (nothing is committed here)."""
    if task.role == Role.UNIT_STAFF or (name := verdict_field(schema)) is None or name not in data:
        return
    if told_unit:
        return  # the flow's own operators told the unit in this step (e.g. a correction notice): say it once
    spec = schema["properties"][name]  # type: ignore[index]
    project = db.session.execute(
        select(HumanTask.project_name, HumanTask.project_code).where(HumanTask.id == task.id)
    ).first()
    named = project is not None and project.project_name
    subject = f"{project.project_name}（{project.project_code}）" if named else instance.title
    project_id = db.session.scalar(select(Project.id).where(Project.code == project.project_code)) if named else None
    text = _("%(subject)s：%(step)s 结果为“%(verdict)s”（%(name)s）", subject=subject, step=task.title,
             verdict=_choice_title(spec, data[name]), name=actor.display_name)
    db.session.add(Notification(organisation_id=instance.organisation_id, role=Role.UNIT_STAFF.value, kind=KIND,
                                text=text[:2000], instance_id=instance.id, project_id=project_id,
                                created_at=now))
