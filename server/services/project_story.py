"""One project's whole story (项目全过程): application and assessment, goal versions, monitoring by month,
the key-attention ledger and corrections, evaluations and rectification rounds, the budget in force with its
adjustments and suspensions, and the flow instances behind each step.

Read from the domain tables in a fixed handful of queries (the relationships load with `selectin`, people
and organisations in one query each), never by deserializing a workflow. Scope is `get_project`'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from server.db import db
from server.flows.evaluation.models import Evaluation, KeyEvaluationDraw, KeyEvaluationScore
from server.flows.ex_ante.models import DIMENSIONS, Assessment
from server.flows.goal_review.diff import GoalDiff, diff_goals
from server.flows.goal_review.models import GoalVersion, GoalVersionStatus
from server.flows.key_monitoring.models import KeyMonitoring
from server.flows.monitoring.models import Correction, KeyAttention, MonitoringReport
from server.flows.registry import FLOWS
from server.flows.shared.context import display_names
from server.flows.shared.models import BudgetAdjustment, PaymentSuspension
from server.models import Attachment, Organisation, ProcessInstance, Project, User
from server.services.instance_page import INSTANCE_STATUS
from server.services.projects import budget_in_force, get_project
from server.services.task_page import label

# Codes that no flow labels yet (evaluation, budget), as the project page words them.
LABELS: dict[str, dict[str, Any]] = {
    "evaluation_status": {"waiting": _l("等待预算年度结束"), "self": _l("单位自评中"), "reviewing": _l("自评审核中"),
                          "dept": _l("主管部门评价中"), "key": _l("重点评价中"), "graded": _l("已定等次"), "rectifying": _l("整改中"),
                          "completed": _l("已完成"), "rectified": _l("整改到位"), "unrectified": _l("整改未到位")},
    "review_decision": {"accept": _l("认可自评"), "key": _l("列入重点评价"), "send_back": _l("退回重新自评")},
    "rectify_decision": {"verified": _l("核查通过"), "send_back": _l("退回补充整改"), "failed": _l("整改不到位")},
    "adjustment": {"increase": _l("调增预算"), "decrease": _l("调减预算"), "recover": _l("收回结余统筹使用")},
    "colour_short": {"blue": _l("蓝色"), "green": _l("绿色"), "yellow": _l("黄色"), "red": _l("红色")},
    "instance_status": INSTANCE_STATUS,
}
FLOW_TITLES = {f.key: f.title for f in FLOWS}
LABELS["flow"] = FLOW_TITLES


def story_label(group: str, code: Any) -> str:
    if code is None:
        return ""
    found = LABELS.get(group, {}).get(str(code))
    return str(found) if found is not None else str(code)


@dataclass(frozen=True)
class MonthPoint:
    """One monitoring report as the double-monitoring chart and table show it (percentages, 1 decimal)."""

    year: int
    month: int
    budget: Decimal
    spent: Decimal
    spent_share: Decimal | None  # 支出进度：累计支出 ÷ 预算
    time_share: Decimal  # 时间进度：月份 ÷ 12
    execution_ratio: Decimal  # 预算执行率：支出进度 ÷ 时间进度
    goal_share: Decimal | None  # 目标进度：定量指标完成值 ÷ 目标值的平均
    execution_colour: str
    goal_colour: str
    colour: str
    report: MonitoringReport


@dataclass(frozen=True)
class InstanceLink:
    id: int
    process_key: str
    flow: str
    status: str
    title: str | None
    created_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class Stage:
    """A step of the timeline: what happened, when, its state, the section and flow instance behind it."""

    name: str
    at: datetime | None
    state: str
    anchor: str
    instance_id: int | None = None


@dataclass
class EvaluationStory:
    evaluation: Evaluation
    draw: KeyEvaluationDraw | None
    key_scores: list[KeyEvaluationScore]


@dataclass
class ProjectStory:
    project: Project
    unit: str
    department: str | None
    assessment: Assessment | None
    goals: list[GoalVersion]  # version order
    approved: GoalVersion | None  # the goal table in force
    diff_pair: tuple[GoalVersion, GoalVersion] | None
    diff: GoalDiff | None
    diff_notice: bool  # the versions asked for were not found: the default pair is shown
    months: list[MonthPoint]
    corrections: list[Correction]
    ledger: list[KeyAttention]
    evaluations: list[EvaluationStory]
    budget: Decimal
    adjustments: list[BudgetAdjustment]
    suspensions: list[PaymentSuspension]
    instances: list[InstanceLink]
    timeline: list[Stage]
    people: dict[int, str]
    firms: dict[int, str]
    materials: list[str] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)  # attachments of the project's completed steps
    dimensions: dict[str, str] = field(default_factory=lambda: DIMENSIONS)
    key_monitorings: list[KeyMonitoring] = field(default_factory=list)  # 重点绩效监控, findings and rectification

    def goal(self, version: int) -> GoalVersion | None:
        return next((g for g in self.goals if g.version == version), None)

    def period_of(self, correction: Correction) -> MonthPoint | None:
        """The month a correction answered: alike decisions of different months must read apart (issue 12.11)."""
        return next((m for m in self.months if m.report.id == correction.report_id), None)


def _names(model: type, ids: Iterable[int | None], column: Any) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(select(model.id, column).where(model.id.in_(wanted))).tuples().all())


def _percent(value: Decimal | None) -> Decimal | None:
    return None if value is None else (value * 100).quantize(Decimal("0.1"))


def month_point(report: MonitoringReport) -> MonthPoint:
    time_share = Decimal(report.month) / 12
    spent_share = report.spent / report.budget if report.budget else None
    progress = [i.progress for i in report.indicators if i.progress is not None]
    goal_share = sum(progress, Decimal(0)) / len(progress) * time_share if progress else None
    return MonthPoint(report.fiscal_year, report.month, report.budget, report.spent, _percent(spent_share),
                      _percent(time_share), _percent(report.execution_ratio), _percent(goal_share),
                      str(report.execution_colour), str(report.goal_colour), str(report.colour), report)


def parse_version(raw: str | None) -> int | None:
    """A goal version number from a query string; anything else (text, huge, negative) is None."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return None
    return int(raw)


def pick_pair(goals: list[GoalVersion], a: str | None, b: str | None) -> tuple[tuple[GoalVersion, GoalVersion] | None, bool]:
    """The two versions to compare: those asked for (`?a=&b=` as typed), else the newest against the one it was
    based on (or the approved one, or the previous). Returns (pair or None when there is one version, whether a
    version asked for was not found — bad text, unknown number — so the default pair stands in)."""
    by_number = {g.version: g for g in goals}
    asked_a, asked_b = (by_number.get(n) if (n := parse_version(raw)) is not None else None for raw in (a, b))
    missing = any((raw or "").strip() and found is None for raw, found in ((a, asked_a), (b, asked_b)))
    if len(goals) < 2:
        return None, missing
    new = asked_b or goals[-1]
    by_id = {g.id: g for g in goals}
    approved = next((g for g in goals if g.status == GoalVersionStatus.APPROVED and g is not new), None)
    old = asked_a or by_id.get(new.based_on_id or 0) or approved or next(
        (g for g in reversed(goals) if g.version < new.version), goals[0])
    if old is new:
        old = next((g for g in goals if g is not new), goals[0])
    return (old, new), missing


def load_story(project_id: int, user: User, *, a: str | None = None, b: str | None = None) -> ProjectStory:
    """`a`, `b`: the goal versions to compare as the query string gave them (anything; bad ones are ignored)."""
    project = get_project(project_id, user)  # NotFound out of scope: existence does not leak
    pid = project.id
    assessment = db.session.scalar(select(Assessment).where(Assessment.project_id == pid))
    goals = list(db.session.scalars(select(GoalVersion).where(GoalVersion.project_id == pid)
                                    .order_by(GoalVersion.version)))
    reports = list(db.session.scalars(select(MonitoringReport).where(MonitoringReport.project_id == pid)
                                      .order_by(MonitoringReport.fiscal_year, MonitoringReport.month)))
    corrections = list(db.session.scalars(select(Correction).where(Correction.project_id == pid).order_by(Correction.id)))
    ledger = list(db.session.scalars(select(KeyAttention).where(KeyAttention.project_id == pid)
                                     .order_by(KeyAttention.fiscal_year)))
    evaluations = list(db.session.scalars(select(Evaluation).where(Evaluation.project_id == pid)
                                          .order_by(Evaluation.fiscal_year, Evaluation.id)))
    eval_ids = [e.id for e in evaluations]
    draws = {d.evaluation_id: d for d in db.session.scalars(
        select(KeyEvaluationDraw).where(KeyEvaluationDraw.evaluation_id.in_(eval_ids)))} if eval_ids else {}
    scores: dict[int, list[KeyEvaluationScore]] = {}
    if eval_ids:
        for s in db.session.scalars(select(KeyEvaluationScore).where(KeyEvaluationScore.evaluation_id.in_(eval_ids))
                                    .order_by(KeyEvaluationScore.id)):
            scores.setdefault(s.evaluation_id, []).append(s)
    adjustments = list(db.session.scalars(select(BudgetAdjustment).where(BudgetAdjustment.project_id == pid)
                                          .order_by(BudgetAdjustment.fiscal_year, BudgetAdjustment.id)))
    suspensions = list(db.session.scalars(select(PaymentSuspension).where(PaymentSuspension.project_id == pid)
                                          .order_by(PaymentSuspension.since, PaymentSuspension.id)))

    keyed = list(db.session.scalars(select(KeyMonitoring).where(KeyMonitoring.project_id == pid)
                                    .order_by(KeyMonitoring.fiscal_year, KeyMonitoring.id)))
    pair, missing = pick_pair(goals, a, b)
    stories = [EvaluationStory(e, draws.get(e.id), scores.get(e.id, [])) for e in evaluations]
    instances = _instances(project, assessment, goals, reports, evaluations, adjustments, suspensions)
    actors = [
        *(o.actor_id for o in (assessment.opinions if assessment else [])),
        assessment.concluded_by_id if assessment else None,
        *(r.actor_id for g in goals for r in g.reviews), *(g.approved_by_id for g in goals),
        *(r.reported_by_id for r in reports), *(c.actor_id for c in corrections),
        *(x for e in evaluations for x in (e.reviewed_by_id, e.noticed_by_id, e.dept_by_id)),
        *(x for e in evaluations for r in e.rectifications for x in (r.submitted_by_id, r.verified_by_id)),
        *(s.expert_id for ss in scores.values() for s in ss), *(d.drawn_by_id for d in draws.values()),
        *(x.actor_id for x in adjustments), *(x for s in suspensions for x in (s.suspended_by_id, s.lifted_by_id)),
        *(x for k in keyed for r in k.rectifications for x in (r.submitted_by_id, r.verified_by_id)),
        *(k.tracked_by_id for k in keyed),
    ]
    people = display_names(actors)
    orgs = _names(Organisation, [project.organisation_id, project.department_id,
                                 *(d.firm_id for d in draws.values())], Organisation.name)
    application = project.application if isinstance(project.application, dict) else {}
    story = ProjectStory(
        project=project, unit=orgs.get(project.organisation_id, ""),
        department=orgs.get(project.department_id) if project.department_id else None,
        assessment=assessment, goals=goals,
        approved=next((g for g in reversed(goals) if g.status == GoalVersionStatus.APPROVED), None),
        diff_pair=pair, diff=diff_goals(*pair) if pair else None, diff_notice=missing,
        months=[month_point(r) for r in reports], corrections=corrections, ledger=ledger, evaluations=stories,
        budget=budget_in_force(project), adjustments=adjustments, suspensions=suspensions, instances=instances,
        timeline=[], people=people, firms={i: n for i, n in orgs.items() if i in {d.firm_id for d in draws.values()}},
        materials=[str(m) for m in application.get("materials") or [] if isinstance(m, str | int)],
        files=list(db.session.scalars(select(Attachment).where(Attachment.project_id == pid)
                                      .order_by(Attachment.created_at, Attachment.id))),
        key_monitorings=keyed,
    )
    story.timeline = timeline(story)
    return story


def _instances(project: Project, assessment: Assessment | None, goals: list[GoalVersion],
               reports: list[MonitoringReport], evaluations: list[Evaluation],
               adjustments: list[BudgetAdjustment], suspensions: list[PaymentSuspension]) -> list[InstanceLink]:
    """The flow instances behind the project: named by its domain rows, or carrying its code as business key."""
    ids = {project.instance_id, assessment.instance_id if assessment else None,
           *(g.instance_id for g in goals), *(r.instance_id for r in reports), *(e.instance_id for e in evaluations),
           *(x.instance_id for x in adjustments), *(s.instance_id for s in suspensions)} - {None}
    clauses = [ProcessInstance.business_key == project.code] + ([ProcessInstance.id.in_(ids)] if ids else [])
    rows = db.session.execute(
        select(ProcessInstance.id, ProcessInstance.process_key, ProcessInstance.status, ProcessInstance.title,
               ProcessInstance.created_at, ProcessInstance.completed_at)
        .where(or_(*clauses)).order_by(ProcessInstance.created_at, ProcessInstance.id)
    ).tuples().all()
    return [InstanceLink(i, key, FLOW_TITLES.get(key, key), str(status), title, created, completed)
            for i, key, status, title, created, completed in rows]


def timeline(story: ProjectStory) -> list[Stage]:
    """The project's stages in order, each with the date it was reached and the instance behind it."""
    p, a = story.project, story.assessment
    stages = [Stage(str(_l("项目申报")), p.created_at, label("project_status", "applied"), "application", p.instance_id)]
    if a is not None:
        state = str(_l("免于评估")) if not a.required else (str(_l("已出具结论")) if a.conclusion else str(_l("评估中")))
        stages.append(Stage(str(_l("事前绩效评估")), a.concluded_at or a.created_at, state, "assessment", a.instance_id))
    if p.admitted_at:
        stages.append(Stage(str(_l("入库")), p.admitted_at, str(_l("已入库")), "application", p.instance_id))
    for g in story.goals:
        name = str(_l("绩效目标第 %(v)s 版", v=g.version))
        stages.append(Stage(name, g.approved_at or g.submitted_at or g.created_at,
                            label("goal_version_status", g.status), "goals", g.instance_id))
    if story.months:
        first, last = story.months[0].report, story.months[-1].report
        state = str(_l("%(n)s 期监控报告", n=len(story.months)))
        stages.append(Stage(str(_l("运行监控")), last.created_at, state, "monitoring", first.instance_id))
    for k in story.ledger:
        stages.append(Stage(str(_l("列入重点关注台账")), k.created_at, k.reason, "monitoring"))
    for e in story.evaluations:
        ev = e.evaluation
        stages.append(Stage(str(_l("%(y)s 年度绩效评价", y=ev.fiscal_year)), ev.noticed_at or ev.self_submitted_at
                            or ev.created_at, story_label("evaluation_status", ev.status), "evaluation", ev.instance_id))
        for r in ev.rectifications:
            stages.append(Stage(str(_l("第 %(n)s 次整改报告", n=r.round)), r.verified_at or r.submitted_at,
                                story_label("rectify_decision", r.decision) if r.decision else str(_l("待核查")),
                                "evaluation", ev.instance_id))
    return stages


def chart_data(months: list[MonthPoint]) -> dict[str, Any]:
    """What the double-monitoring chart draws (JSON for the page's data block): one entry per report."""

    def num(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    return {"points": [{"label": f"{m.year}-{m.month:02d}", "spent": num(m.spent_share), "time": num(m.time_share),
                        "goal": num(m.goal_share), "ratio": num(m.execution_ratio), "colour": m.colour}
                       for m in months]}
