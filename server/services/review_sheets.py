"""The approval sheets (审核意见表) of one project as the county prints them: each step's opinion with the
name of who gave it and the date, read from the story already loaded (plus one query: the audit trail's date
of the office's review of a self-evaluation, which the evaluations table does not keep)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from server.db import db
from server.flows.evaluation.models import Evaluation
from server.flows.goal_review.models import GoalVersion
from server.models import AuditEvent
from server.services.project_story import ProjectStory, story_label
from server.services.task_page import label


@dataclass(frozen=True)
class Opinion:
    stage: str
    text: str
    who: str | None
    at: datetime | None


@dataclass(frozen=True)
class Sheet:
    title: str
    subtitle: str
    opinions: list[Opinion]


def _join(*parts: str | None) -> str:
    """The parts of an opinion in one line: 批准；同意调整 (no doubled 。； where a part ends a sentence)."""
    return "；".join(stripped for p in parts if p and (stripped := p.strip().rstrip("。；;")))


def goal_opinions(goal: GoalVersion, people: dict[int, str]) -> list[Opinion]:
    return [Opinion(_("%(stage)s（第 %(n)s 轮）", stage=label("stage", r.stage), n=r.round),
                    _join(label("decision", r.decision), r.opinion, _("修改意见：%(f)s", f=r.fixes) if r.fixes else None),
                    people.get(r.actor_id) if r.actor_id else None, r.created_at)
            for r in goal.reviews]


def _review_dates(evaluations: list[Evaluation]) -> dict[int, datetime]:
    """Evaluation id -> when its reviewer completed the review: their first step in the instance after the
    last self-evaluation was filed."""
    wanted = [e for e in evaluations if e.instance_id and e.reviewed_by_id]
    if not wanted:
        return {}
    events = db.session.execute(
        select(AuditEvent.instance_id, AuditEvent.actor_id, AuditEvent.at)
        .where(AuditEvent.instance_id.in_({e.instance_id for e in wanted}), AuditEvent.action == "complete")
        .order_by(AuditEvent.at)
    ).tuples().all()
    found: dict[int, datetime] = {}
    for e in wanted:
        after = e.self_submitted_at
        found_at = next((at for iid, actor, at in events if iid == e.instance_id and actor == e.reviewed_by_id
                         and (after is None or at >= after)), None)
        if found_at is not None:
            found[e.id] = found_at
    return found


def review_sheets(story: ProjectStory) -> list[Sheet]:
    sheets: list[Sheet] = []
    people, a = story.people, story.assessment
    if a is not None and a.opinions:
        ops = [Opinion(_("%(stage)s（第 %(n)s 轮）", stage=label("stage", o.stage), n=o.round),
                       _join(label("decision", o.decision), _("评分 %(s)s 分", s=o.total) if o.total is not None else None,
                             o.opinion), people.get(o.actor_id) if o.actor_id else None, o.created_at)
               for o in a.opinions]
        if a.conclusion:
            ops.append(Opinion(_("评估结论"), _join(label("conclusion", a.conclusion), a.reasons),
                               people.get(a.concluded_by_id) if a.concluded_by_id else None, a.concluded_at))
        sheets.append(Sheet(_("事前绩效评估审核意见表"), _join(label("assessment_status", a.status)), ops))
    for g in story.goals:
        if g.reviews:
            sub = _("第 %(v)s 版 · %(s)s", v=g.version, s=label("goal_version_status", g.status))
            sheets.append(Sheet(_("绩效目标审核意见表"), sub, goal_opinions(g, people)))
    reports = {m.report.id: m for m in story.months}
    reviewed_at = _review_dates([es.evaluation for es in story.evaluations])
    if story.corrections:
        ops = []
        for c in story.corrections:
            m = reports.get(c.report_id)
            when = _("%(y)s 年 %(m)s 月报告", y=m.year, m=m.month) if m else ""
            ops.append(Opinion(_join(when, label("correction", c.kind)), _join(c.opinion), people.get(c.actor_id)
                               if c.actor_id else _("年终规则"), c.created_at))
        sheets.append(Sheet(_("绩效运行监控纠偏意见表"), "", ops))
    for es in story.evaluations:
        e = es.evaluation
        ops = []
        if e.review_decision:
            ops.append(Opinion(_("自评审核"), _join(story_label("review_decision", e.review_decision), e.review_opinion),
                               people.get(e.reviewed_by_id) if e.reviewed_by_id else None, reviewed_at.get(e.id)))
        if e.noticed_at:
            ops.append(Opinion(_("评价结果通知"), _join(_("得分 %(s)s，等次 %(g)s", s=e.score, g=e.grade), e.conclusion,
                                                    e.requirements), people.get(e.noticed_by_id) if e.noticed_by_id else None,
                               e.noticed_at))
        for r in e.rectifications:
            if r.decision:
                ops.append(Opinion(_("第 %(n)s 次整改核查", n=r.round),
                                   _join(story_label("rectify_decision", r.decision), r.opinion),
                                   people.get(r.verified_by_id) if r.verified_by_id else None, r.verified_at))
        if ops:
            sheets.append(Sheet(_("绩效评价结果及整改核查意见表"), _("%(y)s 年度", y=e.fiscal_year), ops))
    return sheets
