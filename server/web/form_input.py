"""A posted HTML form turned back into the typed JSON a task's schema wants.

The walk mirrors form_render (same `kind_of`, same dotted names): numbers become int/float, booleans
True/False, row tables lists of objects (rows renumbered in posted order, blank rows dropped), empty inputs
are left out so `required` names them. Text that is not a number where a number is wanted becomes a field
error here, never a 500; the schema check (services.forms) then reports everything else.

Drafts use the lenient mode: whatever cannot be converted is kept as typed, so nothing the user wrote is lost.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from server.web.form_render import kind_of, ordered_properties, required_names, sub_ui

MAX_TEXT = 100_000  # characters kept per field; the schema's maxLength says the real limit
MAX_NUMBER_CHARS = 40
MAX_DIGITS = 18  # integer digits: far above any amount in 元, and "1e999999" never becomes a huge int
MAX_ROWS = 1000
_SEPARATORS = str.maketrans("", "", ",， _\u00a0")


class _Walk:
    def __init__(self, form: MultiDict, strict: bool) -> None:
        self.form = form
        self.strict = strict
        self.errors: dict[str, str] = {}

    def members(self, schema: dict[str, Any], ui: dict[str, Any], prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, sub in ordered_properties(schema, ui):
            value = self.value(prefix + key, sub, sub_ui(ui, key), key in required_names(schema))
            if value is not None:
                out[key] = value
        return out

    def value(self, path: str, schema: dict[str, Any], ui: dict[str, Any], required: bool) -> Any:
        kind = kind_of(schema, ui)
        if kind == "fieldset":
            found = self.members(schema, ui, path + ".")
            # A required group is always sent, so its own required members are named one by one.
            return found if found or required else None
        if kind == "table":
            return self.rows(path, schema, ui)
        raw = self.form.get(path)
        if kind == "checkbox":
            return raw is not None and raw not in ("", "false", "0")
        if raw is None:
            return None
        return self.scalar(path, kind, raw)

    def rows(self, path: str, schema: dict[str, Any], ui: dict[str, Any]) -> list[Any] | None:
        items, item_ui = schema["items"], sub_ui(ui, "items")
        scalar = kind_of(items, item_ui) != "fieldset"
        pattern = re.compile(re.escape(path) + r"\.(\d{1,4})(?:\.|$)")
        indexes = sorted({int(m.group(1)) for key in self.form if (m := pattern.match(key))})[:MAX_ROWS]
        if not indexes and f"{path}.__present" not in self.form:
            return None
        out: list[Any] = []
        for index in indexes:
            position = len(out)
            # Errors name rows by their place in the list sent on, so read each row under its new index.
            sub = _Renamed(self, f"{path}.{index}", f"{path}.{position}")
            if scalar:
                value = sub.scalar_at(items, item_ui)
                if value not in (None, ""):
                    out.append(value)
            else:
                row = sub.members(items, item_ui)
                if any(v is not None and v != "" and v is not False for v in row.values()):
                    out.append(row)
        return out

    def scalar(self, path: str, kind: str, raw: str) -> Any:
        text = raw.replace("\r\n", "\n").strip()
        if len(text) > MAX_TEXT:
            self.fail(path, _("内容过长（不能超过 %(n)s 个字符）", n=MAX_TEXT))
            return text[:MAX_TEXT]
        if text == "":
            return None
        try:
            match kind:
                case "number" | "money" | "integer":
                    return _number(text, integer=kind == "integer")
                case "yesno":
                    if text not in ("true", "false"):
                        raise ValueError(_("请选择“是”或“否”"))
                    return text == "true"
                case "date":
                    date.fromisoformat(text)
                    return text
                case "json":
                    return json.loads(text)
        except (ValueError, RecursionError) as err:
            self.fail(path, _message(kind, err))
            return text
        return text

    def fail(self, path: str, message: str) -> None:
        if self.strict:
            self.errors.setdefault(path, message)


class _Renamed:
    """Reads one row posted under `old` (e.g. indicators.7) while naming errors by `new` (indicators.2)."""

    def __init__(self, walk: _Walk, old: str, new: str) -> None:
        self.walk, self.old, self.new = walk, old, new

    def _with(self, fn):
        errors = self.walk.errors
        self.walk.errors = {}
        try:
            return fn()
        finally:
            moved = {self.new + k[len(self.old):]: v for k, v in self.walk.errors.items()}
            self.walk.errors = {**errors, **moved}

    def members(self, schema: dict[str, Any], ui: dict[str, Any]) -> dict[str, Any]:
        return self._with(lambda: self.walk.members(schema, ui, self.old + "."))

    def scalar_at(self, schema: dict[str, Any], ui: dict[str, Any]) -> Any:
        return self._with(lambda: self.walk.value(self.old, schema, ui, False))


def _number(text: str, *, integer: bool) -> int | float:
    cleaned = unicodedata.normalize("NFKC", text).translate(_SEPARATORS)
    if cleaned.endswith("元"):
        cleaned = cleaned[:-1]
    if len(cleaned) > MAX_NUMBER_CHARS:
        raise ValueError(_("数字过长"))
    try:
        number = Decimal(cleaned)
    except InvalidOperation as err:
        raise ValueError(_("应为整数") if integer else _("应为数字")) from err
    if not number.is_finite():
        raise ValueError(_("应为数字"))
    if number.adjusted() >= MAX_DIGITS:
        raise ValueError(_("数字过大"))
    if number == number.to_integral_value():
        return int(number)
    if integer:
        raise ValueError(_("应为整数"))
    return float(number)


def _message(kind: str, err: Exception) -> str:
    if kind == "date":
        return _("日期格式应为 年-月-日，例如 2026-03-31")
    if kind == "json":
        return _("格式不正确（应为 JSON）")
    return str(err) if str(err) else _("取值不符合要求")


def parse_form(
    schema: dict[str, Any] | None, ui: dict[str, Any] | None, form: MultiDict, *, strict: bool = True
) -> tuple[dict[str, Any], dict[str, str]]:
    """(typed data, conversion errors by field path). Fields the schema does not declare are never read."""
    if not isinstance(schema, dict):
        return {}, {}
    walk = _Walk(form, strict)
    data = walk.members(schema, ui if isinstance(ui, dict) else {}, "")
    return data, walk.errors
