"""evaluation.* operators, part two: 重点评价 · 结果反馈 · 整改 — draw a third-party firm by lot, record its
experts' scores, issue the result notice with rectification requirements and a deadline, record the unit's
rectification reports and the performance office's verification.

The lot: candidates are the registered third-party firms (organisations of kind third_party with at least one
active expert user) ordered by code; the chosen index is SHA-256(seed) as an integer modulo their number. The
seed (given by the office, e.g. the number drawn at a public draw, or generated) and the candidate list are
stored with the draw, so anyone can recompute it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from server.clock import COUNTY_TZ
from server.db import db
from server.engine.operators import OperatorCall
from server.engine.timers import duration_after
from server.extensions import get_clock
from server.flows.evaluation.models import (
    EvaluationStatus,
    KeyEvaluationDraw,
    KeyEvaluationScore,
    Rectification,
)
from server.flows.evaluation.operators import evaluation_of, number
from server.flows.shared.support import CENT, context, notify, text
from server.models import Organisation, OrgKind, Role, User, UserRole

SEED = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
SHEET = {"execution": "预算执行", "output": "产出", "benefit": "效益", "satisfaction": "满意度"}


# ---------------------------------------------------------------- the draw and the experts' scores


def registered_firms() -> list[Organisation]:
    """Third-party firms that can take an evaluation: at least one active user holding the expert role."""
    staffed = (
        select(User.organisation_id).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.EXPERT, User.active.is_(True))
    )
    return list(db.session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.THIRD_PARTY, Organisation.id.in_(staffed))
        .order_by(Organisation.code)
    ))


def lot(seed: str, candidates: int) -> int:
    """The drawn position: SHA-256 of the seed (UTF-8) read as a big-endian integer, modulo the candidates."""
    return int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big") % candidates


def draw(call: OperatorCall, *, seed: Any = None) -> dict[str, Any]:
    """evaluation.draw: draw the firm for a key evaluation; its active experts get the scoring task."""
    evaluation = evaluation_of(call, EvaluationStatus.KEY)
    given = str(seed).strip() if seed not in (None, "") else ""
    if given and not SEED.match(given):
        raise ValueError(_("抽签种子只能由字母、数字、下划线和连字符组成（不超过 64 个字符）"))
    firms = registered_firms()
    if not firms:
        raise ValueError(_("没有登记的第三方评价机构（须有评价专家账号），无法抽签"))
    chosen_seed = given or secrets.token_hex(8)
    index = lot(chosen_seed, len(firms))
    firm = firms[index]
    experts = list(db.session.scalars(
        select(User.username).join(UserRole, UserRole.user_id == User.id)
        .where(User.organisation_id == firm.id, UserRole.role == Role.EXPERT, User.active.is_(True))
        .order_by(User.username)
    ))
    actor = context(call).actor
    db.session.add(KeyEvaluationDraw(
        evaluation_id=evaluation.id, seed=chosen_seed, chosen_index=index, firm_id=firm.id, experts=experts,
        candidates=[{"id": f.id, "code": f.code, "name": f.name} for f in firms],
        drawn_by_id=actor.id if actor else None, drawn_at=get_clock().now(),
    ))
    db.session.flush()
    return {"firm_code": firm.code, "firm_name": firm.name, "experts": experts, "seed": chosen_seed,
            "index": index, "candidates": len(firms)}


def score_sheet(review: dict[str, Any], limits: dict[str, Any]) -> dict[str, Decimal]:
    """One score sheet's four parts (预算执行/产出/效益/满意度), each between 0 and the rule table's points."""
    values: dict[str, Decimal] = {}
    for key, title in SHEET.items():
        value, limit = number(review.get(key)), Decimal(str(limits[key]))
        if value is None or not Decimal(0) <= value <= limit:
            raise ValueError(_("“%(title)s”得分应在 0 到 %(limit)s 之间", title=title, limit=limit))
        values[key] = value.quantize(CENT)
    return values


def record_key(call: OperatorCall, *, reviews: Any, experts: Any, execution_points: Any = 10,
               output_points: Any = 50, benefit_points: Any = 30, satisfaction_points: Any = 10) -> dict[str, Any]:
    """evaluation.record_key: one score sheet per expert (reviews in the order of the drawn experts); the key
    evaluation score is their average."""
    evaluation = evaluation_of(call, EvaluationStatus.KEY)
    limits = dict(zip(SHEET, (execution_points, output_points, benefit_points, satisfaction_points), strict=True))
    pairs = [(str(n), r) for n, r in zip(experts or [], reviews or [], strict=False) if isinstance(r, dict)]
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_([n for n, _r in pairs])))}
    totals: list[Decimal] = []
    for name, review in pairs:
        values = score_sheet(review, limits)
        total = sum(values.values(), Decimal(0))
        user = users.get(name)
        if user is None:
            continue
        db.session.add(KeyEvaluationScore(
            evaluation_id=evaluation.id, expert_id=user.id, total=total, findings=text(review.get("findings"), 4000)
            or "", opinion=text(review.get("opinion"), 4000) or "", created_at=get_clock().now(), **values,
        ))
        totals.append(total)
    if not totals:
        raise ValueError(_("没有收到第三方专家的评分"))
    average = (sum(totals, Decimal(0)) / len(totals)).quantize(CENT, ROUND_HALF_UP)
    evaluation.key_score = average
    evaluation.updated_at = get_clock().now()
    db.session.flush()
    return {"score": float(average), "count": len(totals)}


# ---------------------------------------------------------------- the result notice and rectification


def deadline(start: datetime, within: Any) -> datetime:
    """The end of the county day `within` (an ISO-8601 duration) after `start`: 00:00 the next day, as UTC."""
    try:
        last = duration_after(start, str(within)).astimezone(COUNTY_TZ).date()
    except Exception as err:  # SpiffWorkflow raises a bare Exception for a malformed duration
        raise ValueError(_("规则表中的期限“%(v)s”不是 ISO-8601 时长", v=within)) from err
    return datetime(last.year, last.month, last.day, tzinfo=COUNTY_TZ).astimezone(UTC) + timedelta(days=1)


def _day(moment: datetime) -> str:
    shown = (moment - timedelta(seconds=1)).astimezone(COUNTY_TZ)
    return _("%(y)s年%(m)s月%(d)s日", y=shown.year, m=shown.month, d=shown.day)


def _timers(due: datetime, escalate_after: Any) -> dict[str, str]:
    try:
        escalate = duration_after(due, str(escalate_after))
    except Exception as err:
        raise ValueError(_("规则表中的期限“%(v)s”不是 ISO-8601 时长", v=escalate_after)) from err
    return {"due_at": due.isoformat(), "escalate_at": escalate.isoformat(), "due_text": _day(due)}


def notice(call: OperatorCall, *, conclusion: Any, requirements: Any = None, problems: Any = None,
           rectify_required: Any = False, adjust_percent: Any = None, application_basis: Any = None,
           rectify_within: Any = "P30D", escalate_after: Any = "P10D") -> dict[str, Any]:
    """evaluation.notice: the formal result notice. Rectification is due when the office writes requirements,
    and the rule table may demand it (中 and 差 by default); the unit and the budget sections are told."""
    evaluation = evaluation_of(call, EvaluationStatus.GRADED)
    project = evaluation.project
    wanted = text(requirements, 4000)
    rectify = bool(wanted and wanted.strip())
    if rectify_required and not rectify:
        raise ValueError(_("评价等次为%(grade)s，须在结果通知中提出整改要求", grade=evaluation.grade))
    now = get_clock().now()
    actor = context(call).actor
    evaluation.conclusion, evaluation.problems = text(conclusion, 4000), text(problems, 4000)
    evaluation.requirements, evaluation.rectify_required = wanted if rectify else None, rectify
    percent = number(adjust_percent)
    evaluation.adjust_percent = percent.quantize(CENT) if percent is not None else None
    evaluation.application_basis = text(application_basis, 200)
    evaluation.noticed_at = evaluation.updated_at = now
    evaluation.noticed_by_id = actor.id if actor else None
    evaluation.status = EvaluationStatus.RECTIFYING if rectify else EvaluationStatus.COMPLETED
    head = _("%(name)s %(year)s 年度绩效评价结果：%(score)s 分，等次为%(grade)s", name=project.name,
             year=evaluation.fiscal_year, score=evaluation.score, grade=evaluation.grade)
    result: dict[str, Any] = {"rectify": rectify, "due_at": None, "escalate_at": None, "due_text": None}
    if rectify:
        due = deadline(now, rectify_within)
        evaluation.rectify_due_at = due
        result.update(_timers(due, escalate_after))
        notify(call, project, "unit_staff", "result",
               _("%(head)s。请按整改要求于 %(day)s 前报送整改报告。", head=head, day=result["due_text"]))
    else:
        notify(call, project, "unit_staff", "result", _("%(head)s。", head=head))
    notify(call, project, "finance_section", "result",
           _("%(head)s。结果应用：%(basis)s", head=head, basis=evaluation.application_basis or _("无")))
    db.session.flush()
    return result


def rectify(call: OperatorCall, *, measures: Any, results: Any, completion: Any) -> dict[str, Any]:
    """evaluation.rectify: the unit's rectification report for the current round (late ones are marked)."""
    evaluation = evaluation_of(call, EvaluationStatus.RECTIFYING)
    if str(completion) not in ("已完成", "部分完成"):
        raise ValueError(_("整改完成情况应为 已完成 或 部分完成"))
    now = get_clock().now()
    due = evaluation.rectify_due_at or now
    actor = context(call).actor
    row = Rectification(
        evaluation_id=evaluation.id, round=len(evaluation.rectifications) + 1, due_at=due,
        measures=text(measures, 4000) or "", results=text(results, 4000) or "", completion=str(completion),
        overdue=now > due, submitted_by_id=actor.id if actor else None, submitted_at=now,
    )
    db.session.add(row)
    db.session.flush()
    db.session.refresh(evaluation, ["rectifications"])
    return {"rectification_id": row.id, "round": row.round, "overdue": row.overdue}


def verify(call: OperatorCall, *, decision: Any, opinion: Any, max_rounds: Any = 3, resubmit_within: Any = "P15D",
           escalate_after: Any = "P10D") -> dict[str, Any]:
    """evaluation.verify: the performance office checks the latest report. Verified closes the rectification
    (销号); insufficient sends it back with a new deadline, until the rule table's last round, after which it
    is recorded as not rectified (payments stay suspended). Returns the outcome and the new timers."""
    evaluation = evaluation_of(call, EvaluationStatus.RECTIFYING)
    project = evaluation.project
    row = evaluation.rectifications[-1] if evaluation.rectifications else None
    if row is None or row.decision is not None:
        raise ValueError(_("没有待核查的整改报告"))
    choice = str(decision)
    if choice not in ("verified", "send_back"):
        raise ValueError(_("未知的核查结论“%(d)s”", d=choice))
    now = get_clock().now()
    actor = context(call).actor
    last_round = row.round >= int(max_rounds)
    outcome = "failed" if choice == "send_back" and last_round else choice
    row.decision, row.opinion = outcome, text(opinion, 4000)
    row.verified_by_id, row.verified_at = (actor.id if actor else None), now
    evaluation.updated_at = now
    result: dict[str, Any] = {"outcome": outcome, "round": row.round, "due_at": None, "escalate_at": None}
    if outcome == "verified":
        evaluation.status = EvaluationStatus.RECTIFIED
        notify(call, project, "unit_staff", "rectified", _("%(name)s：整改已核查到位，予以销号。", name=project.name))
    elif outcome == "failed":
        evaluation.status = EvaluationStatus.UNRECTIFIED
        message = _("%(name)s：第 %(n)s 次整改报告仍未整改到位，按整改不到位处理。", name=project.name, n=row.round)
        notify(call, project, "unit_staff", "unrectified", message)
        notify(call, project, "finance_section", "unrectified", message)
    else:
        due = deadline(now, resubmit_within)
        evaluation.rectify_due_at = due
        result.update(_timers(due, escalate_after))
        notify(call, project, "unit_staff", "returned",
               _("%(name)s：整改未到位，请按核查意见继续整改，于 %(day)s 前重新报送整改报告。",
                 name=project.name, day=result["due_text"]))
    db.session.flush()
    return result
