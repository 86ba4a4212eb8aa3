"""Cross-field form rules JSON Schema cannot say, as one extension keyword `x-rules` on an object schema.

    "x-rules": [
      {"rule": "sum", "total": "amount", "parts": ["fiscal_funds", "other_funds"], "message": "..."},
      {"rule": "sum", "total": "amount", "items": "budget_items", "field": "amount", "message": "..."},
      {"rule": "gte", "field": "end_year", "than": "start_year", "message": "..."},
      {"rule": "sum", "equals": 100, "items": "indicators", "field": "weight", "message": "..."},
      {"rule": "number", "field": "value", "unless": {"operator": "定性"}, "message": "..."}
    ]

`sum` with `equals` checks the parts against a constant and names the list (or `report`) as the field.
`number` wants a text field to hold a plain number unless every `unless` field has the given value
(a quantitative indicator's value is a number; a qualitative one is free text).

Money is compared to the cent. A rule whose inputs are missing or not numbers is skipped: `required`
and `type` already report those fields. Each failure names its field, like any other schema error;
`{expected}` in a message is replaced by the value the field should have, `{actual}` by the sum found.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from server.engine.form_schema import FORMAT_CHECKER, SAFE_KEYWORDS

KEYWORD = "x-rules"
CENT = Decimal("0.01")


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return Decimal(str(value)).quantize(CENT)
    except InvalidOperation:
        return None


def _parts(rule: dict[str, Any], instance: dict[str, Any]) -> list[Decimal] | None:
    if "items" in rule:
        rows = instance.get(rule["items"])
        if not isinstance(rows, list):
            return None
        values = [_number(r.get(rule.get("field", ""))) if isinstance(r, dict) else None for r in rows]
    else:
        values = [_number(instance.get(name)) for name in rule.get("parts", [])]
    return None if any(v is None for v in values) else values  # type: ignore[return-value]


def _plain(value: Decimal) -> str:
    """100.00 -> "100", 99.50 -> "99.5": sums of weights read as people write them."""
    return format(value.normalize(), "f")


def _not_a_number(rule: dict[str, Any], instance: dict[str, Any]) -> tuple[str, str] | None:
    field = str(rule.get("field", ""))
    value = instance.get(field)
    unless = rule.get("unless") or {}
    if not isinstance(value, str) or not value.strip():
        return None
    if isinstance(unless, dict) and unless and all(instance.get(k) == v for k, v in unless.items()):
        return None
    try:
        ok = Decimal(value.strip()).is_finite()
    except InvalidOperation:
        ok = False
    return None if ok else (field, str(rule.get("message", "应为数字")))


def _failure(rule: dict[str, Any], instance: dict[str, Any]) -> tuple[str, str] | None:
    kind = rule.get("rule")
    if kind == "sum" and "equals" in rule:
        parts, wanted = _parts(rule, instance), _number(rule["equals"])
        if parts is None or wanted is None:
            return None
        actual = sum(parts, Decimal(0))
        if actual != wanted:
            field = str(rule.get("report") or rule.get("items") or "_form")
            message = str(rule.get("message", "合计应为 {expected}（当前 {actual}）"))
            return field, message.format(expected=_plain(wanted), actual=_plain(actual))
    elif kind == "sum":
        total, parts = _number(instance.get(rule.get("total", ""))), _parts(rule, instance)
        if total is None or parts is None:
            return None
        expected = sum(parts, Decimal(0))
        if total != expected:
            return rule["total"], str(rule.get("message", "应等于各项之和 {expected}")).format(expected=expected)
    elif kind == "number":
        return _not_a_number(rule, instance)
    elif kind == "gte":
        value, other = _number(instance.get(rule.get("field", ""))), _number(instance.get(rule.get("than", "")))
        if value is not None and other is not None and value < other:
            shown = instance.get(rule.get("than", ""))
            return rule["field"], str(rule.get("message", "不能小于 {expected}")).format(expected=shown)
    return None


def check_rules(validator: Any, rules: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object") or not isinstance(rules, list):
        return
    for rule in rules:
        if isinstance(rule, dict) and (found := _failure(rule, instance)):
            field, message = found
            yield ValidationError(message, path=deque([field]))


# `pattern` runs on RE2 (see engine.form_schema); the format checker's `regex` too.
FormValidator = validators.extend(
    Draft202012Validator, {**SAFE_KEYWORDS, KEYWORD: check_rules}, format_checker=FORMAT_CHECKER
)
