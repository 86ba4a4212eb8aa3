"""An array of objects or of scalars: a table with one row per item, posted as `list.3.member` / `list.3`.

Rows can be added and removed in the browser (static/js/task-form.js clones the blank row, whose names hold
INDEX); the posted rows are renumbered in posted order and blank rows dropped. A column marked read-only means
the rows come from the flow: no adding or removing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from server.web.widgets.base import Builder, KindOf, Reader, Schema, Widget
from server.web.widgets.schema import schema_type, sub_ui

if TYPE_CHECKING:
    from server.web.form_render import Field

INDEX = "__INDEX__"  # row index placeholder in the blank row template (task-form.js replaces it)
MAX_ROWS_SHOWN = 500
MAX_ROWS = 1000  # rows read back from a post
NOT_IN_CELLS = ("table", "json", "hidden")  # item kinds a row cannot hold: such an array is edited as JSON


class Table(Widget):
    name = "table"
    template = "forms/widgets/table.html"
    readonly_as_text = False

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        items = schema.get("items")
        return (schema_type(schema) == "array" and isinstance(items, dict)
                and kind_of(items, sub_ui(ui, "items")) not in NOT_IN_CELLS)

    def fill(self, build: Builder, f: Field, schema: Schema, ui: Schema, value: Any) -> None:
        items, item_ui = schema["items"], sub_ui(ui, "items")
        scalar = build.kind_of(items, item_ui) != "fieldset"
        rows = value if isinstance(value, list) else []
        f.attrs = {"min_rows": schema.get("minItems", 0), "max_rows": schema.get("maxItems", MAX_ROWS_SHOWN)}
        label = str(items.get("title") or f.label)

        def cells(builder: Builder, index: str, row: Any) -> list[Field]:
            prefix = f"{f.path}.{index}"
            if scalar:
                return [builder.field(prefix, items, item_ui, row, True, label=label)]
            return builder.members(items, item_ui, row if isinstance(row, dict) else {}, prefix + ".")

        f.rows = [cells(build, str(i), row) for i, row in enumerate(rows[:MAX_ROWS_SHOWN])]
        # The blank row task-form.js clones; built apart so it carries no errors, warnings or labels.
        f.columns = cells(build.blank(), INDEX, None)
        f.fixed_rows = any(c.readonly for c in f.columns)
        if not f.rows and not f.fixed_rows:
            f.rows = [cells(build, "0", None)]  # one blank row, so the table works without JavaScript too

    def read(self, walk: Reader, path: str, schema: Schema, ui: Schema, required: bool) -> list[Any] | None:
        items, item_ui = schema["items"], sub_ui(ui, "items")
        scalar = walk.kind_of(items, item_ui) != "fieldset"
        pattern = re.compile(re.escape(path) + r"\.(\d{1,4})(?:\.|$)")
        indexes = sorted({int(m.group(1)) for key in walk.form if (m := pattern.match(key))})[:MAX_ROWS]
        if not indexes and f"{path}.__present" not in walk.form:
            return None
        out: list[Any] = []
        for index in indexes:
            posted = f"{path}.{index}"
            # Errors name rows by their place in the list sent on, so read each row under its new index.
            with walk.renamed(posted, f"{path}.{len(out)}"):
                if scalar:
                    value = walk.value(posted, items, item_ui, False)
                    if value not in (None, ""):
                        out.append(value)
                else:
                    row = walk.members(items, item_ui, posted + ".")
                    if any(v is not None and v != "" and v is not False for v in row.values()):
                        out.append(row)
        return out


TABLE = Table()
