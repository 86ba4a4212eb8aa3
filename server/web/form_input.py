"""A posted HTML form turned back into the typed JSON a task's schema wants.

The walk mirrors form_render (same widget registry, same dotted names); each field's kind reads its own input
back (numbers become int/float, booleans True/False, row tables lists of objects…), and empty inputs are left
out so `required` names them. Text that is not a number where a number is wanted becomes a field error here,
never a 500; the schema check (services.forms) then reports everything else.

Drafts use the lenient mode: whatever cannot be converted is kept as typed, so nothing the user wrote is lost.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from server.web.widgets.base import Widget
from server.web.widgets.registry import REGISTRY
from server.web.widgets.schema import ordered_properties, required_names, sub_ui

MAX_TEXT = 100_000  # characters kept per field; the schema's maxLength says the real limit


class _Walk:
    def __init__(self, form: MultiDict, strict: bool) -> None:
        self.form = form
        self.strict = strict
        self.errors: dict[str, str] = {}

    def kind_of(self, schema: dict[str, Any], ui: dict[str, Any]) -> str:
        return REGISTRY.kind_of(schema, ui)

    def members(self, schema: dict[str, Any], ui: dict[str, Any], prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, sub in ordered_properties(schema, ui):
            value = self.value(prefix + key, sub, sub_ui(ui, key), key in required_names(schema))
            if value is not None:
                out[key] = value
        return out

    def value(self, path: str, schema: dict[str, Any], ui: dict[str, Any], required: bool) -> Any:
        return REGISTRY.select(schema, ui).read(self, path, schema, ui, required)

    def text(self, path: str, raw: str, widget: Widget) -> Any:
        text = raw.replace("\r\n", "\n").strip()
        if len(text) > MAX_TEXT:
            self.fail(path, _("内容过长（不能超过 %(n)s 个字符）", n=MAX_TEXT))
            return text[:MAX_TEXT]
        if text == "":
            return None
        try:
            return widget.parse(text)
        except (ValueError, RecursionError) as err:
            self.fail(path, widget.message(err))
            return text

    @contextmanager
    def renamed(self, old: str, new: str) -> Iterator[None]:
        errors = self.errors
        self.errors = {}
        try:
            yield
        finally:
            moved = {new + k[len(old):]: v for k, v in self.errors.items()}
            self.errors = {**errors, **moved}

    def fail(self, path: str, message: str) -> None:
        if self.strict:
            self.errors.setdefault(path, message)


def parse_form(
    schema: dict[str, Any] | None, ui: dict[str, Any] | None, form: MultiDict, *, strict: bool = True
) -> tuple[dict[str, Any], dict[str, str]]:
    """(typed data, conversion errors by field path). Fields the schema does not declare are never read."""
    if not isinstance(schema, dict):
        return {}, {}
    walk = _Walk(form, strict)
    data = walk.members(schema, ui if isinstance(ui, dict) else {}, "")
    return data, walk.errors
