"""monitoring.* operators: 绩效运行监控·纠偏 — open a year of monitoring for a project with approved goals,
schedule the next report, check and record a report (colours by the rule table), record the unit's cause and
measures, record the finance section's decision, and notify (reminders, escalations, calendar rules).

Colours (DOMAIN §3, thresholds from the rule table `monitoring_rules`): execution ratio = (spent ÷ budget) ÷
(month ÷ 12); a quantitative indicator's progress = (current ÷ target) ÷ (month ÷ 12) (for a capped indicator,
“<” or “≤”, over the cap is red); below `red_below` red, below `yellow_below` yellow, from `blue_from` blue,
otherwise green; a qualitative indicator 达成 / 部分达成 / 未达成 is green / yellow / red. The goal colour is the
worst indicator, the report colour the worse of execution and goal.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from server.clock import COUNTY_TZ
from server.db import db
from server.engine.operators import OperatorCall, ParameterRefused
from server.extensions import get_clock
from server.flows.goal_review.models import GoalVersion, GoalVersionStatus
from server.flows.monitoring import bounds
from server.flows.monitoring.models import (
    Colour,
    Correction,
    CorrectionKind,
    KeyAttention,
    MonitoringIndicator,
    MonitoringReport,
)
from server.flows.shared.models import AdjustmentKind, BudgetAdjustment, PaymentSuspension
from server.flows.shared.support import (
    FollowUp,
    context,
    money,
    notify,
    number,
    optional_int,
    own_project,
    text,
)
from server.models import GoalStatus, InstanceStatus, ProcessInstance, Project
from server.services import project_facts

QUALITATIVE = {"达成": Colour.GREEN, "部分达成": Colour.YELLOW, "未达成": Colour.RED}
LIKELIHOOD = ("能够完成", "可能无法完成", "无法完成")
SEVERITY = {Colour.BLUE: 0, Colour.GREEN: 1, Colour.YELLOW: 2, Colour.RED: 3}
COLOUR_TEXT = {Colour.BLUE: "蓝", Colour.GREEN: "绿", Colour.YELLOW: "黄", Colour.RED: "红"}
PERCENT = Decimal("0.0001")


# ---------------------------------------------------------------- helpers



_DIRECT = "（直达资金重点监控）"  # the ledger says why a direct-funds project is there early (monitoring_rules)


def _project(call: OperatorCall, project_id: Any) -> Project:
    return own_project(call, project_id, missing=_("本流程没有监控的项目（缺少“monitoring.open”步骤）"))


def _approved(project: Project) -> GoalVersion | None:
    return db.session.scalar(
        select(GoalVersion).where(
            GoalVersion.project_id == project.id, GoalVersion.status == GoalVersionStatus.APPROVED
        ).order_by(GoalVersion.version.desc()).limit(1)
    )


def period_end(year: int, month: int) -> datetime:
    """The end of a reporting month in the county (00:00 UTC+8 of the next month), as aware UTC."""
    start = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=COUNTY_TZ)
    return start.astimezone(UTC)


def colour_of(ratio: Decimal, red_below: Any, yellow_below: Any, blue_from: Any = None) -> Colour:
    red, yellow = Decimal(str(red_below)), Decimal(str(yellow_below))
    blue = number(blue_from)
    if ratio < red:
        return Colour.RED
    if ratio < yellow:
        return Colour.YELLOW
    if blue is not None and ratio >= blue:
        return Colour.BLUE
    return Colour.GREEN


def indicator_colour(operator: str, value: str, target: Any, elapsed: Decimal, red_below: Any, yellow_below: Any,
                     blue_from: Any = None) -> tuple[Colour, Decimal | None] | None:
    """One indicator's colour and progress at a point of the year (`elapsed`: the share of the year gone):
    qualitative by its wording, a capped indicator (“<”, “≤”) red once over the cap, any other quantitative
    one by (current ÷ target) ÷ elapsed. Also 部门整体绩效's mid-year monitoring. None: the value does not fit."""
    if operator == "定性":
        colour = QUALITATIVE.get(value.strip())
        return None if colour is None else (colour, None)
    current, goal = number(value), number(target)
    if current is None or goal is None:
        return None
    if operator in ("<", "≤"):
        over = current > goal or (operator == "<" and current == goal)
        return (Colour.RED if over else Colour.GREEN), None
    progress = ((current / goal) / elapsed).quantize(PERCENT) if goal else Decimal(1)
    return colour_of(progress, red_below, yellow_below, blue_from), progress


def worst(colours: list[Colour]) -> Colour:
    return max(colours, key=SEVERITY.__getitem__) if colours else Colour.GREEN




def _report(call: OperatorCall, report_id: Any) -> MonitoringReport:
    report = db.session.get(MonitoringReport, optional_int(report_id)) if report_id is not None else None
    if report is None or report.instance_id != context(call).instance.id:
        raise ValueError(_("本流程没有该监控报告"))
    return report


# ---------------------------------------------------------------- opening and scheduling


def open_monitoring(call: OperatorCall, *, project_code: Any = None) -> dict[str, Any]:
    """monitoring.open: the unit starts the year's monitoring of its own project with approved goals."""
    if project_code in (None, ""):
        raise ValueError(_("请指定项目（project_code）"))
    project = db.session.scalar(select(Project).where(Project.code == str(project_code)[:100]))
    if project is None or project.organisation_id != context(call).instance.organisation_id:
        raise ValueError(_("未找到本单位的项目“%(code)s”", code=project_code))
    goal = _approved(project)
    if project.goal_status not in (GoalStatus.APPROVED, GoalStatus.ADJUSTING) or goal is None:
        raise ValueError(_("项目 %(code)s 的绩效目标尚未批复，不能开展运行监控", code=project.code))
    if project.fiscal_year is None or project.amount is None:
        raise ValueError(_("项目 %(code)s 没有预算年度或核定金额", code=project.code))
    running = db.session.scalar(
        select(MonitoringReport.instance_id)
        .join(ProcessInstance, ProcessInstance.id == MonitoringReport.instance_id)
        .where(MonitoringReport.project_id == project.id, MonitoringReport.fiscal_year == project.fiscal_year,
               ProcessInstance.status.in_((InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.SUSPENDED)),
               ProcessInstance.id != context(call).instance.id)
        .limit(1)
    )
    if running is not None:
        raise ValueError(_("项目 %(code)s 的 %(year)s 年度运行监控已在进行中", code=project.code, year=project.fiscal_year))
    return {
        "project_id": project.id,
        "project_code": project.code,
        "project_name": project.name,
        "fiscal_year": project.fiscal_year,
        "budget": str(project.amount),
        "goal_id": goal.id,
        "fund_source": str(project.fund_source),  # the rule table monitors 直达资金 closely (seed 002)
    }


def next_round(call: OperatorCall, *, fiscal_year: Any, last_month: Any = None, interval_months: Any = 1
               ) -> dict[str, Any]:
    """monitoring.next: the next reporting month (every `interval_months`, always December) and when it
    opens; the first round skips months already over when the flow starts. month None: the year is done."""
    year, step = int(fiscal_year), max(1, min(12, int(interval_months or 1)))
    months = sorted({*range(step, 13, step), 12})
    last = optional_int(last_month)
    if last is None:
        now = get_clock().now()
        later = [m for m in months if period_end(year, m) > now]
    else:
        later = [m for m in months if m > last]
    if not later:
        return {"month": None, "opens_at": None}
    month = later[0]
    return {"month": month, "opens_at": period_end(year, month).isoformat()}


# ---------------------------------------------------------------- the report


def template(call: OperatorCall, *, goal_id: Any) -> list[dict[str, Any]]:
    """monitoring.template: one row per approved indicator for the report form, to prefill it."""
    goal = db.session.get(GoalVersion, optional_int(goal_id))
    if goal is None:
        raise ValueError(_("未找到已批复的绩效目标"))
    return [
        {"indicator_id": r.id, "name": r.name, "operator": r.operator, "target": r.value, "unit": r.unit or "",
         "current_value": "", "likelihood": "能够完成", "cause": ""}
        for r in goal.indicators
    ]


def check(call: OperatorCall, *, budget: Any, spent: Any, unpayable_amount: Any = None, rows: Any = None,
          goal_id: Any = None) -> dict[str, str]:
    """monitoring.check: field errors the form schema cannot see (it does not know the budget or the
    approved indicators). Empty: the report may be recorded; otherwise the unit fixes the named fields."""
    errors: dict[str, str] = {}
    total, paid = number(budget) or Decimal(0), number(spent)
    if paid is not None and paid > total:
        errors["spent"] = _("累计支出不能超过预算 %(amount)s 元", amount=bounds.yuan(total))
    left = number(unpayable_amount)
    # Only against a real balance: with spending already above the budget the spent field is the one to fix.
    if paid is not None and paid <= total and left is not None and left > total - paid:
        errors["unpayable_amount"] = _("无法支付金额不能超过未支出余额 %(amount)s 元", amount=bounds.yuan(total - paid))
    goal = db.session.get(GoalVersion, optional_int(goal_id)) if goal_id is not None else None
    wanted = {r.id: r for r in goal.indicators} if goal else {}
    given = rows if isinstance(rows, list) else []
    seen = {optional_int(r.get("indicator_id")) for r in given if isinstance(r, dict)}
    if seen != set(wanted):
        errors["indicator_reports"] = _("须逐项填报已批复的全部绩效指标")
    for i, row in enumerate(given):
        if not isinstance(row, dict):
            continue
        indicator = wanted.get(optional_int(row.get("indicator_id")))  # type: ignore[arg-type]
        if indicator is None:
            continue
        value = str(row.get("current_value") or "").strip()
        if indicator.operator == "定性":
            if value not in QUALITATIVE:
                errors[f"indicator_reports.{i}.current_value"] = _("定性指标请填写 达成、部分达成 或 未达成")
        elif number(value) is None:
            errors[f"indicator_reports.{i}.current_value"] = _("定量指标的当前值应为数字")
    return errors


def record(call: OperatorCall, *, project_id: Any, goal_id: Any, month: Any, budget: Any, spent: Any,
           rows: Any, red_below: Any, yellow_below: Any, blue_from: Any, unpayable_amount: Any = None,
           note: Any = None, slow_month: Any = 6, ledger_month: Any = 10) -> dict[str, Any]:
    """monitoring.record: store the report and its indicator rows with their colours; apply the calendar
    rules (seed 002): the June report with execution below green reminds the unit, the October report with
    nothing spent enters the key-attention ledger, the December report's declared unpayable money is
    recovered by finance."""
    project = _project(call, project_id)
    goal = db.session.get(GoalVersion, optional_int(goal_id))
    if goal is None or goal.project_id != project.id:
        raise ValueError(_("未找到本项目已批复的绩效目标"))
    m = int(month)
    year = project.fiscal_year or 0
    total = money(budget, "预算")
    paid = money(spent, "累计支出")
    assert total is not None and paid is not None
    elapsed = Decimal(m) / Decimal(12)
    ratio = ((paid / total) / elapsed).quantize(PERCENT) if total > 0 else Decimal(1)
    execution = colour_of(ratio, red_below, yellow_below)
    wanted = {r.id: r for r in goal.indicators}
    now = get_clock().now()
    report = MonitoringReport(
        project_id=project.id, goal_id=goal.id, instance_id=context(call).instance.id, fiscal_year=year,
        month=m, budget=total, spent=paid, execution_ratio=ratio, execution_colour=execution,
        goal_colour=Colour.GREEN, colour=execution, note=text(note, 4000),
        unpayable_amount=money(unpayable_amount, "无法支付金额", allow_none=True),
        reported_by_id=context(call).actor.id if context(call).actor else None, created_at=now,
    )
    colours: list[Colour] = []
    for position, row in enumerate(rows or []):
        indicator = wanted.get(optional_int(row.get("indicator_id")))  # type: ignore[arg-type]
        if indicator is None:
            raise ValueError(_("监控报告的指标不属于已批复的绩效目标"))
        value = str(row.get("current_value") or "").strip()
        found = indicator_colour(indicator.operator, value, indicator.value, elapsed, red_below, yellow_below,
                                 blue_from)
        if found is None:
            raise ValueError(_("指标“%(name)s”请填写 达成、部分达成 或 未达成", name=indicator.name)
                             if indicator.operator == "定性" else
                             _("指标“%(name)s”的当前值应为数字", name=indicator.name))
        colour, progress = found
        colours.append(colour)
        likelihood = str(row.get("likelihood") or "能够完成")
        report.indicators.append(MonitoringIndicator(
            indicator_id=indicator.id, position=position, name=indicator.name, operator=indicator.operator,
            target=indicator.value, current_value=value[:100], progress=progress, colour=colour,
            likelihood=likelihood if likelihood in LIKELIHOOD else "能够完成", cause=text(row.get("cause"), 4000),
        ))
    report.goal_colour = worst(colours)
    report.colour = worst([execution, report.goal_colour])
    db.session.add(report)
    db.session.flush()
    project_facts.note_report(project, report)

    events: list[str] = []
    if m == int(slow_month) and execution in (Colour.RED, Colour.YELLOW):
        notify(call, project, "unit_staff", "calendar",
                f"{project.name}：{m}月底支出进度不理想（执行率 {ratio:.0%}），请加快资金支付进度")
        events.append("slow_reminder")
    if m == int(ledger_month) and paid == 0:
        db.session.add(KeyAttention(project_id=project.id, report_id=report.id, fiscal_year=year,
                                    reason=f"{m}月底支出仍未破零{_DIRECT if project.fund_source == 'direct' else ''}",
                                    created_at=now))
        notify(call, project, "finance_section", "calendar", f"{project.name}：{m}月底仍未破零，已列入重点关注台账")
        events.append("key_attention")
    if m == 12 and report.unpayable_amount:
        _budget_change(call, project, report, -report.unpayable_amount, "预计年底确实无法支付，由财政收回统筹",
                       recovered=True)
        db.session.add(Correction(project_id=project.id, report_id=report.id, kind=CorrectionKind.RECOVER_BALANCE,
                                  amount=report.unpayable_amount, opinion="预计年底确实无法支付，由财政收回统筹",
                                  created_at=now))
        project_facts.note_budget(project)
        notify(call, project, "unit_staff", "correction",
                f"{project.name}：年底无法支付的 {report.unpayable_amount} 元由财政收回统筹")
        events.append("recovered")
    held = _suspended(project)
    if held is not None and report.colour in (Colour.GREEN, Colour.BLUE):
        held.lifted_at, held.lift_reason = now, f"{m}月监控恢复正常"
        notify(call, project, "unit_staff", "correction", f"{project.name}：{m}月监控恢复正常，恢复拨付资金")
        events.append("payments_resumed")
    db.session.flush()
    return {
        "report_id": report.id, "month": m, "execution_ratio": str(ratio), "execution_colour": str(execution),
        "goal_colour": str(report.goal_colour), "colour": str(report.colour),
        "warning": report.colour in (Colour.RED, Colour.YELLOW), "events": events,
        "summary": f"{m}月：执行{COLOUR_TEXT[execution]}、目标{COLOUR_TEXT[report.goal_colour]}",
    }


def explain(call: OperatorCall, *, report_id: Any, cause: Any, measures: Any) -> dict[str, Any]:
    """monitoring.explain: the unit's cause of the deviation and its measures (及时纠偏)."""
    report = _report(call, report_id)
    report.cause, report.measures = text(cause, 4000), text(measures, 4000)
    if not report.cause or not report.measures:
        raise ValueError(_("请说明偏离原因和纠偏措施"))
    report.explained_at = get_clock().now()
    return {"report_id": report.id}


def decide(call: OperatorCall, *, report_id: Any, decision: Any, opinion: Any = None, amount: Any = None,
           budget: Any = None, increase_limit: Any = 0) -> dict[str, Any]:
    """monitoring.decide: one correction row per finance decision. Returns the budget for later reports
    (adjust_budget sets it to `amount`; recover_balance lowers it by `amount`), within monitoring/bounds.py
    (`increase_limit`: the rule table's budget_increase_limit); an amount out of bounds is refused by name."""
    report = _report(call, report_id)
    project = _project(call, report.project_id)
    kind = CorrectionKind(str(decision))
    value = money(amount, "金额", allow_none=True)
    current = money(budget, "预算") or report.budget
    if kind in (CorrectionKind.ADJUST_BUDGET, CorrectionKind.RECOVER_BALANCE):
        why = _("调整预算或收回结余须填写金额") if value is None else bounds.refusal(
            kind, value, budget=current, spent=report.spent, approved=project.amount or current,
            increase_limit=number(increase_limit))
        if why:
            raise ParameterRefused({"amount": why})
    actor = context(call).actor
    db.session.add(Correction(project_id=project.id, report_id=report.id, kind=kind, amount=value,
                              opinion=text(opinion, 4000), actor_id=actor.id if actor else None,
                              created_at=get_clock().now()))
    before = current
    if kind == CorrectionKind.ADJUST_BUDGET and value is not None:
        current = value
    elif kind == CorrectionKind.RECOVER_BALANCE and value is not None:
        current = current - value
    if value is not None:
        project_facts.note_budget(project)
    if current != before:
        _budget_change(call, project, report, current - before, text(opinion, 4000) or str(kind),
                       recovered=kind == CorrectionKind.RECOVER_BALANCE)
    if kind == CorrectionKind.SUSPEND_PAYMENT and _suspended(project) is None:
        db.session.add(PaymentSuspension(
            project_id=project.id, reason=text(opinion, 4000) or f"{report.month}月监控纠偏：暂缓拨付",
            since=get_clock().now(), source_flow="monitoring", source_id=report.id,
            instance_id=context(call).instance.id, suspended_by_id=actor.id if actor else None))
    notices = {
        CorrectionKind.ADJUST_GOALS: "请提出绩效目标调整申请",
        CorrectionKind.SUSPEND_PAYMENT: "财政暂缓拨付资金，请落实纠偏措施",
    }
    if kind == CorrectionKind.ADJUST_GOALS:
        if project.goal_status == GoalStatus.ADJUSTING:
            notices[kind] = "绩效目标调整申请已在办理中，请按纠偏决定修改"
        else:  # the unit finds the adjustment request in its inbox, pre-filled with the goals in force
            context(call).follow_ups.append(FollowUp(
                "goal_adjust", project.id, {"project_code": project.code},
                f"{report.month}月监控纠偏决定：调整绩效目标"))
            notices[kind] = "财政决定调整绩效目标，请在待办中填报绩效目标调整申请"
    if kind in notices:
        notify(call, project, "unit_staff", "correction", f"{project.name}（{report.month}月监控）：{notices[kind]}")
    db.session.flush()
    return {"budget": str(current), "decision": str(kind)}


def _suspended(project: Project) -> PaymentSuspension | None:
    """The payment suspension a monitoring decision put on the project and nobody lifted yet."""
    return db.session.scalar(
        select(PaymentSuspension).where(PaymentSuspension.project_id == project.id,
                                        PaymentSuspension.source_flow == "monitoring",
                                        PaymentSuspension.lifted_at.is_(None)).limit(1))


def _budget_change(call: OperatorCall, project: Project, report: MonitoringReport, change: Decimal, reason: str,
                   *, recovered: bool) -> None:
    """One budget_adjustments row per change monitoring makes to the year's budget (the budget section's trail)."""
    kind = AdjustmentKind.RECOVER if recovered else (AdjustmentKind.INCREASE if change > 0 else AdjustmentKind.DECREASE)
    actor = context(call).actor
    db.session.add(BudgetAdjustment(
        project_id=project.id, fiscal_year=report.fiscal_year, kind=kind, amount=change, reason=reason,
        source_flow="monitoring", source_id=report.id, instance_id=context(call).instance.id,
        actor_id=actor.id if actor else None, created_at=get_clock().now()))


def notify_step(call: OperatorCall, *, project_id: Any, role: Any, kind: Any, message: Any) -> dict[str, Any]:
    """monitoring.notify: an in-app notice (overdue report: reminder to the unit, escalation to the office)."""
    project = _project(call, project_id)
    row = notify(call, project, str(role), str(kind)[:16], str(message)[:2000])
    db.session.flush()
    return {"notification_id": row.id}
