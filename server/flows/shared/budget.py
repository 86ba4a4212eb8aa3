"""budget.* operators: a flow changes a project's budget or holds its payments only through these.

`budget.adjust` records a change for a fiscal year, as a percentage of the project's approved amount (result
application: 优 +10%, 差 −10%, ...) or as an amount in 元. `budget.suspend_payments` holds payments (暂缓拨付)
and `budget.lift_suspension` releases them. Each row names the flow and its domain row (`source_flow`,
`source_id`) so the budget section can see why; the project must belong to the instance's organisation.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from server.db import db
from server.engine.operators import OperatorCall
from server.extensions import get_clock
from server.flows.shared.models import AdjustmentKind, BudgetAdjustment, PaymentSuspension
from server.flows.shared.support import CENT, context, optional_int, own_project
from server.models import Project

MAX_PERCENT = Decimal(100)
MAX_AMOUNT = Decimal(10) ** 12


def _project(call: OperatorCall, project_id: Any) -> Project:
    return own_project(call, project_id, missing=_("本流程没有该项目"))


def _source(call: OperatorCall, source_flow: Any) -> str:
    flow = str(source_flow or getattr(context(call).instance, "process_key", "") or "").strip()[:64]
    if not flow:
        raise ValueError(_("请注明产生调整的流程"))
    return flow


def _signed(value: Any, what: str, limit: Decimal) -> Decimal:
    """A signed number to the cent within ±limit (percentages and changes in 元 may be negative)."""
    if isinstance(value, bool):
        raise ValueError(_("%(what)s“%(v)s”不是数字", what=what, v=value))
    try:
        number = Decimal(str(value).strip()).quantize(CENT)
    except (InvalidOperation, ValueError) as err:
        raise ValueError(_("%(what)s“%(v)s”不是数字", what=what, v=value)) from err
    if not number.is_finite() or not -limit <= number <= limit:
        raise ValueError(_("%(what)s应在 -%(limit)s 到 %(limit)s 之间", what=what, limit=limit))
    return number


def adjust(call: OperatorCall, *, project_id: Any, fiscal_year: Any, reason: Any, percent: Any = None,
           amount: Any = None, kind: Any = None, source_flow: Any = None, source_id: Any = None) -> dict[str, Any]:
    """budget.adjust: one adjustment row. Give `percent` (of the project's approved amount, negative cuts) or
    a signed `amount` in 元; `kind` defaults to increase/decrease by the sign. A zero change records nothing."""
    project = _project(call, project_id)
    year = optional_int(fiscal_year)
    if year is None or not 2000 <= year <= 2100:
        raise ValueError(_("调整适用的预算年度不正确"))
    if (percent is None) == (amount is None):
        raise ValueError(_("调整比例和调整金额须填写且只填写一项"))
    base = None
    if percent is not None:
        rate = _signed(percent, _("调整比例（%）"), MAX_PERCENT)
        base = project.amount
        if base is None:
            raise ValueError(_("项目 %(code)s 没有核定金额，不能按比例调整", code=project.code))
        change = (base * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        rate = None
        change = _signed(amount, _("调整金额（元）"), MAX_AMOUNT)
    if change == 0:
        return {"adjustment_id": None, "amount": "0.00", "fiscal_year": year}
    chosen = AdjustmentKind(str(kind)) if kind else (AdjustmentKind.INCREASE if change > 0 else AdjustmentKind.DECREASE)
    if (chosen == AdjustmentKind.INCREASE) != (change > 0):
        raise ValueError(_("调增的金额应为正数，调减和收回的金额应为负数"))
    actor = context(call).actor
    row = BudgetAdjustment(
        project_id=project.id, fiscal_year=year, kind=chosen, percent=rate, base_amount=base, amount=change,
        reason=str(reason or "")[:2000] or _("未说明"), source_flow=_source(call, source_flow),
        source_id=optional_int(source_id), instance_id=context(call).instance.id,
        actor_id=actor.id if actor else None, created_at=get_clock().now(),
    )
    db.session.add(row)
    db.session.flush()
    return {"adjustment_id": row.id, "amount": str(change), "fiscal_year": year, "kind": str(chosen)}


def _active(project: Project, flow: str, source_id: int | None) -> PaymentSuspension | None:
    return db.session.scalar(
        select(PaymentSuspension).where(
            PaymentSuspension.project_id == project.id, PaymentSuspension.source_flow == flow,
            PaymentSuspension.source_id == source_id, PaymentSuspension.lifted_at.is_(None),
        ).limit(1)
    )


def suspend_payments(call: OperatorCall, *, project_id: Any, reason: Any, source_flow: Any = None,
                     source_id: Any = None) -> dict[str, Any]:
    """budget.suspend_payments: hold the project's payments; a second call for the same source keeps the
    first suspension (a repeated step must not stack holds)."""
    project = _project(call, project_id)
    flow, source = _source(call, source_flow), optional_int(source_id)
    row = _active(project, flow, source)
    if row is None:
        actor = context(call).actor
        row = PaymentSuspension(
            project_id=project.id, reason=str(reason or "")[:2000] or _("未说明"), since=get_clock().now(),
            source_flow=flow, source_id=source, instance_id=context(call).instance.id,
            suspended_by_id=actor.id if actor else None,
        )
        db.session.add(row)
        db.session.flush()
    return {"suspension_id": row.id}


def lift_suspension(call: OperatorCall, *, project_id: Any, reason: Any, source_flow: Any = None,
                    source_id: Any = None) -> dict[str, Any]:
    """budget.lift_suspension: release the hold this source placed (nothing to lift is not an error)."""
    project = _project(call, project_id)
    row = _active(project, _source(call, source_flow), optional_int(source_id))
    if row is None:
        return {"suspension_id": None}
    actor = context(call).actor
    row.lifted_at = get_clock().now()
    row.lift_reason = str(reason or "")[:2000] or None
    row.lifted_by_id = actor.id if actor else None
    db.session.flush()
    return {"suspension_id": row.id}
