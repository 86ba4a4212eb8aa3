"""dept.* operators: 部门整体绩效 — the department opens its goal table for a fiscal year, saves it (with the
goal-quality warnings of project goals), the finance section grades it and it is approved; after the year the
department reports mid-year monitoring, self-evaluates (scored like a project's self-evaluation), the performance office evaluates and the
rule tables' grade and result are recorded against the department's 公用经费.

The instance is the department's own (started by its dept_reviewer), so the department is the instance's
organisation: another department cannot reach these rows through a flow.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from server.clock import COUNTY_TZ
from server.db import db
from server.engine.operators import OperatorCall, ParameterRefused
from server.extensions import get_clock
from server.flows.dept_performance.models import (
    DeptEvaluation,
    DeptEvaluationStatus,
    DeptGoal,
    DeptGoalIndicator,
    DeptGoalStatus,
    DeptMonitorFollowUp,
    FollowUpDecision,
)
from server.flows.evaluation.operators import BANDS, achievement, level_points, year_end
from server.flows.goal_review import quality as goal_quality
from server.flows.goal_review.operators import indicator_row as goal_indicator
from server.flows.monitoring.models import Colour
from server.flows.monitoring.operators import indicator_colour, worst
from server.flows.shared.support import CENT, context, money, number, optional_int, text
from server.models import InstanceStatus, Organisation, OrgKind, ProcessInstance
from server.services import indicator_library

GRADES = ("优", "良", "中", "差")
POINTS = {"产出": Decimal(50), "效益": Decimal(30), "满意度": Decimal(20)}  # 部门整体: no budget-execution part here
LIVE = (InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.SUSPENDED)


def _department(call: OperatorCall) -> Organisation:
    org = db.session.get(Organisation, context(call).instance.organisation_id)
    if org is None or org.kind != OrgKind.DEPARTMENT:
        raise ValueError(_("部门整体绩效须由主管部门发起"))
    return org


def _goal(call: OperatorCall, *expected: DeptGoalStatus) -> DeptGoal:
    goal = db.session.scalar(select(DeptGoal).where(DeptGoal.instance_id == context(call).instance.id)
                             .order_by(DeptGoal.id.desc()).limit(1))
    if goal is None:
        raise ValueError(_("本流程还没有部门整体绩效目标（缺少“dept.open”步骤）"))
    if expected and goal.status not in expected:
        raise ValueError(_("部门整体绩效目标当前不在这一环节"))
    return goal


def _evaluation(call: OperatorCall, *expected: DeptEvaluationStatus) -> DeptEvaluation:
    found = db.session.scalar(select(DeptEvaluation).where(DeptEvaluation.instance_id == context(call).instance.id)
                              .order_by(DeptEvaluation.id.desc()).limit(1))
    if found is None or (expected and found.status not in expected):
        raise ValueError(_("部门整体绩效评价当前不在这一环节"))
    return found


# ---------------------------------------------------------------- goals


def open_goals(call: OperatorCall, *, fiscal_year: Any = None) -> dict[str, Any]:
    """dept.open: one goal table per department and year; a cancelled flow's table may be taken over."""
    department = _department(call)
    try:
        year = optional_int(fiscal_year)
    except (TypeError, ValueError):
        year = None
    if year is None or not 2000 <= year <= 2100:
        raise ValueError(_("请填写预算年度"))
    earlier = db.session.execute(
        select(DeptGoal, ProcessInstance.status)
        .outerjoin(ProcessInstance, ProcessInstance.id == DeptGoal.instance_id)
        .where(DeptGoal.department_id == department.id, DeptGoal.fiscal_year == year)
    ).tuples().all()
    if any(g.status == DeptGoalStatus.APPROVED or flow in LIVE for g, flow in earlier):
        raise ValueError(_("%(dept)s %(year)s 年度部门整体绩效目标已编制或正在编审", dept=department.name, year=year))
    now = get_clock().now()
    goal = DeptGoal(department_id=department.id, fiscal_year=year, instance_id=context(call).instance.id,
                    status=DeptGoalStatus.DRAFT, round=1, created_at=now, updated_at=now)
    db.session.add(goal)
    db.session.flush()
    return {"goal_id": goal.id, "department_id": department.id, "department_name": department.name,
            "fiscal_year": year}


def save_goals(call: OperatorCall, *, functions: Any, work_plan: Any, annual_goal: Any,
               indicators: Any) -> dict[str, Any]:
    """dept.draft: store the table (the form refused malformed rows) with the project goals' quality warnings —
    the plan stands for the long-term goal — and send it to the finance section."""
    goal = _goal(call, DeptGoalStatus.DRAFT)
    department = _department(call)
    rows = indicators if isinstance(indicators, list) else []
    found = goal_quality.warnings(work_plan, annual_goal, rows,
                                  typical=indicator_library.typical_ranges(department.sector),
                                  describe=indicator_library.range_text)
    goal.warnings = [_plan_wording(w) for w in found]
    goal.functions, goal.work_plan = text(functions, 4000), text(work_plan, 4000)
    goal.annual_goal = text(annual_goal, 4000)
    goal.indicators = [_row(goal_indicator(i, r)) for i, r in enumerate(rows)]
    if not goal.indicators:
        raise ValueError(_("部门整体绩效目标还没有指标"))
    goal.status = DeptGoalStatus.SUBMITTED
    goal.updated_at = get_clock().now()
    db.session.flush()
    return {"goal_id": goal.id, "warnings": goal.warnings, "count": len(goal.warnings)}


def _plan_wording(warning: dict[str, str]) -> dict[str, str]:
    """The plan is checked as a project's long-term goal is; its warnings name the plan."""
    if warning.get("field") != "long_term_goal":
        return warning
    title = goal_quality.GOAL_FIELDS["long_term_goal"]
    return {**warning, "field": "work_plan", "message": warning["message"].replace(title, _("年度工作计划"))}


def _row(row: Any) -> DeptGoalIndicator:
    return DeptGoalIndicator(position=row.position, level1=row.level1, level2=row.level2, name=row.name,
                             operator=row.operator, value=row.value, unit=row.unit, weight=row.weight)


def review_goals(call: OperatorCall, *, grade: Any, opinion: Any, approved: Any) -> dict[str, Any]:
    """dept.review: the finance section's grade and what the rule table `dept_performance_goal_outcome` made of
    it (default: 优/良 approve the table, 中/差 return it for another round)."""
    goal = _goal(call, DeptGoalStatus.SUBMITTED)
    if grade not in GRADES:
        raise ValueError(_("审核等次应为 优、良、中、差 之一"))
    actor = context(call).actor
    now = get_clock().now()
    goal.review_grade, goal.review_opinion = str(grade), text(opinion, 4000)
    goal.reviewed_by_id = actor.id if actor else None
    if not isinstance(approved, bool):
        raise ValueError(_("目标审核结果规则表没有给出是否批复"))
    if approved:
        goal.status, goal.approved_at = DeptGoalStatus.APPROVED, now
    else:
        goal.status, goal.round = DeptGoalStatus.DRAFT, goal.round + 1
    goal.updated_at = now
    db.session.flush()
    return {"approved": approved, "round": goal.round}


# ---------------------------------------------------------------- after the year


def schedule(call: OperatorCall) -> dict[str, Any]:
    """dept.schedule: the evaluation waits for the year's end in the county (at once if it has passed)."""
    goal = _goal(call, DeptGoalStatus.APPROVED)
    now = get_clock().now()
    db.session.add(DeptEvaluation(department_id=goal.department_id, fiscal_year=goal.fiscal_year, goal_id=goal.id,
                                  instance_id=goal.instance_id, status=DeptEvaluationStatus.WAITING,
                                  created_at=now, updated_at=now))
    db.session.flush()
    opens = year_end(goal.fiscal_year)
    monitor = monitor_day(goal.fiscal_year)
    return {"opens_at": opens.isoformat(), "open_now": now >= opens,
            "monitor_at": monitor.isoformat(), "monitor_now": now >= monitor}


def monitor_day(fiscal_year: int) -> datetime:
    """1 August in the county: the mid-year (1–7月) monitoring of DOMAIN §3, as aware UTC."""
    return datetime(fiscal_year, 8, 1, tzinfo=COUNTY_TZ).astimezone(UTC)


def monitor_template(call: OperatorCall) -> dict[str, Any]:
    """dept.monitor_template: the monitoring form's rows, one per approved indicator."""
    goal = _goal(call, DeptGoalStatus.APPROVED)
    return {"rows": [{"indicator_id": r.id, "name": r.name, "operator": r.operator, "target": r.value,
                      "unit": r.unit or "", "current_value": "", "deviation": ""} for r in goal.indicators]}


MONITOR_MONTH = 7  # the mid-year monitoring covers January to July: 7/12 of the year has gone
WARNING = (Colour.RED, Colour.YELLOW)
COLOUR_NAMES = {Colour.RED: _l("红色"), Colour.YELLOW: _l("黄色"), Colour.GREEN: _l("绿色"), Colour.BLUE: _l("蓝色")}
PROGRESS_CAP = Decimal("999999")  # what the column holds; a progress beyond it is as blue as any


def monitor(call: OperatorCall, *, rows: Any, summary: Any, red_below: Any = "0.6", yellow_below: Any = "0.8",
            blue_from: Any = "1.2") -> dict[str, Any]:
    """dept.monitor: the department's mid-year values and corrective measures, indicator by indicator, each
    coloured as a project's monitoring report is (monitoring.operators.indicator_colour, thresholds from the rule
    table `dept_performance_monitoring`); the department's colour is its worst indicator's. A value that does not
    fit its indicator, or a lagging indicator without cause and measures, is refused beside its cell."""
    goal = _goal(call, DeptGoalStatus.APPROVED)
    by_id = _rows_by_indicator(rows, goal)
    position = {id(r): i for i, r in enumerate(rows)}
    elapsed = Decimal(MONITOR_MONTH) / Decimal(12)
    errors: dict[str, str] = {}
    found: dict[int, tuple[Colour, Decimal | None]] = {}
    for indicator in goal.indicators:
        row = by_id[indicator.id]
        at = f"rows.{position[id(row)]}"
        value = str(row.get("current_value") or "").strip()
        colour = indicator_colour(indicator.operator, value, indicator.value, elapsed, red_below, yellow_below,
                                  blue_from)
        if colour is None:
            errors[f"{at}.current_value"] = (_("定性指标请填写 达成、部分达成 或 未达成") if indicator.operator == "定性"
                                             else _("定量指标的完成值应为数字"))
            continue
        found[indicator.id] = colour
        if colour[0] in WARNING and len((text(row.get("deviation"), 4000) or "").strip()) < 2:
            errors[f"{at}.deviation"] = _("进度滞后（%(colour)s），请写明偏差原因和纠偏措施",
                                          colour=COLOUR_NAMES[colour[0]])
    if errors:
        raise ParameterRefused(errors)
    for indicator in goal.indicators:
        row = by_id[indicator.id]
        indicator.monitor_value = text(str(row.get("current_value") or "").strip(), 100)
        indicator.monitor_deviation = text(row.get("deviation"), 4000)
        _colour(indicator, found[indicator.id])
    goal.monitor_colour = worst([i.monitor_colour for i in goal.indicators if i.monitor_colour])
    goal.monitor_summary = text(summary, 4000)
    goal.monitored_at = goal.updated_at = get_clock().now()
    db.session.flush()
    return {"goal_id": goal.id, **_colour_result(goal)}


def _colour(indicator: DeptGoalIndicator, found: tuple[Colour, Decimal | None]) -> None:
    indicator.monitor_colour, progress = found
    indicator.monitor_progress = None if progress is None else max(-PROGRESS_CAP, min(progress, PROGRESS_CAP))


def _colour_result(goal: DeptGoal) -> dict[str, Any]:
    assert goal.monitor_colour is not None
    return {"colour": str(goal.monitor_colour), "colour_name": str(COLOUR_NAMES[goal.monitor_colour]),
            "warnings": warnings_of(goal)}


def warnings_of(goal: DeptGoal) -> list[dict[str, Any]]:
    """The lagging indicators as the finance section's follow-up form shows them."""
    return [{"name": i.name, "target": f"{i.operator} {i.value}{i.unit or ''}", "current_value": i.monitor_value or "",
             "progress": "" if i.monitor_progress is None else f"{i.monitor_progress:.0%}",
             "colour": str(COLOUR_NAMES[i.monitor_colour]), "deviation": i.monitor_deviation or ""}
            for i in goal.indicators if i.monitor_colour in WARNING]


def _due(value: Any) -> datetime:
    """The end of the chosen county day as UTC; the day must be after today and within 180 days."""
    try:
        day = date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        raise ParameterRefused({"due_date": _("纠偏措施报送期限应为日期（年-月-日）")}) from None
    today = get_clock().now().astimezone(COUNTY_TZ).date()
    if not today < day <= today + timedelta(days=180):
        raise ParameterRefused({"due_date": _("纠偏措施报送期限应在今天之后、180 天之内")})
    return datetime(day.year, day.month, day.day, tzinfo=COUNTY_TZ).astimezone(UTC) + timedelta(days=1)


def follow_up(call: OperatorCall, *, decision: Any, opinion: Any, due_date: Any = None) -> dict[str, Any]:
    """dept.follow_up: the finance section's decision on a department's warning (及时纠偏) — accept it and go
    on, require corrective measures by a deadline, or have the department propose adjusted targets by a deadline
    (either back to the department, then back to finance)."""
    goal = _goal(call, DeptGoalStatus.APPROVED)
    if goal.monitor_colour not in WARNING and not goal.follow_ups:  # after an adjustment it may be green
        raise ValueError(_("部门整体绩效运行监控没有需要纠偏的预警"))
    try:
        choice = FollowUpDecision(str(decision))
    except ValueError:
        raise ParameterRefused({"decision": _("请选择 认可（继续执行）、要求纠偏 或 调整目标")}) from None
    words = (text(opinion, 4000) or "").strip()
    if len(words) < 2:
        raise ParameterRefused({"opinion": _("请填写意见")})
    pending = goal.follow_ups[-1] if goal.follow_ups else None
    if pending is not None and pending.decision != FollowUpDecision.ACCEPT and pending.measures is None:
        raise ValueError(_("部门尚未报送上一轮纠偏措施"))
    due = _due(due_date) if choice != FollowUpDecision.ACCEPT else None
    actor = context(call).actor
    now = get_clock().now()
    row = DeptMonitorFollowUp(goal_id=goal.id, instance_id=context(call).instance.id, round=len(goal.follow_ups) + 1,
                              colour=goal.monitor_colour, decision=choice, opinion=words, due_at=due,
                              decided_by_id=actor.id if actor else None, decided_at=now)
    db.session.add(row)
    goal.updated_at = now
    db.session.flush()
    db.session.refresh(goal, ["follow_ups"])
    return {"decision": str(choice), "round": row.round, "due_at": due.isoformat() if due else None,
            "adjust_rows": [{"indicator_id": i.id, "name": i.name, "operator": i.operator, "target": i.value,
                             "unit": i.unit or "", "current_value": i.monitor_value or "",
                             "colour": str(COLOUR_NAMES[i.monitor_colour]) if i.monitor_colour else "",
                             "new_target": ""} for i in goal.indicators]}


def _asked(goal: DeptGoal, decision: FollowUpDecision) -> DeptMonitorFollowUp:
    asked = goal.follow_ups[-1] if goal.follow_ups else None
    if asked is None or asked.decision != decision or asked.measures is not None:
        raise ValueError(_("财政没有要求报送纠偏措施") if decision == FollowUpDecision.CORRECT
                         else _("财政没有要求调整目标"))
    return asked


def _answered(call: OperatorCall, goal: DeptGoal, asked: DeptMonitorFollowUp, words: str) -> None:
    actor = context(call).actor
    now = get_clock().now()
    asked.measures, asked.answered_at = words, now
    asked.answered_by_id = actor.id if actor else None
    asked.overdue = asked.due_at is not None and now > asked.due_at
    goal.updated_at = now


def adjust(call: OperatorCall, *, rows: Any, reason: Any, red_below: Any = "0.6", yellow_below: Any = "0.8",
           blue_from: Any = "1.2") -> dict[str, Any]:
    """dept.adjust: 调整目标 — the department's adjusted targets for the finance section's next round. An adjusted
    indicator keeps its approved value as original_value (the self-evaluation then scores the new one); the
    mid-year colours are recomputed against the new targets."""
    goal = _goal(call, DeptGoalStatus.APPROVED)
    asked = _asked(goal, FollowUpDecision.ADJUST_GOALS)
    by_id = _rows_by_indicator(rows, goal)
    position = {id(r): i for i, r in enumerate(rows)}
    errors: dict[str, str] = {}
    changes: list[tuple[DeptGoalIndicator, str]] = []
    for indicator in goal.indicators:
        row = by_id[indicator.id]
        new = str(row.get("new_target") or "").strip()
        if not new or new == indicator.value:
            continue
        if len(new) > 100:
            errors[f"rows.{position[id(row)]}.new_target"] = _("指标值不能超过 100 个字")
        elif indicator.operator != "定性" and (number(new) is None or number(new) <= 0):
            errors[f"rows.{position[id(row)]}.new_target"] = _("定量指标的指标值应为大于 0 的数字")
        else:
            changes.append((indicator, new))
    words = (text(reason, 4000) or "").strip()
    if len(words) < 2:
        errors["reason"] = _("请写明调整理由")
    if not changes and not errors:
        errors["rows"] = _("请至少填写一项指标调整后的指标值")
    if errors:
        raise ParameterRefused(errors)
    elapsed = Decimal(MONITOR_MONTH) / Decimal(12)
    for indicator, new in changes:
        indicator.original_value = indicator.original_value or indicator.value
        indicator.value = new
        found = indicator_colour(indicator.operator, indicator.monitor_value or "", new, elapsed, red_below,
                                 yellow_below, blue_from)
        if found is not None:
            _colour(indicator, found)
    goal.monitor_colour = worst([i.monitor_colour for i in goal.indicators if i.monitor_colour])
    done = "；".join(f"{i.name}：{i.original_value} → {new}" for i, new in changes)
    _answered(call, goal, asked, _("调整目标：%(changes)s。理由：%(reason)s", changes=done, reason=words)[:4000])
    db.session.flush()
    return {"round": asked.round, **_colour_result(goal)}


def correct(call: OperatorCall, *, measures: Any) -> dict[str, Any]:
    """dept.correct: the department's corrective measures for the finance section's latest request (a late
    answer is marked overdue); the follow-up goes back to the finance section."""
    goal = _goal(call, DeptGoalStatus.APPROVED)
    asked = _asked(goal, FollowUpDecision.CORRECT)
    words = (text(measures, 4000) or "").strip()
    if len(words) < 2:
        raise ParameterRefused({"measures": _("请填写纠偏措施")})
    _answered(call, goal, asked, words)
    db.session.flush()
    return {"round": asked.round, "overdue": asked.overdue}


def _rows_by_indicator(rows: Any, goal: DeptGoal) -> dict[int | None, dict[str, Any]]:
    """The form's rows by indicator id, which must be exactly the approved indicators."""
    given = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
    by_id: dict[int | None, dict[str, Any]] = {}
    for r in given:
        try:
            by_id[optional_int(r.get("indicator_id"))] = r
        except (TypeError, ValueError):
            continue
    if len(by_id) != len(given) or set(by_id) != {i.id for i in goal.indicators}:
        raise ValueError(_("须逐项填报已批复的全部绩效指标"))
    return by_id


def template(call: OperatorCall) -> dict[str, Any]:
    """dept.template: the self-evaluation form's rows, one per approved indicator."""
    evaluation = _evaluation(call, DeptEvaluationStatus.WAITING)
    goal = db.session.get(DeptGoal, evaluation.goal_id)
    assert goal is not None
    evaluation.status = DeptEvaluationStatus.SELF
    db.session.flush()
    return {"rows": [{"indicator_id": r.id, "name": r.name, "operator": r.operator, "target": r.value,
                      "unit": r.unit or "", "actual_value": r.monitor_value or "", "deviation_reason": ""}
                     for r in goal.indicators]}


def score_rows(indicators: list[DeptGoalIndicator], by_id: dict[int | None, dict[str, Any]]) -> Decimal:
    """Fill each indicator's actual value, points and score (project self-evaluation's rules: a level's points
    shared by weight, times the achievement) and return the total out of 100."""
    shares = level_points(indicators, POINTS)
    weights = {level: sum((i.weight for i in indicators if i.level1 == level), Decimal(0)) for level in shares}
    total = Decimal(0)
    for indicator in indicators:
        row = by_id[indicator.id]
        actual = str(row.get("actual_value") or "").strip()[:100]
        degree = None
        if indicator.operator == "定性":
            degree = number(row.get("degree"))
            low, high = BANDS.get(actual, (None, None))
            if low is None or degree is None or not low <= degree <= high:
                raise ValueError(_("指标“%(name)s”请填写 达成、部分达成 或 未达成 及相应的完成程度", name=indicator.name))
        ratio = achievement(indicator.operator, number(indicator.value), actual, degree)
        full = (shares.get(indicator.level1, Decimal(0)) * indicator.weight
                / (weights.get(indicator.level1) or Decimal(1))).quantize(CENT, ROUND_HALF_UP)
        reason = text(row.get("deviation_reason"), 4000)
        short = ratio < 1 if indicator.operator != "定性" else actual != "达成"
        if short and (reason is None or len(reason.strip()) < 2):
            raise ValueError(_("指标“%(name)s”未完成年度目标，请填写偏差原因", name=indicator.name))
        indicator.actual_value, indicator.degree, indicator.points = actual, degree, full
        indicator.score = (full * ratio).quantize(CENT, ROUND_HALF_UP)
        indicator.deviation_reason = reason
        total += indicator.score
    return total


def self_evaluate(call: OperatorCall, *, rows: Any, summary: Any) -> dict[str, Any]:
    """dept.self: the department's actual values, scored; the evaluation goes to the performance office."""
    evaluation = _evaluation(call, DeptEvaluationStatus.SELF)
    goal = db.session.get(DeptGoal, evaluation.goal_id)
    assert goal is not None
    total = score_rows(goal.indicators, _rows_by_indicator(rows, goal))
    evaluation.self_score, evaluation.self_summary = total, text(summary, 4000)
    evaluation.status = DeptEvaluationStatus.OFFICE
    evaluation.updated_at = get_clock().now()
    db.session.flush()
    return {"score": float(total)}


def apply_result(call: OperatorCall, *, score: Any, grade: Any, grade_basis: Any, opinion: Any,
                 public_funds: Any, adjust_percent: Any, rectify_required: Any,
                 application_basis: Any) -> dict[str, Any]:
    """dept.result: the office's score and the grade table's grade; the result table's percentage of the
    department's 公用经费 is the budget effect, recorded with the table's reason."""
    evaluation = _evaluation(call, DeptEvaluationStatus.OFFICE)
    if grade not in GRADES:
        raise ValueError(_("评价等次应为 优、良、中、差 之一"))
    funds = money(public_funds, _("部门公用经费"))
    assert funds is not None
    percent = number(adjust_percent)
    if percent is None:
        raise ValueError(_("结果应用规则表没有给出调整比例"))
    points = number(score)
    if points is None or not 0 <= points <= 100:
        raise ValueError(_("评价得分应在 0 至 100 之间"))
    actor = context(call).actor
    now = get_clock().now()
    evaluation.office_score, evaluation.grade = points.quantize(CENT), str(grade)
    evaluation.grade_basis, evaluation.office_opinion = text(grade_basis, 200), text(opinion, 4000)
    evaluation.evaluated_by_id = actor.id if actor else None
    evaluation.public_funds, evaluation.adjust_percent = funds, percent.quantize(CENT)
    evaluation.adjustment = (funds * percent / 100).quantize(CENT, ROUND_HALF_UP)
    evaluation.rectify_required = bool(rectify_required)
    evaluation.reason = text(application_basis, 400)
    evaluation.status = DeptEvaluationStatus.COMPLETED
    evaluation.completed_at = evaluation.updated_at = now
    db.session.flush()
    return {"grade": evaluation.grade, "adjustment": str(evaluation.adjustment), "reason": evaluation.reason}
