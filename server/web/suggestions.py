"""Suggestion lists a text field can offer (`"ui:options": {"suggest": "<name>"}` in a UI schema): rendered once
per page as a <datalist>, so choosing works without JavaScript; static/js/task-form.js also fills the row's
other cells from the chosen entry (`fill`), leaving cells the user already filled alone."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from server.services import indicator_library


@dataclass(frozen=True)
class Suggestion:
    value: str
    label: str
    fill: dict[str, str] = field(default_factory=dict)  # sibling field name -> value


Source = Callable[[Mapping[str, Any]], list[Suggestion]]


def _indicators(context: Mapping[str, Any]) -> list[Suggestion]:
    """The indicator library for the project's sector: 共性 ones and the sector's 个性 ones."""
    found = []
    for row in indicator_library.for_goal_table(context.get("sector")):
        kind = _("个性·%(sector)s", sector=row.sector) if row.sector else _("共性")
        usual = ""
        if row.typical_min is not None or row.typical_max is not None:
            usual = " · " + _("常见 %(range)s", range=indicator_library.range_text(
                indicator_library.Typical(row.unit, row.typical_min, row.typical_max)))
        fill = {"level1": row.level1, "level2": row.level2, "operator": row.operator, "unit": row.unit or ""}
        found.append(Suggestion(row.name, f"{kind} · {row.level1}/{row.level2}{usual}", fill))
    return found


SOURCES: dict[str, Source] = {"indicators": _indicators}
