"""A task's JSON Schema + UI schema turned into a tree of fields that the macros in templates/forms/ render.

Each field's kind comes from the widget registry (server/web/widgets/registry.py): the kind fills the field
and names the template that renders it; `form_input` walks the same schema with the same registry to turn the
posted form back into typed JSON, so names and kinds can never disagree.

Posted names are dotted paths: `amount`, `expert_review.necessity`, `indicators.3.unit`, `materials.0`
(the keys ValidationFailed.fields uses), so errors and warnings land next to the field they concern.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from server.flows.goal_review import quality as goal_quality
from server.services.choices import Choice, field_entries
from server.web.suggestions import SOURCES, Suggestion
from server.web.widgets.base import Widget
from server.web.widgets.registry import REGISTRY, kind_of
from server.web.widgets.schema import (
    Option,
    enum_options,
    ordered_properties,
    required_names,
    schema_type,
    sub_ui,
)

__all__ = ["Field", "FormView", "build_form", "decision_key", "display_value", "kind_of", "label_for",
           "warnings_by_field"]

DECISION_VALUES = frozenset({"send_back", "pass", "approve", "reject", "agree"})


@dataclass
class Field:
    kind: str  # a registered widget kind (server/web/widgets/registry.py)
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
    def widget(self) -> Widget:
        return REGISTRY.widget(self.kind)

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
    suggest: tuple[str, ...] = ()  # the suggestion lists the fields refer to
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def suggestions(self) -> dict[str, list[Suggestion]]:
        """The datalists, read when the page renders them (building a form needs no database)."""
        return {name: SOURCES[name](self.context) for name in self.suggest}


# ---------------------------------------------------------------- the decision


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


def display_value(f: Field, value: Any) -> str:
    return f.widget.display(f, value)


# ---------------------------------------------------------------- building the tree


class _Builder:
    def __init__(self, errors: dict[str, str], warnings: dict[str, list[str]],
                 suggest: set[str] | None = None, choices: Mapping[str, list[Choice]] | None = None) -> None:
        self.errors = errors
        self.warnings = warnings
        self.labels: dict[str, str] = {}
        self.suggest = suggest if suggest is not None else set()  # suggestion lists the fields use
        self.choices = dict(choices or {})  # the choice sources' entries the user may read (services/choices.py)

    def kind_of(self, schema: dict[str, Any], ui: dict[str, Any]) -> str:
        return REGISTRY.kind_of(schema, ui)

    def blank(self) -> _Builder:
        return _Builder({}, {}, self.suggest, self.choices)

    def field(self, key_path: str, schema: dict[str, Any], ui: dict[str, Any], value: Any, required: bool,
              label: str | None = None) -> Field:
        widget = REGISTRY.select(schema, ui)
        title = str(ui.get("ui:title") or schema.get("title") or label or key_path.rsplit(".", 1)[-1])
        f = Field(
            kind=widget.name, path=key_path, label=title, required=required,
            help=_text(ui.get("ui:help") or schema.get("description")),
            placeholder=_text(ui.get("ui:placeholder")),
            options=enum_options(schema) or [],
            error=self.errors.get(key_path),
            warnings=list(self.warnings.get(key_path, [])),
            readonly=bool(schema.get("readOnly") or ui.get("ui:readonly")),
            attrs=widget.attrs(schema),
        )
        self.labels[key_path] = title
        options = ui.get("ui:options")
        suggest = options.get("suggest") if isinstance(options, dict) else None
        if widget.name == "text" and isinstance(suggest, str) and suggest in SOURCES:
            f.attrs = {**f.attrs, "list": f"suggest-{suggest}"}
            self.suggest.add(suggest)
        if widget.name == "choices":
            f.options = [Option(c.value, c.label) for c in field_entries(ui, self.choices) or []]
        widget.fill(self, f, schema, ui, value)
        return f

    def members(self, schema: dict[str, Any], ui: dict[str, Any], values: dict[str, Any], prefix: str) -> list[Field]:
        req = required_names(schema)
        return [
            self.field(prefix + key, sub, sub_ui(ui, key), values.get(key), key in req)
            for key, sub in ordered_properties(schema, ui)
        ]


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def warnings_by_field(items: Any) -> dict[str, list[str]]:
    """Quality warnings as the flow stores them ([{"field", "code", "params", "message"}]) grouped by field path,
    in the reader's language (goal_review.quality.message_of)."""
    found: dict[str, list[str]] = {}
    if isinstance(items, list):
        for w in items:
            if isinstance(w, dict) and (text := goal_quality.message_of(w)):
                found.setdefault(str(w.get("field") or "_form"), []).append(text)
    return found


def build_form(
    schema: dict[str, Any] | None,
    ui: dict[str, Any] | None,
    values: dict[str, Any] | None,
    *,
    errors: dict[str, str] | None = None,
    warnings: dict[str, list[str]] | None = None,
    context: Mapping[str, Any] | None = None,
    choices: Mapping[str, list[Choice]] | None = None,
) -> FormView:
    """The form as the page renders it. `context` tells suggestion lists what they are for (the project's
    sector); `choices` holds the entries of the choice sources the fields name (services.choices.for_form)."""
    schema = schema if isinstance(schema, dict) else {}
    ui = ui if isinstance(ui, dict) else {}
    values = values if isinstance(values, dict) else {}
    errors = errors or {}
    warnings = warnings or {}
    builder = _Builder(errors, warnings, choices=choices)
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
        suggest=tuple(sorted(builder.suggest)),
        context=dict(context or {}),
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
