"""assessment.* operators: 事前绩效评估 — open, record each step's opinion, the expert panel, the conclusion."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from server.db import db
from server.engine.operators import OperatorCall
from server.extensions import get_clock
from server.flows.ex_ante.models import (
    DIMENSIONS,
    Assessment,
    AssessmentOpinion,
    AssessmentStatus,
    Conclusion,
    Stage,
)
from server.flows.shared.support import CENT, context, instance_project, money, text
from server.models import ProjectStatus, Role, User, UserRole

MAX_SCORE = Decimal(20)
RATE = Decimal("0.0001")


def _assessment(call: OperatorCall) -> Assessment:
    project = instance_project(call)
    found = db.session.scalar(select(Assessment).where(Assessment.project_id == project.id))
    if found is None:
        raise ValueError(_("项目 %(code)s 还没有开始事前评估（缺少“assessment.open”步骤）", code=project.code))
    return found


def _scores(scores: Any) -> dict[str, Decimal]:
    """The five dimension scores (0–20 each) from a {"necessity": ..., ...} mapping."""
    if not isinstance(scores, dict):
        raise ValueError(_("评分应为五个维度的分值"))
    out: dict[str, Decimal] = {}
    for key, title in DIMENSIONS.items():
        value = scores.get(key)
        if value is None or isinstance(value, bool):
            raise ValueError(_("缺少“%(title)s”评分", title=title))
        score = Decimal(str(value)).quantize(CENT)
        if not Decimal(0) <= score <= MAX_SCORE:
            raise ValueError(_("“%(title)s”评分应在 0 到 %(top)s 之间", title=title, top=MAX_SCORE))
        out[key] = score
    return out


def _opinion(
    assessment: Assessment, stage: Stage, decision: str, actor: User | None, scores: Any, opinion: Any
) -> AssessmentOpinion:
    row = AssessmentOpinion(
        assessment=assessment,
        stage=stage,
        round=assessment.rounds,
        actor_id=actor.id if actor else None,
        decision=str(decision)[:16],
        opinion=text(opinion, 4000),
        created_at=get_clock().now(),
    )
    if scores is not None:
        values = _scores(scores)
        for key, value in values.items():
            setattr(row, key, value)
        row.total = sum(values.values(), Decimal(0))
    db.session.add(row)
    return row


def open_assessment(call: OperatorCall, *, required: Any, basis: Any = None, major: Any = None) -> dict[str, Any]:
    """assessment.open: record the rule table's verdict; a resubmission after a send-back starts a new round."""
    project = instance_project(call)
    now = get_clock().now()
    assessment = db.session.scalar(select(Assessment).where(Assessment.project_id == project.id))
    if assessment is None:
        assessment = Assessment(project_id=project.id, rounds=1, created_at=now)
        db.session.add(assessment)
    elif assessment.status == AssessmentStatus.CONCLUDED:
        raise ValueError(_("项目 %(code)s 的事前评估已有结论", code=project.code))
    elif assessment.status == AssessmentStatus.RETURNED:
        assessment.rounds += 1
    assessment.instance_id = context(call).instance.id
    assessment.fiscal_year = project.fiscal_year
    assessment.required = bool(required)
    assessment.basis = text(basis, 200)
    assessment.major = bool(major) if required and major is not None else None
    assessment.requested_amount = project.requested_amount
    assessment.status = AssessmentStatus.IN_PROGRESS if required else AssessmentStatus.EXEMPT
    assessment.stage = None
    assessment.updated_at = now
    if required:
        project.status = ProjectStatus.ASSESSING
    db.session.flush()
    return {"assessment_id": assessment.id, "round": assessment.rounds}


def record_opinion(
    call: OperatorCall, *, stage: Any, decision: Any, scores: Any = None, opinion: Any = None
) -> dict[str, Any]:
    """assessment.record: one step's opinion (self / dept / office); `send_back` returns it to the unit."""
    assessment = _assessment(call)
    try:
        step = Stage(str(stage))
    except ValueError as err:
        raise ValueError(_("未知的评估环节“%(stage)s”", stage=stage)) from err
    row = _opinion(assessment, step, str(decision), context(call).actor, scores, opinion)
    assessment.stage = step
    if step == Stage.SELF:
        assessment.self_score = row.total
    elif step == Stage.OFFICE and row.total is not None:
        assessment.office_score = row.total
    if decision == "send_back":
        assessment.status = AssessmentStatus.RETURNED
        instance_project(call).status = ProjectStatus.APPLIED
    assessment.updated_at = get_clock().now()
    db.session.flush()
    return {"total": None if row.total is None else str(row.total), "round": assessment.rounds}


def choose_panel(call: OperatorCall, *, experts: Any) -> dict[str, Any]:
    """assessment.panel: keep the named users who hold the expert role (in order, once each)."""
    wanted = [str(u).strip() for u in (experts or []) if str(u).strip()] if isinstance(experts, list) else []
    known = set(
        db.session.scalars(
            select(User.username)
            .join(UserRole, UserRole.user_id == User.id)
            .where(User.username.in_(wanted), UserRole.role == Role.EXPERT, User.active.is_(True))
        )
    ) if wanted else set()
    panel = list(dict.fromkeys(u for u in wanted if u in known))
    return {"experts": panel, "unknown": [u for u in wanted if u not in known]}


def record_expert_scores(call: OperatorCall, *, reviews: Any, experts: Any) -> dict[str, Any]:
    """assessment.record_experts: one opinion per expert (reviews in the order of the panel's usernames);
    the assessment keeps the panel's average total."""
    assessment = _assessment(call)
    pairs = [
        (str(name), review)
        for name, review in zip(experts or [], reviews or [], strict=False)
        if isinstance(review, dict)
    ]
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_([n for n, _ in pairs])))}
    totals: list[Decimal] = []
    for name, review in pairs:
        recommendation = str(review.get("recommendation") or "score")
        row = _opinion(assessment, Stage.EXPERT, recommendation, users.get(name), review, review.get("opinion"))
        totals.append(row.total or Decimal(0))
    average = (sum(totals, Decimal(0)) / len(totals)).quantize(CENT) if totals else None
    assessment.expert_score = average
    assessment.stage = Stage.EXPERT
    assessment.updated_at = get_clock().now()
    db.session.flush()
    return {"average": None if average is None else float(average), "count": len(totals)}


def conclude(
    call: OperatorCall, *, conclusion: Any, approved_amount: Any = None, reasons: Any = None
) -> dict[str, Any]:
    """assessment.conclude: 予以支持 (全额) / 调整后支持 (核定金额 < 申报金额) / 不予支持 (全额审减).

    审减率 = 审减金额 ÷ 申报金额; a rejected project counts as cut in full.
    """
    assessment = _assessment(call)
    try:
        verdict = Conclusion(str(conclusion))
    except ValueError as err:
        raise ValueError(_("未知的评估结论“%(conclusion)s”", conclusion=conclusion)) from err
    requested = assessment.requested_amount or Decimal(0)
    if verdict == Conclusion.SUPPORT:
        approved = requested
    elif verdict == Conclusion.REJECT:
        approved = Decimal(0)
    else:
        approved = money(approved_amount, "核定金额") or Decimal(0)
        if not Decimal(0) < approved < requested:
            raise ValueError(_("调整后支持的核定金额应大于 0 且小于申报金额 %(requested)s 元", requested=requested))
    cut = requested - approved
    now = get_clock().now()
    actor = context(call).actor
    assessment.conclusion = verdict
    assessment.approved_amount = approved
    assessment.cut_amount = cut
    assessment.cut_rate = (cut / requested).quantize(RATE) if requested else Decimal(0)
    assessment.reasons = text(reasons, 4000)
    assessment.status = AssessmentStatus.CONCLUDED
    assessment.concluded_by_id = actor.id if actor else None
    assessment.concluded_at = now
    assessment.updated_at = now
    db.session.flush()
    return {
        "conclusion": verdict.value,
        "approved_amount": str(approved),
        "cut_amount": str(cut),
        "cut_rate": str(assessment.cut_rate),
    }
