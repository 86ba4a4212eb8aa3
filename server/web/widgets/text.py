"""Strings: a one-line input, or a textarea for `ui:widget` textarea or a maxLength above 500."""

from __future__ import annotations

from typing import Any

from server.web.widgets.base import KindOf, Schema, Widget
from server.web.widgets.schema import schema_type

LONG_TEXT = 500  # a longer maxLength gets a textarea unless the UI schema says "text"


def _maxlength(schema: Schema) -> dict[str, Any]:
    return {"maxlength": schema["maxLength"]} if isinstance(schema.get("maxLength"), int) else {}


class Textarea(Widget):
    name = "textarea"
    template = "forms/widgets/textarea.html"

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        widget = ui.get("ui:widget")
        long = (schema.get("maxLength") or 0) > LONG_TEXT and widget != "text"
        return schema_type(schema) == "string" and (widget == "textarea" or long)

    def attrs(self, schema: Schema) -> dict[str, Any]:
        return _maxlength(schema)


class Text(Widget):
    name = "text"
    template = "forms/widgets/text.html"

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        return schema_type(schema) == "string"

    def attrs(self, schema: Schema) -> dict[str, Any]:
        return _maxlength(schema)


TEXTAREA = Textarea()
TEXT = Text()
