"""An object with properties: a <fieldset> of its members, posted as `group.member`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from server.web.widgets.base import Builder, KindOf, Reader, Schema, Widget
from server.web.widgets.schema import schema_type

if TYPE_CHECKING:
    from server.web.form_render import Field


class Fieldset(Widget):
    name = "fieldset"
    template = "forms/widgets/fieldset.html"
    readonly_as_text = False

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        return schema_type(schema) == "object" and isinstance(schema.get("properties"), dict)

    def fill(self, build: Builder, f: Field, schema: Schema, ui: Schema, value: Any) -> None:
        f.children = build.members(schema, ui, value if isinstance(value, dict) else {}, f.path + ".")

    def read(self, walk: Reader, path: str, schema: Schema, ui: Schema, required: bool) -> Any:
        found = walk.members(schema, ui, path + ".")
        # A required group is always sent, so its own required members are named one by one.
        return found if found or required else None


FIELDSET = Fieldset()
