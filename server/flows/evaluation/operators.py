"""evaluation.* operators, part one: 绩效评价 — open a project's evaluation for a fiscal year, prefill and score
the unit's self-evaluation, record grades and the performance office's review, publish the result, notify.

Self-evaluation score (DOMAIN §4, public 2022 form; points from the rule table `evaluation_rules`): budget
execution = points × min(1, spent ÷ budget); each indicator gets its level's points (产出 50, 效益 30,
满意度 10) in proportion to its weight within the level (a level without indicators hands its points to the
others pro rata), times its achievement: positive (≥ > =) actual ≥ target full, else actual ÷ target (“=”
loses what it misses either way); reverse (≤ <) actual ≤ target full, linear to 0 at twice the target;
qualitative 达成 / 部分达成 / 未达成 with the unit's degree of completion (80–100%, 60–80%, below 60%).
The key evaluation, the result notice and rectification are in `evaluation_result.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from server.clock import COUNTY_TZ
from server.db import db
from server.engine.operators import OperatorCall
from server.engine.timers import duration_after
from server.extensions import get_clock
from server.flows.evaluation.models import Evaluation, EvaluationIndicatorScore, EvaluationStatus
from server.flows.goal_review.models import GoalVersion, GoalVersionStatus
from server.flows.monitoring.models import MonitoringReport
from server.flows.shared.support import CENT, context, money, notify, number, optional_int, text
from server.models import GoalStatus, InstanceStatus, ProcessInstance, Project
from server.services import project_facts
from server.services.projects import budget_in_force

LEVELS = ("产出", "效益", "满意度")
BANDS = {"达成": (Decimal(80), Decimal(100)), "部分达成": (Decimal(60), Decimal(80)), "未达成": (Decimal(0), Decimal(60))}
GRADES = ("优", "良", "中", "差")
FINISHED = (EvaluationStatus.COMPLETED, EvaluationStatus.RECTIFIED, EvaluationStatus.UNRECTIFIED)
RATE = Decimal("0.0001")



def evaluation_of(call: OperatorCall, *expected: EvaluationStatus) -> Evaluation:
    """This instance's evaluation, refusing a step that does not fit its status (a replayed or forged step)."""
    found = db.session.scalar(
        select(Evaluation).where(Evaluation.instance_id == context(call).instance.id)
        .order_by(Evaluation.id.desc()).limit(1)
    )
    if found is None:
        raise ValueError(_("本流程还没有开始绩效评价（缺少“evaluation.open”步骤）"))
    if expected and found.status not in expected:
        raise ValueError(_("绩效评价当前不在这一环节"))
    return found


def year_end(fiscal_year: int) -> datetime:
    """00:00 on 1 January after the fiscal year, county time, as aware UTC."""
    return datetime(fiscal_year + 1, 1, 1, tzinfo=COUNTY_TZ).astimezone(UTC)


# ---------------------------------------------------------------- opening and the form's starting point


def open_evaluation(call: OperatorCall, *, project_code: Any = None) -> dict[str, Any]:
    """evaluation.open: the unit opens the evaluation of its own project with approved goals, for the project's
    fiscal year. One live evaluation per project and year (a cancelled one may be started again)."""
    if project_code in (None, ""):
        raise ValueError(_("请指定项目（project_code）"))
    project = db.session.scalar(select(Project).where(Project.code == str(project_code)[:100]))
    instance = context(call).instance
    if project is None or project.organisation_id != instance.organisation_id:
        raise ValueError(_("未找到本单位的项目“%(code)s”", code=str(project_code)[:100]))
    goal = db.session.scalar(
        select(GoalVersion).where(GoalVersion.project_id == project.id,
                                  GoalVersion.status == GoalVersionStatus.APPROVED)
        .order_by(GoalVersion.version.desc()).limit(1)
    )
    if goal is None or project.goal_status not in (GoalStatus.APPROVED, GoalStatus.ADJUSTING):
        raise ValueError(_("项目 %(code)s 的绩效目标尚未批复，不能开展绩效评价", code=project.code))
    if project.fiscal_year is None or project.amount is None:
        raise ValueError(_("项目 %(code)s 没有预算年度或核定金额", code=project.code))
    earlier = db.session.execute(
        select(Evaluation.status, ProcessInstance.status)
        .outerjoin(ProcessInstance, ProcessInstance.id == Evaluation.instance_id)
        .where(Evaluation.project_id == project.id, Evaluation.fiscal_year == project.fiscal_year)
    ).tuples().all()
    if any(status in FINISHED for status, _flow in earlier):
        raise ValueError(_("项目 %(code)s 的 %(year)s 年度绩效评价已经完成", code=project.code,
                           year=project.fiscal_year))
    if any(flow in (InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.SUSPENDED) for _status, flow in earlier):
        raise ValueError(_("项目 %(code)s 的 %(year)s 年度绩效评价已在进行中", code=project.code,
                           year=project.fiscal_year))
    evaluation = Evaluation(
        project_id=project.id, fiscal_year=project.fiscal_year, instance_id=instance.id, goal_id=goal.id,
        status=EvaluationStatus.WAITING, created_at=get_clock().now(),
    )
    db.session.add(evaluation)
    db.session.flush()
    return {
        "evaluation_id": evaluation.id, "project_id": project.id, "project_code": project.code,
        "project_name": project.name, "fiscal_year": project.fiscal_year, "amount": str(project.amount),
    }


def schedule(call: OperatorCall, *, opens_after: Any = "P0D") -> dict[str, Any]:
    """evaluation.schedule: when the self-evaluation opens — `opens_after` (ISO-8601) after the fiscal year
    ends in the county; `open_now` when that moment has passed already."""
    evaluation = evaluation_of(call, EvaluationStatus.WAITING)
    try:
        opens = duration_after(year_end(evaluation.fiscal_year), str(opens_after))
    except Exception as err:  # SpiffWorkflow raises a bare Exception for a malformed duration
        raise ValueError(_("规则表中的期限“%(v)s”不是 ISO-8601 时长", v=opens_after)) from err
    return {"opens_at": opens.isoformat(), "open_now": get_clock().now() >= opens}


def annual_budget(project: Project, fiscal_year: int) -> Decimal:
    """全年预算数: the approved amount after that year's monitoring corrections (see projects.budget_in_force)."""
    return budget_in_force(project, fiscal_year)


def template(call: OperatorCall) -> dict[str, Any]:
    """evaluation.template: the self-evaluation form's starting point, once the year is over: the year's
    budget, and one row per approved indicator prefilled from the last monitoring report of the year."""
    evaluation = evaluation_of(call, EvaluationStatus.WAITING)
    project = db.session.get(Project, evaluation.project_id)
    goal = db.session.get(GoalVersion, evaluation.goal_id)
    assert project is not None and goal is not None
    last = db.session.scalar(
        select(MonitoringReport).where(MonitoringReport.project_id == project.id,
                                       MonitoringReport.fiscal_year == evaluation.fiscal_year)
        .order_by(MonitoringReport.month.desc()).limit(1)
    )
    current = {row.indicator_id: row.current_value for row in last.indicators} if last else {}
    evaluation.budget = annual_budget(project, evaluation.fiscal_year)
    evaluation.status = EvaluationStatus.SELF
    evaluation.updated_at = get_clock().now()
    rows = [
        {"indicator_id": r.id, "level1": r.level1, "name": r.name, "operator": r.operator, "target": r.value,
         "unit": r.unit or "", "weight": float(r.weight), "actual_value": current.get(r.id, "")}
        for r in goal.indicators
    ]
    return {"budget": float(evaluation.budget), "spent": float(last.spent) if last else None, "rows": rows}


# ---------------------------------------------------------------- scoring


def level_points(indicators: list[Any], points: dict[str, Decimal]) -> dict[str, Decimal]:
    """Points per level, a level without indicators handing its share to the others pro rata."""
    present = {i.level1 for i in indicators} & set(points)
    total, kept = sum(points.values(), Decimal(0)), sum((points[level] for level in present), Decimal(0))
    return {level: points[level] * total / kept for level in present} if kept else {}


def achievement(operator: str, target: Decimal | None, actual: str, degree: Decimal | None) -> Decimal:
    """The share of an indicator's points earned, 0 to 1."""
    if operator == "定性":
        return (degree or Decimal(0)) / 100
    value = number(actual)
    if value is None or target is None:
        raise ValueError(_("定量指标的实际值应为数字"))
    if target <= 0:
        good = value <= target if operator in ("<", "≤") else value >= target
        return Decimal(1) if good else Decimal(0)
    if operator in ("<", "≤"):
        ratio = Decimal(1) if value <= target else (2 * target - value) / target
    elif operator == "=":
        ratio = 1 - abs(value - target) / target
    else:
        ratio = Decimal(1) if value >= target else value / target
    return min(Decimal(1), max(Decimal(0), ratio)).quantize(RATE)


def _degree(indicator: Any, row: dict[str, Any], actual: str) -> Decimal | None:
    if indicator.operator != "定性":
        return None
    if actual not in BANDS:
        raise ValueError(_("指标“%(name)s”请填写 达成、部分达成 或 未达成", name=indicator.name))
    low, high = BANDS[actual]
    degree = number(row.get("degree"))
    if degree is None or not (low <= degree <= high if actual == "达成" else low <= degree < high):
        raise ValueError(_("指标“%(name)s”为%(level)s，完成程度应在 %(low)s%% 至 %(high)s%% 之间",
                           name=indicator.name, level=actual, low=low, high=high))
    return degree.quantize(CENT)


def self_evaluate(call: OperatorCall, *, spent: Any, rows: Any, explanation: Any, problems: Any = None,
                  execution_points: Any = 10, output_points: Any = 50, benefit_points: Any = 30,
                  satisfaction_points: Any = 10) -> dict[str, Any]:
    """evaluation.self: record the unit's self-evaluation (replacing an earlier round's rows) and its score."""
    evaluation = evaluation_of(call, EvaluationStatus.SELF)
    goal = db.session.get(GoalVersion, evaluation.goal_id)
    assert goal is not None
    budget = evaluation.budget or Decimal(0)
    paid = money(spent, _("全年执行数"))
    assert paid is not None
    if paid > budget:
        raise ValueError(_("全年执行数不能超过全年预算数 %(budget)s 元", budget=budget))
    given = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
    by_id = {optional_int(r.get("indicator_id")): r for r in given}
    wanted = {i.id: i for i in goal.indicators}
    if len(by_id) != len(given) or set(by_id) != set(wanted):
        raise ValueError(_("须逐项填报已批复的全部绩效指标"))
    points = {"产出": output_points, "效益": benefit_points, "满意度": satisfaction_points}
    shares = level_points(goal.indicators, {k: Decimal(str(v)) for k, v in points.items()})
    weights = {level: sum((i.weight for i in goal.indicators if i.level1 == level), Decimal(0)) for level in shares}
    rate = (paid / budget).quantize(RATE) if budget > 0 else Decimal(1)
    execution = (Decimal(str(execution_points)) * min(Decimal(1), rate)).quantize(CENT, ROUND_HALF_UP)
    scored: list[EvaluationIndicatorScore] = []
    for indicator in goal.indicators:
        row = by_id[indicator.id]
        actual = str(row.get("actual_value") or "").strip()[:100]
        degree = _degree(indicator, row, actual)
        ratio = achievement(indicator.operator, number(indicator.value), actual, degree)
        share = shares.get(indicator.level1, Decimal(0))
        weight = weights.get(indicator.level1) or Decimal(1)
        full = (share * indicator.weight / weight).quantize(CENT, ROUND_HALF_UP)
        reason = text(row.get("deviation_reason"), 4000)
        short = ratio < 1 if indicator.operator != "定性" else actual != "达成"
        if short and (reason is None or len(reason.strip()) < 2):
            raise ValueError(_("指标“%(name)s”未完成年度目标，请填写偏差原因", name=indicator.name))
        scored.append(EvaluationIndicatorScore(
            indicator_id=indicator.id, position=indicator.position, level1=indicator.level1, name=indicator.name,
            operator=indicator.operator, target=indicator.value, unit=indicator.unit, weight=indicator.weight,
            points=full, actual_value=actual, degree=degree, ratio=ratio,
            score=(full * ratio).quantize(CENT, ROUND_HALF_UP), deviation_reason=reason,
        ))
    total = execution + sum((s.score for s in scored), Decimal(0))
    evaluation.indicators = scored
    evaluation.spent, evaluation.execution_rate, evaluation.self_score = paid, rate, total
    evaluation.explanation, evaluation.self_problems = text(explanation, 4000), text(problems, 4000)
    evaluation.self_round += 1
    evaluation.status = EvaluationStatus.REVIEWING
    evaluation.self_submitted_at = evaluation.updated_at = get_clock().now()
    db.session.flush()
    return {"score": float(total), "execution_rate": str(rate), "execution_score": str(execution),
            "indicator_score": str(total - execution), "round": evaluation.self_round}


# ---------------------------------------------------------------- grade, review, publication


def record_grade(call: OperatorCall, *, stage: Any, score: Any, grade: Any, basis: Any = None) -> dict[str, Any]:
    """evaluation.grade: the rule table's grade for the self-evaluation (stage self), the department's evaluation
    (stage dept: the result unless the office orders a key evaluation) or the key evaluation (stage key, which
    then is the result)."""
    key, dept = str(stage) == "key", str(stage) == "dept"
    expected = EvaluationStatus.KEY if key else EvaluationStatus.DEPT if dept else EvaluationStatus.REVIEWING
    evaluation = evaluation_of(call, expected)
    if str(grade) not in GRADES:
        raise ValueError(_("规则表给出的等次“%(grade)s”不是 优、良、中、差 之一", grade=grade))
    value = number(score)
    if value is None:
        raise ValueError(_("得分不是数字"))
    evaluation.score, evaluation.grade = value.quantize(CENT), str(grade)
    evaluation.grade_basis = text(basis, 200)
    project_facts.note_grade(evaluation.project, evaluation.grade, evaluation.score)
    if key:
        evaluation.status = EvaluationStatus.GRADED
    elif dept:
        evaluation.dept_grade, evaluation.status = str(grade), EvaluationStatus.REVIEWING
    else:
        evaluation.self_grade = str(grade)
    evaluation.updated_at = get_clock().now()
    return {"grade": str(grade), "score": float(evaluation.score)}


def review(call: OperatorCall, *, decision: Any, opinion: Any, key_reason: Any = None) -> dict[str, Any]:
    """evaluation.review: the performance office accepts the self-evaluation as the result, selects the project
    for a key evaluation by a third party, or sends the self-evaluation back to the unit."""
    evaluation = evaluation_of(call, EvaluationStatus.REVIEWING)
    choice = str(decision)
    if choice not in ("accept", "key", "send_back"):
        raise ValueError(_("未知的审核结论“%(d)s”", d=choice))
    actor = context(call).actor
    evaluation.review_decision, evaluation.review_opinion = choice, text(opinion, 4000)
    evaluation.reviewed_by_id = actor.id if actor else None
    if choice == "key":
        evaluation.key_selected, evaluation.key_reason = True, text(key_reason, 4000)
        evaluation.status = EvaluationStatus.KEY
    elif choice == "send_back":
        evaluation.status = EvaluationStatus.SELF
        project = db.session.get(Project, evaluation.project_id)
        assert project is not None
        notify(call, project, "unit_staff", "returned",
               _("%(name)s：%(year)s 年度绩效自评被退回，请按意见修改后重新报送：%(opinion)s",
                 name=project.name, year=evaluation.fiscal_year, opinion=evaluation.review_opinion or ""))
    else:
        evaluation.status = EvaluationStatus.GRADED
    evaluation.updated_at = get_clock().now()
    db.session.flush()
    return {"decision": choice}


def publish(call: OperatorCall) -> dict[str, Any]:
    """evaluation.publish: mark the result for publication with the final accounts (信息公开)."""
    evaluation = evaluation_of(call, *FINISHED)
    evaluation.publish = True
    evaluation.published_at = evaluation.updated_at = get_clock().now()
    return {"evaluation_id": evaluation.id, "grade": evaluation.grade}


def notify_step(call: OperatorCall, *, role: Any, kind: Any, message: Any) -> dict[str, Any]:
    """evaluation.notify: an in-app notice from the diagram (overdue reminders and escalations)."""
    evaluation = evaluation_of(call)
    project = db.session.get(Project, evaluation.project_id)
    assert project is not None
    row = notify(call, project, str(role), str(kind), str(message))
    db.session.flush()
    return {"notification_id": row.id}
