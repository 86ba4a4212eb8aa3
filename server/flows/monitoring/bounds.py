"""The amount of a finance decision that changes the budget (调整预算 / 收回结余): the change it makes and the
bounds it must keep. One place for the operator that enforces them (monitoring.decide) and the task page that
shows the change before it is submitted.

Bounds (DOMAIN §1, §3): money already spent stays budgeted (调整后预算 ≥ 已支出); a correction does not add
money the library did not approve (调整后预算 ≤ 核定金额 × (1 + the rule table's `budget_increase_limit`,
default 0 — an increase is a budget appropriation of its own, not a monitoring correction); only the unspent
balance can be recovered (0 < 收回金额 ≤ 现行预算 − 已支出)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

# decision -> how its amount changes the budget in force: the new total, or a sum taken off it
AMOUNT_DECISIONS = {"adjust_budget": "set", "recover_balance": "subtract"}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class BudgetChange:
    before: Decimal  # 原预算: the budget in force
    after: Decimal  # 调整后

    @property
    def difference(self) -> Decimal:  # 差额: negative for a cut
        return self.after - self.before


def yuan(value: Decimal) -> str:
    return f"{value.quantize(CENT):,.2f}"


def change_of(decision: Any, amount: Decimal | None, budget: Decimal) -> BudgetChange | None:
    mode = AMOUNT_DECISIONS.get(str(decision))
    if mode is None or amount is None:
        return None
    return BudgetChange(budget, amount if mode == "set" else budget - amount)


def ceiling(approved: Decimal, increase_limit: Any) -> Decimal:
    share = Decimal(str(increase_limit)) if increase_limit not in (None, "") else Decimal(0)
    return (approved * (1 + max(share, Decimal(0)))).quantize(CENT)


def refusal(decision: Any, amount: Decimal, *, budget: Decimal, spent: Decimal, approved: Decimal,
            increase_limit: Any = 0) -> str | None:
    """Why this amount cannot stand for this decision (None: it may)."""
    if str(decision) == "recover_balance":
        if amount <= 0:
            return _("收回金额须大于 0 元")
        if amount > budget - spent:
            return _("收回金额不能超过未支出余额 %(amount)s 元（现行预算 %(budget)s 元 − 已支出 %(spent)s 元）",
                     amount=yuan(budget - spent), budget=yuan(budget), spent=yuan(spent))
        return None
    if str(decision) != "adjust_budget":
        return None
    if amount < spent:
        return _("调整后预算不能低于已支出 %(amount)s 元", amount=yuan(spent))
    top = ceiling(approved, increase_limit)
    if amount > top:
        if top == approved.quantize(CENT):
            return _("调整后预算不能超过核定金额 %(amount)s 元（监控规则表未允许调增预算）", amount=yuan(top))
        return _("调整后预算不能超过 %(amount)s 元（核定金额 %(approved)s 元加监控规则表允许的调增比例）",
                 amount=yuan(top), approved=yuan(approved))
    if amount == budget:
        return _("调整后预算与现行预算 %(amount)s 元相同，请选择其他决定或填写新的预算", amount=yuan(budget))
    return None
