"""Enums (`enum` with titles, or `oneOf`/`anyOf` of `const`): a select, or radio buttons on `ui:widget` radio.
A text field whose UI schema names a choice source (services/choices.py) is a select of that source's entries."""

from __future__ import annotations

from server.services.choices import field_source
from server.web.widgets.base import KindOf, Schema, Widget
from server.web.widgets.schema import enum_options, schema_type

NOT_CHOICES = ("object", "array", "boolean")  # their own kinds, even with an enum


def _is_enum(schema: Schema) -> bool:
    return schema_type(schema) not in NOT_CHOICES and enum_options(schema) is not None


class Radio(Widget):
    name = "radio"
    template = "forms/widgets/radio.html"

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        return ui.get("ui:widget") == "radio" and _is_enum(schema)


class Select(Widget):
    name = "select"
    template = "forms/widgets/select.html"

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        return _is_enum(schema)


class Chosen(Select):
    """`"ui:options": {"choices": "<source>"}`: the entries come from the database when the page is built
    (form_render fills `options`); the service refuses a value not among them on submit."""

    name = "choices"

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        return schema_type(schema) in (None, "string") and field_source(ui) is not None


RADIO = Radio()
SELECT = Select()
CHOSEN = Chosen()
