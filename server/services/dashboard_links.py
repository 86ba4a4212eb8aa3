"""The project library's 专项筛选 (`fact=`): the sets of projects the dashboard and the annual report count, so
every figure links to the list that makes it (/projects?year=…&fact=…). Each fact is an EXISTS over the table
that establishes it, keyed by the project (every one of those tables is indexed by project), and a figure counts
projects by the same rule. `month` (YYYY-MM) with `colour` and `gauge` picks projects by one month's monitoring
report instead of their latest colour."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, select
from sqlalchemy.sql.elements import ColumnElement

from server.flows.evaluation.models import Evaluation, EvaluationStatus
from server.flows.ex_ante.models import Assessment, AssessmentStatus, Conclusion
from server.flows.monitoring.models import KeyAttention, MonitoringReport
from server.flows.shared.models import AdjustmentKind, BudgetAdjustment, PaymentSuspension
from server.models import GoalStatus, HumanTask, Project, Role, TaskStatus

FACTS = {
    "goals_set": _l("绩效目标已批复（含调整中）"),
    "assessed": _l("已出具事前评估结论"),
    "support": _l("评估结论：予以支持"),
    "adjust": _l("评估结论：调整后支持"),
    "reject": _l("评估结论：不予支持"),
    "exempt": _l("免于事前评估"),
    "assessing": _l("事前评估中"),
    "monitored": _l("已报送运行监控"),
    "attention": _l("列入重点关注台账"),
    "self_evaluated": _l("已报送绩效自评"),
    "key_evaluated": _l("列入财政重点评价"),
    "rectifying": _l("整改中"),
    "rectified": _l("整改到位"),
    "unrectified": _l("整改不到位"),
    "rect_overdue": _l("整改逾期"),
    "increase": _l("结果应用：调增预算"),
    "decrease": _l("结果应用：调减预算"),
    "suspended": _l("结果应用：暂缓拨付"),
    "late": _l("单位有逾期待办"),
}
GAUGES = {"overall": _l("综合"), "execution": _l("预算执行"), "goal": _l("目标实现")}
RECTIFY_STATES = {"rectifying": EvaluationStatus.RECTIFYING, "rectified": EvaluationStatus.RECTIFIED,
                  "unrectified": EvaluationStatus.UNRECTIFIED}
# A key evaluation's grade counts once the firm's experts have scored (before that it is the self grade).
KEY_PENDING = (EvaluationStatus.SELF, EvaluationStatus.REVIEWING, EvaluationStatus.KEY)
CONCLUSIONS = {"support": Conclusion.SUPPORT, "adjust": Conclusion.ADJUST, "reject": Conclusion.REJECT}


def _evaluation(*where: ColumnElement[bool]) -> ColumnElement[bool]:
    # The evaluation of the project's own budget year (a project is evaluated once, after its year).
    return exists().where(Evaluation.project_id == Project.id, Evaluation.fiscal_year == Project.fiscal_year,
                          *where)


def _adjusted(kind: AdjustmentKind) -> ColumnElement[bool]:
    """The evaluation flow's budget adjustment after the project's year (it records it for the next year)."""
    return exists().where(BudgetAdjustment.project_id == Project.id, BudgetAdjustment.source_flow == "evaluation",
                          BudgetAdjustment.fiscal_year == Project.fiscal_year + 1, BudgetAdjustment.kind == kind)


def _suspended() -> ColumnElement[bool]:
    """Payments held by the result of the project's own evaluation."""
    return exists().where(PaymentSuspension.project_id == Project.id, PaymentSuspension.source_flow == "evaluation",
                          PaymentSuspension.source_id == Evaluation.id, Evaluation.project_id == Project.id,
                          Evaluation.fiscal_year == Project.fiscal_year)


def fact_clause(fact: str, grade: str | None, now: datetime) -> ColumnElement[bool]:
    """SQL condition on `projects` for one fact (grade: the self or key grade when the fact is an evaluation)."""
    if fact == "goals_set":
        return Project.goal_status.in_((GoalStatus.APPROVED, GoalStatus.ADJUSTING))
    if fact == "assessed":
        return exists().where(Assessment.project_id == Project.id, Assessment.status == AssessmentStatus.CONCLUDED)
    if fact in CONCLUSIONS:
        return exists().where(Assessment.project_id == Project.id, Assessment.conclusion == CONCLUSIONS[fact])
    if fact == "exempt":
        return exists().where(Assessment.project_id == Project.id, Assessment.status == AssessmentStatus.EXEMPT)
    if fact == "assessing":
        return exists().where(Assessment.project_id == Project.id, Assessment.status.in_(
            (AssessmentStatus.IN_PROGRESS, AssessmentStatus.RETURNED)))
    if fact == "monitored":
        return Project.monitoring_colour.is_not(None)
    if fact == "attention":
        return exists().where(KeyAttention.project_id == Project.id, KeyAttention.fiscal_year == Project.fiscal_year)
    if fact == "self_evaluated":
        return _evaluation(Evaluation.self_submitted_at.is_not(None),
                           *([Evaluation.self_grade == grade] if grade else []))
    if fact == "key_evaluated":
        graded = [Evaluation.grade == grade, Evaluation.status.not_in(KEY_PENDING)] if grade else []
        return _evaluation(Evaluation.key_selected.is_(True), *graded)
    if fact in RECTIFY_STATES:
        return _evaluation(Evaluation.status == RECTIFY_STATES[fact])
    if fact == "rect_overdue":
        return _evaluation(Evaluation.status == EvaluationStatus.RECTIFYING, Evaluation.rectify_due_at < now)
    if fact in ("increase", "decrease"):
        return _adjusted(AdjustmentKind(fact))
    if fact == "suspended":
        return _suspended()
    if fact == "late":
        return Project.code.in_(late_codes(now))
    raise ValueError(fact)


def late_codes(now: datetime):
    """Codes of projects with a unit's task past its due time (read from the due-time index once)."""
    return select(HumanTask.project_code).where(
        HumanTask.status == TaskStatus.OPEN, HumanTask.due_at < now, HumanTask.role == Role.UNIT_STAFF,
        HumanTask.project_code.is_not(None))


def month_clause(year: int, month: int, colour: str | None, gauge: str | None) -> ColumnElement[bool]:
    """Projects whose report for that month had that colour on the gauge (overall when not named)."""
    column = {"execution": MonitoringReport.execution_colour, "goal": MonitoringReport.goal_colour}.get(
        gauge or "", MonitoringReport.colour)
    where = [MonitoringReport.project_id == Project.id, MonitoringReport.fiscal_year == year,
             MonitoringReport.month == month]
    if colour:
        where.append(column == colour)
    return exists().where(and_(*where))
