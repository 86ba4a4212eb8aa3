"""What a widget kind is: how a schema selects it, how it renders, how its posted input is read back.

A kind subclasses Widget and overrides what differs from a one-line text input. The render side
(form_render) and the read side (form_input) hand a kind their walker, so a kind that holds other fields
(a group, a row table) can walk its members without importing either side.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from server.web.widgets.schema import plain

if TYPE_CHECKING:
    from server.web.form_render import Field

Schema = dict[str, Any]
KindOf = Callable[[Schema, Schema], str]


class Builder(Protocol):
    """form_render's walk, as a kind that holds other fields sees it."""

    def kind_of(self, schema: Schema, ui: Schema) -> str: ...

    def field(self, key_path: str, schema: Schema, ui: Schema, value: Any, required: bool,
              label: str | None = None) -> Field: ...

    def members(self, schema: Schema, ui: Schema, values: dict[str, Any], prefix: str) -> list[Field]: ...

    def blank(self) -> Builder:
        """A builder that attaches no errors or warnings (for a table's blank row template)."""
        ...


class Reader(Protocol):
    """form_input's walk over the posted form."""

    form: MultiDict

    def kind_of(self, schema: Schema, ui: Schema) -> str: ...

    def value(self, path: str, schema: Schema, ui: Schema, required: bool) -> Any: ...

    def members(self, schema: Schema, ui: Schema, prefix: str) -> dict[str, Any]: ...

    def text(self, path: str, raw: str, widget: Widget) -> Any:
        """Posted text trimmed and bounded, then the widget's `parse`; a refusal becomes the field's error."""
        ...

    def renamed(self, old: str, new: str) -> AbstractContextManager[None]:
        """Errors raised inside are named under `new` instead of `old` (a row read under its posted index)."""
        ...


class Widget:
    name: ClassVar[str]
    template: ClassVar[str]  # templates/forms/widgets/…: macro control(f, label=None), optionally field(f)
    readonly_as_text: ClassVar[bool] = True  # read-only: the value as text + a hidden input (groups show members)

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        """Whether this kind shows the field; kinds are asked in registry order. kind_of resolves nested schemas."""
        raise NotImplementedError

    # ------------------------------------------------------------ rendering

    def fill(self, build: Builder, f: Field, schema: Schema, ui: Schema, value: Any) -> None:
        """Put the stored value (or the schema default) into the field as its input shows it."""
        if value is None or value == "":
            value = schema.get("default", "")
        f.value = self.shown(value, schema)

    def shown(self, value: Any, schema: Schema) -> Any:
        return plain(value)

    def attrs(self, schema: Schema) -> dict[str, Any]:
        """Input attributes from the schema (min, max, maxlength…), as `f.attrs` for the template."""
        return {}

    def display(self, f: Field, value: Any) -> str:
        """A read-only value as a person reads it."""
        if f.options:
            wanted = plain(value)
            return next((o.title for o in f.options if o.value == wanted), wanted)
        return plain(value)

    # ------------------------------------------------------------ reading back

    def read(self, walk: Reader, path: str, schema: Schema, ui: Schema, required: bool) -> Any:
        """The posted value at `path` typed for the schema; None when nothing was sent (left out of the data)."""
        raw = walk.form.get(path)
        return None if raw is None else walk.text(path, raw, self)

    def parse(self, text: str) -> Any:
        """Non-empty trimmed text → value; raise ValueError to refuse it (the input is kept as typed)."""
        return text

    def message(self, err: Exception) -> str:
        """The field message for a refused input."""
        return str(err) if str(err) else _("取值不符合要求")
