"""gettext for the engine's user-visible messages, without making the engine depend on Flask.

The engine also runs outside any app (CLI deploy, benchmarks, engine tests), so it cannot import
flask_babel's `gettext` directly: that needs an app context. `_` translates through Flask-Babel when an
app context is active (the request's language), and otherwise returns the Chinese source text itself.
Messages use gettext placeholders (`_("任务 %(id)s", id=x)`), never f-strings: the msgid must be constant
so `pybabel extract` finds it and the catalog can match it.
"""

from __future__ import annotations

from typing import Any


def _(message: str, **values: Any) -> str:
    try:  # Flask is imported lazily: importing the engine must not need it
        from flask import current_app, has_app_context
    except ImportError:  # pragma: no cover - the engine used without Flask installed
        return message % values if values else message
    if has_app_context() and "babel" in current_app.extensions:
        from flask_babel import gettext

        return gettext(message, **values)
    return message % values if values else message
