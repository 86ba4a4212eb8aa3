"""A task's JSON Schema + UI schema turned into a tree of fields that the macros in templates/forms/ render.

One walk of the schema decides each field's kind (text, textarea, number, integer, money, date, select,
radio, checkbox, yes/no, fieldset, row table, hidden, json); `form_input` walks the same schema with the
same `kind_of` to turn the posted form back into typed JSON, so names and kinds can never disagree.

Posted names are dotted paths: `amount`, `expert_review.necessity`, `indicators.3.unit`, `materials.0`
(the keys ValidationFailed.fields uses), so errors and warnings land next to the field they concern.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

INDEX = "__INDEX__"  # row index placeholder in a table's blank row template (task-form.js replaces it)
MAX_ROWS_SHOWN = 500
MONEY_MARK = "元"
DECISION_VALUES = frozenset({"send_back", "pass", "approve", "reject", "agree"})


@dataclass(frozen=True)
class Option:
    value: str
    title: str


@dataclass
class Field:
    kind: str
    path: str
    label: str
    required: bool = False
    value: Any = ""
    help: str | None = None
    placeholder: str | None = None
    options: list[Option] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    readonly: bool = False
    attrs: dict[str, Any] = field(default_factory=dict)
    children: list[Field] = field(default_factory=list)  # fieldset members
    columns: list[Field] = field(default_factory=list)  # table: the blank row (paths hold INDEX)
    rows: list[list[Field]] = field(default_factory=list)  # table: one list of cells per row
    fixed_rows: bool = False  # table rows come from the flow (read-only columns): no adding or removing

    @property
    def dom_id(self) -> str:
        return "f-" + self.path.replace(".", "-")

    @property
    def display(self) -> str:
        """A read-only value as a person reads it (enum title, 是/否, money with two decimals)."""
        return display_value(self, self.value)


@dataclass
class FormView:
    title: str
    description: str | None
    fields: list[Field]
    decision: Field | None
    summary: list[tuple[str, str, str | None]]  # (label, message, anchor id or None)
    general_warnings: list[str]


# ---------------------------------------------------------------- schema reading (shared with form_input)


def schema_type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None and isinstance(schema.get("properties"), dict):
        return "object"
    return kind if isinstance(kind, str) else None


def enum_options(schema: dict[str, Any]) -> list[Option] | None:
    """Enum values with their titles: `x-enumTitles`, `enumNames`, or `oneOf`/`anyOf` of `const` + `title`."""
    values = schema.get("enum")
    if isinstance(values, list) and values:
        titles = schema.get("x-enumTitles") or schema.get("enumNames") or []
        titles = titles if isinstance(titles, list) else []
        return [Option(_plain(v), str(titles[i]) if i < len(titles) else _plain(v)) for i, v in enumerate(values)]
    for key in ("oneOf", "anyOf"):
        choices = schema.get(key)
        if isinstance(choices, list) and choices and all(isinstance(c, dict) and "const" in c for c in choices):
            return [Option(_plain(c["const"]), str(c.get("title", _plain(c["const"])))) for c in choices]
    return None


def is_money(schema: dict[str, Any], ui: dict[str, Any]) -> bool:
    if ui.get("ui:widget") == "money" or schema.get("format") == "money":
        return True
    return schema_type(schema) == "number" and MONEY_MARK in str(schema.get("title", ""))


def kind_of(schema: dict[str, Any], ui: dict[str, Any]) -> str:
    widget = ui.get("ui:widget")
    kind = schema_type(schema)
    if widget == "hidden":
        return "hidden"
    if kind == "object":
        return "fieldset" if isinstance(schema.get("properties"), dict) else "json"
    if kind == "array":
        items = schema.get("items")
        if not isinstance(items, dict):
            return "json"
        item_kind = kind_of(items, ui.get("items") or {})
        return "table" if item_kind not in ("table", "json", "hidden") else "json"
    if kind == "boolean":
        return "yesno" if widget in ("radio", "select") else "checkbox"
    if enum_options(schema) is not None:
        return "radio" if widget == "radio" else "select"
    if kind == "integer":
        return "integer"
    if kind == "number":
        return "money" if is_money(schema, ui) else "number"
    if kind == "string":
        if widget == "textarea" or (schema.get("maxLength") or 0) > 500 and widget != "text":
            return "textarea"
        if schema.get("format") == "date" or widget == "date":
            return "date"
        return "text"
    return "json"


def ordered_properties(schema: dict[str, Any], ui: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    props = schema.get("properties")
    if not isinstance(props, dict):
        return []
    order = ui.get("ui:order") if isinstance(ui.get("ui:order"), list) else []
    named = [k for k in order if k in props]
    rest = [k for k in props if k not in named]
    if "*" in order:
        at = order.index("*")
        before = [k for k in order[:at] if k in props]
        keys = before + rest + [k for k in order[at + 1:] if k in props and k not in before]
    else:
        keys = named + rest
    return [(k, props[k]) for k in keys if isinstance(props[k], dict)]


def required_names(schema: dict[str, Any]) -> set[str]:
    req = schema.get("required")
    return {str(r) for r in req} if isinstance(req, list) else set()


def sub_ui(ui: dict[str, Any], key: str) -> dict[str, Any]:
    found = ui.get(key) if isinstance(ui, dict) else None
    return found if isinstance(found, dict) else {}


def decision_key(schema: dict[str, Any] | None, ui: dict[str, Any] | None = None) -> str | None:
    """The review form's decision: a top-level string enum shown as buttons instead of a select.

    Named by the UI schema (`"ui:widget": "decision"`), else a field called `decision`/`*_decision`, else an
    enum offering a send-back or approval value. A grade (优/良/中/差) stays a select.
    """
    if not schema:
        return None
    ui = ui or {}
    candidates = [
        (k, s) for k, s in ordered_properties(schema, ui)
        if schema_type(s) == "string" and enum_options(s) and len(s.get("enum") or s.get("oneOf") or []) <= 6
    ]
    for key, _s in candidates:
        if sub_ui(ui, key).get("ui:widget") == "decision":
            return key
    for key, _s in candidates:
        if key == "decision" or key.endswith("_decision"):
            return key
    for key, s in candidates:
        if DECISION_VALUES & {o.value for o in enum_options(s) or []}:
            return key
    return None


# ---------------------------------------------------------------- values as shown


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return "" if value is None else str(value)


def number_text(value: Any, *, money: bool = False) -> str:
    """A number as a person types it: no exponent, money with two decimals; kept input stays as typed."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return "" if value is None else str(value)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    if money:
        return f"{number.quantize(Decimal('0.01')):f}"
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def display_value(f: Field, value: Any) -> str:
    if f.kind in ("checkbox", "yesno"):
        if value in (True, "true"):
            return _("是")
        return _("否") if value in (False, "false") else ""
    if f.options:
        wanted = _plain(value)
        return next((o.title for o in f.options if o.value == wanted), wanted)
    if f.kind == "money":
        text = number_text(value, money=True)
        return f"{text} {MONEY_MARK}" if text else ""
    if f.kind in ("number", "integer"):
        return number_text(value)
    return _plain(value)


def _input_value(kind: str, value: Any, schema: dict[str, Any]) -> Any:
    if value is None or value == "":
        value = schema.get("default", "")
    if kind == "checkbox":
        return value is True or value == "true"
    if kind in ("number", "integer", "money"):
        return number_text(value, money=kind == "money")
    if kind == "json" and not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False, indent=2)
    return _plain(value)


# ---------------------------------------------------------------- building the tree


class _Builder:
    def __init__(self, errors: dict[str, str], warnings: dict[str, list[str]]) -> None:
        self.errors = errors
        self.warnings = warnings
        self.labels: dict[str, str] = {}

    def field(self, key_path: str, schema: dict[str, Any], ui: dict[str, Any], value: Any, required: bool,
              label: str | None = None) -> Field:
        kind = kind_of(schema, ui)
        title = str(ui.get("ui:title") or schema.get("title") or label or key_path.rsplit(".", 1)[-1])
        f = Field(
            kind=kind, path=key_path, label=title, required=required,
            help=_text(ui.get("ui:help") or schema.get("description")),
            placeholder=_text(ui.get("ui:placeholder")),
            options=enum_options(schema) or [],
            error=self.errors.get(key_path),
            warnings=list(self.warnings.get(key_path, [])),
            readonly=bool(schema.get("readOnly") or ui.get("ui:readonly")),
            attrs=_attrs(kind, schema),
        )
        self.labels[key_path] = title
        if kind == "fieldset":
            f.children = self.members(schema, ui, value if isinstance(value, dict) else {}, key_path + ".")
        elif kind == "table":
            self._table(f, schema, ui, value)
        else:
            f.value = _input_value(kind, value, schema)
        return f

    def members(self, schema: dict[str, Any], ui: dict[str, Any], values: dict[str, Any], prefix: str) -> list[Field]:
        req = required_names(schema)
        return [
            self.field(prefix + key, sub, sub_ui(ui, key), values.get(key), key in req)
            for key, sub in ordered_properties(schema, ui)
        ]

    def _table(self, f: Field, schema: dict[str, Any], ui: dict[str, Any], value: Any) -> None:
        items = schema["items"]
        item_ui = sub_ui(ui, "items")
        scalar = kind_of(items, item_ui) != "fieldset"
        rows = value if isinstance(value, list) else []
        f.attrs = {"min_rows": schema.get("minItems", 0), "max_rows": schema.get("maxItems", MAX_ROWS_SHOWN)}

        def cells(index: str, row: Any) -> list[Field]:
            prefix = f"{f.path}.{index}"
            if scalar:
                cell = self.field(prefix, items, item_ui, row, True, label=str(items.get("title") or f.label))
                return [cell]
            return self.members(items, item_ui, row if isinstance(row, dict) else {}, prefix + ".")

        f.rows = [cells(str(i), row) for i, row in enumerate(rows[:MAX_ROWS_SHOWN])]
        # The blank row task-form.js clones; built apart so it carries no errors, warnings or labels.
        f.columns = template_cells(_Builder({}, {}), f.path, items, item_ui, scalar, f.label)
        f.fixed_rows = any(c.readonly for c in f.columns)
        if not f.rows and not f.fixed_rows:
            f.rows = [cells("0", None)]  # one blank row, so the table works without JavaScript too


def template_cells(builder: _Builder, path: str, items: dict[str, Any], item_ui: dict[str, Any], scalar: bool,
                   label: str) -> list[Field]:
    prefix = f"{path}.{INDEX}"
    if scalar:
        return [builder.field(prefix, items, item_ui, None, True, label=str(items.get("title") or label))]
    return builder.members(items, item_ui, {}, prefix + ".")


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _attrs(kind: str, schema: dict[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if kind in ("number", "integer", "money"):
        for key, attr in (("minimum", "min"), ("maximum", "max")):
            if isinstance(schema.get(key), int | float) and not isinstance(schema.get(key), bool):
                attrs[attr] = number_text(schema[key])
        attrs["step"] = "1" if kind == "integer" else "0.01" if kind == "money" else "any"
    if kind in ("text", "textarea") and isinstance(schema.get("maxLength"), int):
        attrs["maxlength"] = schema["maxLength"]
    return attrs


def warnings_by_field(items: Any) -> dict[str, list[str]]:
    """Quality warnings as the flow stores them ([{"field", "message"}]) grouped by field path."""
    found: dict[str, list[str]] = {}
    if isinstance(items, list):
        for w in items:
            if isinstance(w, dict) and w.get("message"):
                found.setdefault(str(w.get("field") or "_form"), []).append(str(w["message"]))
    return found


def build_form(
    schema: dict[str, Any] | None,
    ui: dict[str, Any] | None,
    values: dict[str, Any] | None,
    *,
    errors: dict[str, str] | None = None,
    warnings: dict[str, list[str]] | None = None,
) -> FormView:
    schema = schema if isinstance(schema, dict) else {}
    ui = ui if isinstance(ui, dict) else {}
    values = values if isinstance(values, dict) else {}
    errors = errors or {}
    warnings = warnings or {}
    builder = _Builder(errors, warnings)
    decision = decision_key(schema, ui)
    fields = builder.members(schema, ui, values, "")
    decision_field = next((f for f in fields if f.path == decision), None)
    if decision_field is not None:
        fields.remove(decision_field)
    summary = [
        (label_for(builder.labels, schema, key), message, _anchor(builder.labels, key))
        for key, message in errors.items()
    ]
    general = [m for key, ms in warnings.items() if key not in builder.labels for m in ms]
    return FormView(
        title=str(schema.get("title") or ""),
        description=_text(schema.get("description")),
        fields=fields,
        decision=decision_field,
        summary=summary,
        general_warnings=general,
    )


def _anchor(labels: dict[str, str], key: str) -> str | None:
    return "f-" + key.replace(".", "-") if key in labels else None


def label_for(labels: dict[str, str], schema: dict[str, Any], key: str) -> str:
    """`indicators.3.unit` -> "绩效指标 第 4 行 · 计量单位"; unknown keys name the form itself."""
    parts = key.split(".")
    shown: list[str] = []
    current: Any = schema
    for part in parts:
        if not isinstance(current, dict):
            break
        if part.isdigit() and schema_type(current) == "array":
            shown.append(_("第 %(n)s 行", n=int(part) + 1))
            current = current.get("items")
            continue
        props = current.get("properties") if isinstance(current.get("properties"), dict) else {}
        sub = props.get(part)
        if not isinstance(sub, dict):
            break
        shown.append(str(sub.get("title") or part))
        current = sub
    if not shown:
        return labels.get(key) or _("表单")
    return " · ".join(shown).replace(" · 第", " 第")
