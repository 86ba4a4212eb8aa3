"""The one list of form widget kinds. The first kind whose `matches` accepts a field's schema shows it.

Adding a kind means adding its module to this package, its template to templates/forms/widgets/, and one line
to WIDGETS below, before the kinds it must win over (see README, "Adding a form widget").
tests/web/test_widget_registry.py checks every field of every shipped form resolves to a registered kind.
"""

from __future__ import annotations

from collections.abc import Iterable

from server.web.widgets.attachments import ATTACHMENTS
from server.web.widgets.base import Schema, Widget
from server.web.widgets.boolean import CHECKBOX, YESNO
from server.web.widgets.choice import CHOSEN, RADIO, SELECT
from server.web.widgets.date import DATE
from server.web.widgets.fieldset import FIELDSET
from server.web.widgets.hidden import HIDDEN
from server.web.widgets.json_text import JSON_TEXT
from server.web.widgets.number import INTEGER, MONEY, NUMBER
from server.web.widgets.table import TABLE
from server.web.widgets.text import TEXT, TEXTAREA

# Most particular first: ui:widget choices before the type's default, money before number, a date before text.
WIDGETS: tuple[Widget, ...] = (
    HIDDEN, ATTACHMENTS, FIELDSET, TABLE, YESNO, CHECKBOX, RADIO, SELECT, CHOSEN, INTEGER, MONEY, NUMBER, TEXTAREA, DATE, TEXT,
)
FALLBACK: Widget = JSON_TEXT  # whatever no kind matches is edited as JSON text


class Registry:
    def __init__(self, widgets: Iterable[Widget], fallback: Widget) -> None:
        self._widgets = list(widgets)
        self._fallback = fallback
        self._by_name: dict[str, Widget] = {}
        for w in [*self._widgets, fallback]:
            self._add_name(w)

    def _add_name(self, widget: Widget) -> None:
        if widget.name in self._by_name:
            raise ValueError(f"widget kind {widget.name!r} registered twice")
        self._by_name[widget.name] = widget

    def select(self, schema: Schema, ui: Schema) -> Widget:
        return next((w for w in self._widgets if w.matches(schema, ui, self.kind_of)), self._fallback)

    def kind_of(self, schema: Schema, ui: Schema) -> str:
        return self.select(schema, ui).name

    def widget(self, name: str) -> Widget:
        return self._by_name[name]

    def names(self) -> list[str]:
        return [w.name for w in self._widgets] + [self._fallback.name]

    def register(self, widget: Widget, *, before: str | None = None) -> None:
        """Add a kind, asked before the kind named `before` (default: after all others, before the fallback)."""
        at = len(self._widgets) if before is None else self._widgets.index(self.widget(before))
        self._add_name(widget)
        self._widgets.insert(at, widget)

    def unregister(self, name: str) -> None:
        widget = self._by_name.pop(name)
        self._widgets.remove(widget)


REGISTRY = Registry(WIDGETS, FALLBACK)
kind_of = REGISTRY.kind_of
