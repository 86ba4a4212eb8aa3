"""The form widget registry (server/web/widgets/): every field of every shipped form has a registered kind with a
template, and a new kind is one module: a toy widget registered here renders and reads back through the same
form_render / fields.html / form_input paths the shipped kinds use, with none of them edited.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask_babel import Babel
from jinja2 import ChoiceLoader, DictLoader, FileSystemLoader
from werkzeug.datastructures import MultiDict

from server.web.form_input import parse_form
from server.web.form_render import Field, build_form
from server.web.widgets.base import KindOf, Schema, Widget
from server.web.widgets.registry import REGISTRY, Registry
from server.web.widgets.text import TEXT

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "server" / "templates"
MACROS = """{% import "forms/fields.html" as f %}{{ f.summary(form) }}{% for x in form.fields %}{{ f.field(x) }}{% endfor %}"""


def shipped_forms() -> list[tuple[str, dict, dict]]:
    found = []
    for path in sorted((ROOT / "forms").rglob("*.json")):
        if path.name.endswith(".ui.json"):
            continue
        ui = path.with_name(path.stem + ".ui.json")
        found.append((str(path.relative_to(ROOT)), json.loads(path.read_text("utf-8")),
                      json.loads(ui.read_text("utf-8")) if ui.exists() else {}))
    return found


def every_field(fields: list[Field]) -> list[Field]:
    out = []
    for f in fields:
        out.append(f)
        out += every_field(f.children) + every_field(f.columns)
        for row in f.rows:
            out += every_field(row)
    return out


# ---------------------------------------------------------------- the shipped forms


@pytest.mark.parametrize(("name", "schema", "ui"), shipped_forms(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_field_of_a_shipped_form_resolves_to_a_registered_kind(name, schema, ui):
    view = build_form(schema, ui, {})
    fields = every_field(view.fields + ([view.decision] if view.decision else []))
    assert fields, name
    for f in fields:
        assert f.kind in REGISTRY.names(), f"{name}: {f.path} has unregistered kind {f.kind}"
        # The JSON text fallback is for odd schemas; a shipped field landing there is a schema mistake.
        assert f.kind != "json", f"{name}: {f.path} fell through to JSON text"
        assert (TEMPLATES / f.widget.template).is_file(), f"{name}: {f.kind} has no template"


def test_every_registered_kind_has_a_template_with_a_control_macro():
    for kind in REGISTRY.names():
        source = (TEMPLATES / REGISTRY.widget(kind).template).read_text("utf-8")
        assert "macro control(f, label=None)" in source, kind


def test_the_first_matching_kind_wins_and_the_fallback_takes_the_rest():
    assert REGISTRY.kind_of({"type": "number", "title": "金额（元）"}, {}) == "money"
    assert REGISTRY.kind_of({"type": "number"}, {}) == "number"
    assert REGISTRY.kind_of({"type": "integer", "enum": [1, 2]}, {}) == "select"
    assert REGISTRY.kind_of({"type": "integer", "enum": [1, 2]}, {"ui:widget": "radio"}) == "radio"
    assert REGISTRY.kind_of({"type": "boolean"}, {"ui:widget": "hidden"}) == "hidden"
    assert REGISTRY.kind_of({"type": "array", "items": {"type": "array", "items": {}}}, {}) == "json"
    assert REGISTRY.kind_of({"type": "object"}, {}) == "json"
    assert REGISTRY.names()[-1] == "json"


def test_a_kind_name_is_registered_once_and_before_must_name_a_kind():
    registry = Registry([TEXT], fallback=REGISTRY.widget("json"))
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(REGISTRY.widget("text"))
    with pytest.raises(KeyError):
        registry.register(Stars(), before="no-such-kind")
    assert registry.names() == ["text", "json"]


# ---------------------------------------------------------------- a new kind is one module


class Stars(Widget):
    """A toy rating widget: an integer with `"ui:widget": "stars"`, one to five stars."""

    name = "stars"
    template = "forms/widgets/stars.html"

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        return ui.get("ui:widget") == "stars"

    def shown(self, value: Any, schema: Schema) -> Any:
        return int(value) if isinstance(value, int) and 1 <= value <= 5 else 0

    def display(self, f: Field, value: Any) -> str:
        return "★" * self.shown(value, {})

    def parse(self, text: str) -> Any:
        if text not in {"1", "2", "3", "4", "5"}:
            raise ValueError("应为 1 到 5 颗星")
        return int(text)


STARS_TEMPLATE = """{%- import "forms/fields.html" as fields -%}
{%- macro control(f, label=None) -%}
<span class="stars" id="{{ f.dom_id }}"{{ fields.cell_attrs(f, label) }}>
{%- for n in range(1, 6) %}<input type="radio" name="{{ f.path }}" value="{{ n }}"{% if n == f.value %} checked{% endif %}>{% endfor -%}
</span>
{%- endmacro -%}"""

SCHEMA = {"type": "object", "required": ["rating"], "properties": {
    "rating": {"type": "integer", "title": "满意度"},
    "votes": {"type": "array", "title": "逐项打分", "items": {"type": "integer", "title": "分"}},
    "count": {"type": "integer", "title": "人数"},
}}
UI = {"rating": {"ui:widget": "stars"}, "votes": {"items": {"ui:widget": "stars"}}}


@pytest.fixture
def stars():
    REGISTRY.register(Stars(), before="integer")
    try:
        yield
    finally:
        REGISTRY.unregister("stars")


@pytest.fixture(scope="module")
def jinja() -> Flask:
    app = Flask("widgets", template_folder=str(TEMPLATES))
    # The toy's template sits beside the shipped ones, as its file under templates/forms/widgets/ would.
    app.jinja_loader = ChoiceLoader([DictLoader({Stars.template: STARS_TEMPLATE}), FileSystemLoader(TEMPLATES)])
    Babel(app)
    return app


def render(app: Flask, view) -> str:
    with app.test_request_context():
        return render_template_string(MACROS, form=view)


def test_a_registered_toy_widget_renders_through_the_shared_macros(stars, jinja):
    view = build_form(SCHEMA, UI, {"rating": 4, "votes": [5, 2]}, errors={"rating": "太低"})
    kinds = {f.path: f.kind for f in every_field(view.fields)}
    assert kinds["rating"] == "stars" and kinds["votes"] == "table" and kinds["votes.1"] == "stars"
    assert kinds["count"] == "integer"  # the other kinds are untouched
    page = render(jinja, view)
    rating = page.split('for="f-rating"')[1].split("</div>")[0]
    # The usual label, error and required mark around the toy's own control (it has no `field` macro).
    assert "满意度" in rating and '<span class="stars" id="f-rating">' in rating and "太低" in rating
    assert '<input type="radio" name="rating" value="4" checked>' in rating
    # Inside a row table: one cell per item, the row's label on the control, a blank row template to clone.
    assert '<input type="radio" name="votes.1" value="2" checked>' in page
    assert 'aria-label="分 · 第 2 行"' in page and 'name="votes.__INDEX__"' in page

    readonly = build_form(SCHEMA, {"rating": {"ui:widget": "stars", "ui:readonly": True}}, {"rating": 3})
    assert '<span class="readonly-value" id="f-rating">★★★</span>' in render(jinja, readonly)


def test_a_registered_toy_widget_reads_back_and_names_a_refused_input(stars):
    post = MultiDict([("rating", "4"), ("votes.0", "5"), ("votes.3", "2"), ("count", "12")])
    assert parse_form(SCHEMA, UI, post) == ({"rating": 4, "votes": [5, 2], "count": 12}, {})

    data, errors = parse_form(SCHEMA, UI, MultiDict([("rating", "9"), ("votes.4", "<script>")]))
    assert errors == {"rating": "应为 1 到 5 颗星", "votes.0": "应为 1 到 5 颗星"}  # row named as sent on
    assert data == {"rating": "9", "votes": ["<script>"]}  # kept as typed for the page
    assert parse_form(SCHEMA, UI, MultiDict([("rating", "9")]), strict=False) == ({"rating": "9"}, {})


def test_without_the_toy_the_same_schema_falls_back_to_the_shipped_kinds():
    assert "stars" not in REGISTRY.names()
    view = build_form(SCHEMA, UI, {"rating": 4})
    assert view.fields[0].kind == "integer"
