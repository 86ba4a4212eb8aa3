"""The fallback for what no other kind shows (an object without properties, an array of arrays…): JSON text."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _

from server.web.widgets.base import KindOf, Schema, Widget


class JsonText(Widget):
    name = "json"
    template = "forms/widgets/textarea.html"

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        return True

    def shown(self, value: Any, schema: Schema) -> Any:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2)

    def parse(self, text: str) -> Any:
        return json.loads(text)

    def message(self, err: Exception) -> str:
        return _("格式不正确（应为 JSON）")


JSON_TEXT = JsonText()
