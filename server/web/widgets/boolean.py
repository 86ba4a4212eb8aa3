"""Booleans: a checkbox, or 是/否 radio buttons when the UI schema asks for radio or select."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

from server.web.widgets.base import KindOf, Reader, Schema, Widget
from server.web.widgets.schema import schema_type

if TYPE_CHECKING:
    from server.web.form_render import Field


def yes_no(value: Any) -> str:
    if value in (True, "true"):
        return _("是")
    return _("否") if value in (False, "false") else ""


class YesNo(Widget):
    name = "yesno"
    template = "forms/widgets/yesno.html"

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        return schema_type(schema) == "boolean" and ui.get("ui:widget") in ("radio", "select")

    def display(self, f: Field, value: Any) -> str:
        return yes_no(value)

    def parse(self, text: str) -> Any:
        if text not in ("true", "false"):
            raise ValueError(_("请选择“是”或“否”"))
        return text == "true"


class Checkbox(Widget):
    name = "checkbox"
    template = "forms/widgets/checkbox.html"

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        return schema_type(schema) == "boolean"

    def shown(self, value: Any, schema: Schema) -> Any:
        return value is True or value == "true"

    def display(self, f: Field, value: Any) -> str:
        return yes_no(value)

    def read(self, walk: Reader, path: str, schema: Schema, ui: Schema, required: bool) -> Any:
        raw = walk.form.get(path)  # an unchecked box sends nothing: that is a False, not a missing answer
        return raw is not None and raw not in ("", "false", "0")


YESNO = YesNo()
CHECKBOX = Checkbox()
