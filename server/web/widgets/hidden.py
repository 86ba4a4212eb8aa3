"""`"ui:widget": "hidden"`: a value carried through the form unseen, whatever its type."""

from __future__ import annotations

from typing import Any

from server.web.widgets.base import KindOf, Reader, Schema, Widget


class Hidden(Widget):
    name = "hidden"
    template = "forms/widgets/hidden.html"
    readonly_as_text = False  # read-only or not, an internal id is never shown (nor its column in a table)

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        return ui.get("ui:widget") == "hidden"

    def read(self, walk: Reader, path: str, schema: Schema, ui: Schema, required: bool) -> Any:
        """Typed as the kind that would show it (an integer id comes back an integer, not text)."""
        return walk.value(path, schema, {k: v for k, v in ui.items() if k != "ui:widget"}, required)


HIDDEN = Hidden()
