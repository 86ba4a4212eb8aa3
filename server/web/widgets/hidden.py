"""`"ui:widget": "hidden"`: a value carried through the form unseen, whatever its type."""

from __future__ import annotations

from server.web.widgets.base import KindOf, Schema, Widget


class Hidden(Widget):
    name = "hidden"
    template = "forms/widgets/hidden.html"

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        return ui.get("ui:widget") == "hidden"


HIDDEN = Hidden()
