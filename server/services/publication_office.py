"""The performance office's side of 信息公开: what each year would publish, releasing or withdrawing a year's
goals (随预算公开) or results (随决算公开), and marking attachments public — each change audited, in the caller's
transaction. What the public then sees follows the rules in services/publication.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from server.clock import COUNTY_TZ
from server.db import db
from server.extensions import get_clock
from server.flows.evaluation.models import Evaluation
from server.flows.goal_review.models import GoalVersion, GoalVersionStatus
from server.models import Attachment, PublicationRelease, ReleaseKind, Role, User
from server.services import audit
from server.services.errors import Forbidden, NotFound, ValidationFailed
from server.services.publication import FINISHED, MAX_YEAR, MIN_YEAR, counts, open_project
from server.services.xlsx_export import Column, stream_xlsx


def may_publish(user: User) -> bool:
    return Role.PERFORMANCE_OFFICE.value in user.roles


def _check(user: User) -> None:
    if not may_publish(user):
        raise Forbidden(_("只有绩效管理股可以办理信息公开"))


@dataclass(frozen=True)
class ReleaseRow:
    year: int
    goals_ready: int  # approved goal tables of the year (public once the budget is released)
    results_ready: int  # evaluations past their publication step
    budget: PublicationRelease | None
    final: PublicationRelease | None


def overview(user: User) -> list[ReleaseRow]:
    """Every year that has approved goals or finished evaluations, with what a release would publish."""
    _check(user)
    goals = counts(select(GoalVersion.fiscal_year, func.count()).where(
        GoalVersion.status == GoalVersionStatus.APPROVED, GoalVersion.publish.is_(True),
        GoalVersion.fiscal_year.is_not(None), open_project(GoalVersion.project_id)).group_by(GoalVersion.fiscal_year))
    results = counts(select(Evaluation.fiscal_year, func.count()).where(
        Evaluation.publish.is_(True), Evaluation.status.in_(FINISHED),
        open_project(Evaluation.project_id)).group_by(Evaluation.fiscal_year))
    releases = {(r.fiscal_year, r.kind): r for r in db.session.scalars(select(PublicationRelease))}
    live = {k: r for k, r in releases.items() if r.withdrawn_at is None}
    all_years = sorted(set(goals) | set(results) | {y for y, _k in releases}, reverse=True)
    return [ReleaseRow(y, goals.get(y, 0), results.get(y, 0), live.get((y, ReleaseKind.BUDGET.value)),
                       live.get((y, ReleaseKind.FINAL_ACCOUNTS.value))) for y in all_years]


def overview_xlsx(rows: list[ReleaseRow]) -> Iterator[bytes]:
    def when(release: PublicationRelease | None) -> str | None:
        return release.published_at.astimezone(COUNTY_TZ).strftime("%Y-%m-%d %H:%M") if release else None

    columns = [Column(_("年度"), 8), Column(_("可公开的绩效目标"), 16), Column(_("随预算公开时间"), 18),
               Column(_("可公开的评价结果"), 16), Column(_("随决算公开时间"), 18)]
    return stream_xlsx(_("信息公开"), columns, ([r.year, r.goals_ready, when(r.budget), r.results_ready, when(r.final)]
                                                for r in rows))


def parse_release(raw_year: str | None, raw_kind: str | None) -> tuple[int, ReleaseKind]:
    fields = {}
    year = int(raw_year) if raw_year and raw_year.isascii() and raw_year.isdigit() and len(raw_year) == 4 else None
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        fields["year"] = _("请选择年度")
    kinds = {k.value: k for k in ReleaseKind}
    if raw_kind not in kinds:
        fields["kind"] = _("不是可选的值")
    if fields:
        raise ValidationFailed(_("公开内容有误"), fields=fields)
    assert year is not None and raw_kind is not None
    return year, kinds[raw_kind]


def set_release(user: User, year: int, kind: ReleaseKind, live: bool) -> None:
    """Release (or withdraw) a year's goals or results; audited, in the caller's transaction."""
    _check(user)
    now = get_clock().now()
    row = db.session.scalar(select(PublicationRelease).where(PublicationRelease.fiscal_year == year,
                                                              PublicationRelease.kind == kind.value))
    if live:
        if row is None:
            db.session.add(PublicationRelease(fiscal_year=year, kind=kind.value, published_at=now,
                                              published_by_id=user.id))
        elif row.withdrawn_at is not None:
            row.withdrawn_at, row.published_at, row.published_by_id = None, now, user.id
        else:
            return  # already public: nothing changes, nothing to audit
    else:
        if row is None or row.withdrawn_at is not None:
            return
        row.withdrawn_at = now
    db.session.flush()
    audit.record("publication.release" if live else "publication.withdraw", actor=user,
                 data={"fiscal_year": year, "kind": kind.value})


def set_file_public(user: User, attachment_id: int, public: bool) -> Attachment:
    _check(user)
    row = db.session.get(Attachment, attachment_id)
    if row is None or row.project_id is None:
        raise NotFound(_("附件不存在"))
    if row.public != public:
        row.public = public
        db.session.flush()
        audit.record("attachment.public" if public else "attachment.internal", actor=user,
                     data={"attachment_id": row.id, "project_id": row.project_id, "name": row.name})
    return row
