"""Reading a JSON Schema + UI schema, shared by the widgets, form_render and form_input."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

MONEY_MARK = "元"


@dataclass(frozen=True)
class Option:
    value: str
    title: str


def schema_type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None and isinstance(schema.get("properties"), dict):
        return "object"
    return kind if isinstance(kind, str) else None


def enum_options(schema: dict[str, Any]) -> list[Option] | None:
    """Enum values with their titles: `x-enumTitles`, `enumNames`, or `oneOf`/`anyOf` of `const` + `title`."""
    values = schema.get("enum")
    if isinstance(values, list) and values:
        titles = schema.get("x-enumTitles") or schema.get("enumNames") or []
        titles = titles if isinstance(titles, list) else []
        return [Option(plain(v), str(titles[i]) if i < len(titles) else plain(v)) for i, v in enumerate(values)]
    for key in ("oneOf", "anyOf"):
        choices = schema.get(key)
        if isinstance(choices, list) and choices and all(isinstance(c, dict) and "const" in c for c in choices):
            return [Option(plain(c["const"]), str(c.get("title", plain(c["const"])))) for c in choices]
    return None


def is_money(schema: dict[str, Any], ui: dict[str, Any]) -> bool:
    if ui.get("ui:widget") == "money" or schema.get("format") == "money":
        return True
    return schema_type(schema) == "number" and MONEY_MARK in str(schema.get("title", ""))


def ordered_properties(schema: dict[str, Any], ui: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    props = schema.get("properties")
    if not isinstance(props, dict):
        return []
    order = ui.get("ui:order") if isinstance(ui.get("ui:order"), list) else []
    named = [k for k in order if k in props]
    rest = [k for k in props if k not in named]
    if "*" in order:
        at = order.index("*")
        before = [k for k in order[:at] if k in props]
        keys = before + rest + [k for k in order[at + 1:] if k in props and k not in before]
    else:
        keys = named + rest
    return [(k, props[k]) for k in keys if isinstance(props[k], dict)]


def required_names(schema: dict[str, Any]) -> set[str]:
    req = schema.get("required")
    return {str(r) for r in req} if isinstance(req, list) else set()


def sub_ui(ui: dict[str, Any], key: str) -> dict[str, Any]:
    found = ui.get(key) if isinstance(ui, dict) else None
    return found if isinstance(found, dict) else {}


def plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return "" if value is None else str(value)


def number_text(value: Any, *, money: bool = False) -> str:
    """A number as a person types it: no exponent, money with two decimals; kept input stays as typed."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return "" if value is None else str(value)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    if money:
        return f"{number.quantize(Decimal('0.01')):f}"
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
