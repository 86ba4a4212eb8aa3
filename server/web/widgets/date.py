"""Dates (`format: date` or `ui:widget` date): the browser's date picker, posted and kept as YYYY-MM-DD."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from server.web.widgets.base import KindOf, Schema, Widget
from server.web.widgets.schema import schema_type


class Date(Widget):
    name = "date"
    template = "forms/widgets/date.html"

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        return schema_type(schema) == "string" and (schema.get("format") == "date" or ui.get("ui:widget") == "date")

    def parse(self, text: str) -> Any:
        date.fromisoformat(text)
        return text

    def message(self, err: Exception) -> str:
        return _("日期格式应为 年-月-日，例如 2026-03-31")


DATE = Date()
