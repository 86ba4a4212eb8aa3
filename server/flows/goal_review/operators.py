"""goals.* operators: 绩效目标编审 and 绩效目标调整 — open, save a draft (with quality warnings), submit,
record each review, approve with the budget, refuse.

A flow works on one goal version, the one whose `instance_id` is the running instance. Errors raised while
starting a flow (wrong project, not the unit's own, not awaiting goals) refuse the start with their message.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import func, select

from server.db import db
from server.engine.operators import OperatorCall
from server.extensions import get_clock
from server.flows.goal_review import quality as goal_quality
from server.flows.goal_review.models import (
    GoalIndicator,
    GoalKind,
    GoalReview,
    GoalStage,
    GoalVersion,
    GoalVersionStatus,
)
from server.flows.shared.support import CENT, context, own_project, text
from server.models import GoalStatus, InstanceStatus, ProcessInstance, Project, ProjectStatus
from server.models.indicator import LEVELS, OPERATORS
from server.services import indicator_library

BASES = ("计划标准", "行业标准", "历史标准", "其他标准")
OPEN_STATUSES = (GoalVersionStatus.DRAFT, GoalVersionStatus.SUBMITTED, GoalVersionStatus.RETURNED)
STATUS_TEXT = {
    GoalStatus.DRAFTING: lazy_gettext("正在编制绩效目标"),
    GoalStatus.REVIEWING: lazy_gettext("绩效目标正在审核"),
    GoalStatus.APPROVED: lazy_gettext("绩效目标已批复，如需变更请提出调整申请"),
    GoalStatus.REFUSED: lazy_gettext("绩效目标审核未通过，不得安排预算"),
    GoalStatus.ADJUSTING: lazy_gettext("绩效目标调整申请正在审核"),
}


# ---------------------------------------------------------------- lookups


def _project(call: OperatorCall, project_code: Any, project_id: Any) -> Project:
    """The project named in the start data, which must belong to the starting unit."""
    if project_code in (None, "") and (project_id in (None, "") or isinstance(project_id, bool)):
        raise ValueError(_("请指定项目（project_code 或 project_id）"))
    wanted = project_code if project_code not in (None, "") else project_id
    return own_project(call, project_id, code=project_code,
                       missing=_("未找到本单位的项目“%(wanted)s”", wanted=wanted))


def _stale(version: GoalVersion) -> bool:
    """An unfinished version whose flow was cancelled or failed: a new flow may take it over."""
    if version.instance_id is None:
        return True
    status = db.session.scalar(select(ProcessInstance.status).where(ProcessInstance.id == version.instance_id))
    return status not in (InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.SUSPENDED)


def _open_version(project: Project) -> GoalVersion | None:
    return db.session.scalar(
        select(GoalVersion)
        .where(GoalVersion.project_id == project.id, GoalVersion.status.in_(OPEN_STATUSES))
        .order_by(GoalVersion.id.desc())
        .limit(1)
    )


def _current(call: OperatorCall) -> tuple[GoalVersion, Project]:
    instance = context(call).instance
    version = db.session.scalar(
        select(GoalVersion).where(GoalVersion.instance_id == instance.id).order_by(GoalVersion.id.desc()).limit(1)
    )
    if version is None:
        raise ValueError(_("本流程还没有绩效目标（缺少“goals.open”步骤）"))
    project = db.session.get(Project, version.project_id)
    assert project is not None
    return version, project


def _next_number(project: Project) -> int:
    last = db.session.scalar(select(func.max(GoalVersion.version)).where(GoalVersion.project_id == project.id))
    return (last or 0) + 1


def _summary(version: GoalVersion, project: Project) -> dict[str, Any]:
    return {
        "goal_id": version.id,
        "version": version.version,
        "project_id": project.id,
        "project_code": project.code,
        "project_name": project.name,
        "amount": None if project.amount is None else str(project.amount),
        "fiscal_year": project.fiscal_year,
    }


def _table(version: GoalVersion) -> dict[str, Any]:
    """The version's goal table in the form's field names, to prefill the next form."""
    return {
        "long_term_goal": version.long_term_goal or "",
        "annual_goal": version.annual_goal or "",
        "contact": version.contact or "",
        "indicators": [
            {"level1": r.level1, "level2": r.level2, "name": r.name, "operator": r.operator, "value": r.value,
             "unit": r.unit or "", "basis": r.basis or "", "weight": float(r.weight)}
            for r in version.indicators
        ],
    }


# ---------------------------------------------------------------- opening a flow


def open_goals(call: OperatorCall, *, project_code: Any = None, project_id: Any = None) -> dict[str, Any]:
    """goals.open: the unit starts 绩效目标编审 for its own project that is in the library awaiting goals."""
    project = _project(call, project_code, project_id)
    now = get_clock().now()
    version = _open_version(project)
    if project.status != ProjectStatus.IN_LIBRARY:
        raise ValueError(_("项目 %(code)s 尚未入库，不能编制绩效目标", code=project.code))
    if version is not None and _stale(version) and version.kind == GoalKind.ORIGINAL:
        version.status = GoalVersionStatus.DRAFT  # take over the draft of a cancelled flow
    elif project.goal_status != GoalStatus.AWAITING:
        raise ValueError(_("项目 %(code)s %(status)s", code=project.code, status=STATUS_TEXT.get(project.goal_status, lazy_gettext('不在待编制状态'))))
    else:
        version = GoalVersion(
            project_id=project.id, version=_next_number(project), kind=GoalKind.ORIGINAL,
            status=GoalVersionStatus.DRAFT, round=1, created_at=now,
        )
        db.session.add(version)
    _attach(call, version, project, GoalStatus.DRAFTING, now)
    if not version.indicators:
        return _summary(version, project)
    # A draft already written (the application's draft goals, or a cancelled flow's): the form starts from it.
    return {**_summary(version, project), **_table(version), "warnings": list(version.warnings or [])}


def open_adjustment(call: OperatorCall, *, project_code: Any = None, project_id: Any = None) -> dict[str, Any]:
    """goals.open_adjustment: a new draft version (kind adjusted) copied from the approved one."""
    project = _project(call, project_code, project_id)
    now = get_clock().now()
    pending = _open_version(project)
    if pending is not None and pending.kind == GoalKind.ADJUSTED and _stale(pending):
        version = pending
    elif project.goal_status != GoalStatus.APPROVED:
        if project.goal_status == GoalStatus.AWAITING:
            raise ValueError(_("项目 %(code)s 的绩效目标尚未批复，无需调整", code=project.code))
        raise ValueError(_("项目 %(code)s %(status)s", code=project.code, status=STATUS_TEXT.get(project.goal_status, lazy_gettext('不能调整绩效目标'))))
    else:
        approved = db.session.scalar(
            select(GoalVersion).where(
                GoalVersion.project_id == project.id, GoalVersion.status == GoalVersionStatus.APPROVED
            )
        )
        if approved is None:
            raise ValueError(_("项目 %(code)s 没有已批复的绩效目标", code=project.code))
        version = GoalVersion(
            project_id=project.id, version=_next_number(project), kind=GoalKind.ADJUSTED,
            status=GoalVersionStatus.DRAFT, based_on_id=approved.id, round=1, created_at=now,
            long_term_goal=approved.long_term_goal, annual_goal=approved.annual_goal, contact=approved.contact,
            warnings=approved.warnings,
            indicators=[_copy(r) for r in approved.indicators],
        )
        db.session.add(version)
    _attach(call, version, project, GoalStatus.ADJUSTING, now)
    return {**_summary(version, project), **_table(version)}


def _attach(call: OperatorCall, version: GoalVersion, project: Project, status: GoalStatus, now) -> None:
    """Bind a draft version to this instance with the project's current year and budget."""
    version.instance_id = context(call).instance.id
    version.fiscal_year = project.fiscal_year
    version.budget_amount = project.amount
    version.updated_at = now
    project.goal_status = status
    project.updated_at = now
    db.session.flush()


def _copy(row: GoalIndicator) -> GoalIndicator:
    return GoalIndicator(position=row.position, level1=row.level1, level2=row.level2, name=row.name,
                         operator=row.operator, value=row.value, unit=row.unit, basis=row.basis, weight=row.weight)


# ---------------------------------------------------------------- the unit's table


def indicator_row(i: int, row: Any) -> GoalIndicator:
    """One validated indicator row; the form already refused bad input, so a failure here is a flow bug."""
    if not isinstance(row, dict):
        raise ValueError(_("第 %(row)s 行指标格式不正确", row=i + 1))
    level1, level2, op = str(row.get("level1", "")), str(row.get("level2", "")), str(row.get("operator", ""))
    if level2 not in LEVELS.get(level1, ()):
        raise ValueError(_("第 %(row)s 行：二级指标“%(level2)s”不属于一级指标“%(level1)s”", row=i + 1, level2=level2, level1=level1))
    if op not in OPERATORS:
        raise ValueError(_("第 %(row)s 行：计算符号“%(op)s”无效", row=i + 1, op=op))
    try:
        weight = Decimal(str(row.get("weight"))).quantize(CENT)
    except InvalidOperation as err:
        raise ValueError(_("第 %(row)s 行：权重不是数字", row=i + 1)) from err
    basis = row.get("basis")
    return GoalIndicator(
        position=i + 1, level1=level1, level2=level2, name=str(row.get("name", ""))[:100], operator=op,
        value=str(row.get("value", ""))[:100], unit=text(row.get("unit"), 20),
        basis=str(basis) if basis in BASES else None, weight=weight,
    )


def save_draft(
    call: OperatorCall,
    *,
    long_term_goal: Any,
    annual_goal: Any,
    indicators: Any,
    contact: Any = None,
    adjust_reasons: Any = None,
) -> dict[str, Any]:
    """goals.draft: store the unit's goal table on the flow's version and the quality warnings it raises."""
    version, project = _current(call)
    if version.status not in (GoalVersionStatus.DRAFT, GoalVersionStatus.RETURNED):
        raise ValueError(_("绩效目标第 %(version)s 版当前不能修改", version=version.version))
    rows = indicators if isinstance(indicators, list) else []
    found = goal_quality.warnings(long_term_goal, annual_goal, rows,
                                  typical=indicator_library.typical_ranges(project.sector),
                                  describe=indicator_library.range_text,
                                  expected_outputs=indicator_library.output_properties(project.sector))
    version.long_term_goal = text(long_term_goal, 4000)
    version.annual_goal = text(annual_goal, 4000)
    version.contact = text(contact, 100)
    if version.kind == GoalKind.ADJUSTED:
        version.adjust_reasons = text(adjust_reasons, 4000)
    version.indicators = [indicator_row(i, r) for i, r in enumerate(rows)]
    version.warnings = found
    version.status = GoalVersionStatus.DRAFT
    version.updated_at = get_clock().now()
    db.session.flush()
    return {"goal_id": version.id, "warnings": found, "count": len(found)}


def submit(call: OperatorCall) -> dict[str, Any]:
    """goals.submit: the draft goes to review."""
    version, project = _current(call)
    if version.status != GoalVersionStatus.DRAFT or not version.indicators:
        raise ValueError(_("绩效目标第 %(version)s 版还没有可提交的指标", version=version.version))
    now = get_clock().now()
    version.status = GoalVersionStatus.SUBMITTED
    version.submitted_at = now
    version.updated_at = now
    if version.kind == GoalKind.ORIGINAL:
        project.goal_status = GoalStatus.REVIEWING
    db.session.flush()
    return {"goal_id": version.id, "round": version.round, "warnings": len(version.warnings or [])}


# ---------------------------------------------------------------- reviews and the verdict


def record_review(
    call: OperatorCall,
    *,
    stage: Any,
    decision: Any,
    opinion: Any = None,
    outcome: Any = None,
    basis: Any = None,
    fixes: Any = None,
) -> dict[str, Any]:
    """goals.review: one reviewer's opinion. `send_back`, outcome `revise` (中) and `fix` (良) return the
    table to the unit; the first two start a new round, a 良 fix stays in the round it was graded in."""
    version, project = _current(call)
    try:
        step = GoalStage(str(stage))
    except ValueError as err:
        raise ValueError(_("未知的审核环节“%(stage)s”", stage=stage)) from err
    actor = context(call).actor
    now = get_clock().now()
    db.session.add(GoalReview(
        goal=version, stage=step, round=version.round, actor_id=actor.id if actor else None,
        decision=str(decision)[:16], outcome=text(outcome, 16), opinion=text(opinion, 4000),
        fixes=text(fixes, 4000), created_at=now,
    ))
    if step == GoalStage.FINANCE and version.kind == GoalKind.ORIGINAL:
        version.grade = str(decision)[:8]
        version.outcome_basis = text(basis, 200)
    back = decision == "send_back" or outcome in ("revise", "fix")
    if back:
        version.status = GoalVersionStatus.RETURNED
        if outcome != "fix":
            version.round += 1
        if version.kind == GoalKind.ORIGINAL:
            project.goal_status = GoalStatus.DRAFTING
    version.updated_at = now
    db.session.flush()
    return {"round": version.round, "returned": back}


def approve(call: OperatorCall) -> dict[str, Any]:
    """goals.approve: 批复 with the budget — the version takes the project's approved amount and is marked
    for publication; an adjusted version replaces (supersedes) the one it was based on."""
    version, project = _current(call)
    if version.status not in (GoalVersionStatus.SUBMITTED, GoalVersionStatus.DRAFT):
        raise ValueError(_("绩效目标第 %(version)s 版不在待批复状态", version=version.version))
    now = get_clock().now()
    actor = context(call).actor
    if version.based_on_id is not None:
        previous = db.session.get(GoalVersion, version.based_on_id)
        if previous is not None and previous.status == GoalVersionStatus.APPROVED:
            previous.status = GoalVersionStatus.SUPERSEDED
            previous.updated_at = now
    version.status = GoalVersionStatus.APPROVED
    version.budget_amount = project.amount
    version.publish = True
    version.approved_at = now
    version.approved_by_id = actor.id if actor else None
    version.updated_at = now
    project.goal_status = GoalStatus.APPROVED
    project.updated_at = now
    db.session.flush()
    return {"goal_id": version.id, "version": version.version, "kind": version.kind.value,
            "budget_amount": None if version.budget_amount is None else str(version.budget_amount)}


def refuse(call: OperatorCall, *, reason: Any = None) -> dict[str, Any]:
    """goals.refuse: 差 (or 中 past the round limit) — no budget for the project; for an adjustment request,
    the request is refused and the approved goals stay in force."""
    version, project = _current(call)
    now = get_clock().now()
    version.status = GoalVersionStatus.REFUSED
    version.outcome_basis = text(reason, 200) or version.outcome_basis
    version.updated_at = now
    project.goal_status = GoalStatus.APPROVED if version.kind == GoalKind.ADJUSTED else GoalStatus.REFUSED
    project.updated_at = now
    db.session.flush()
    return {"goal_id": version.id, "goal_status": project.goal_status.value}
