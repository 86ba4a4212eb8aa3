"""The door: every text that enters a request is checked once, before authentication and before any view.

Refused anywhere (names and values alike), because some layer below cannot hold them:
- NUL (\\x00): PostgreSQL text and JSON cannot store it, the driver raises mid-transaction;
- lone surrogates (\\ud800-\\udfff unpaired): no UTF-8 encoding exists, so no database, log or JSON answer can
  carry them;
- NaN / Infinity / -Infinity and numbers too large for a float (1e999): not JSON, PostgreSQL's JSON refuses
  them, and every comparison with them is false, so form rules would silently pass;
- JSON nested deeper than any form needs (the engine and the serializer recurse).

Under /api/ the answer is the API's 422 with the offending field named (`body.data.x`, `query.q`, `path.key`);
for web pages it is a 400 error page. An endpoint that wants to check its own fields is marked
`@checks_own_fields`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask, current_app, g, render_template, request
from flask import Response as FlaskResponse
from flask_babel import gettext as _
from werkzeug.wrappers import Response

MAX_JSON_DEPTH = 32  # forms nest a few levels (indicator tables in rows); the API guard uses the same bound
_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")
# In a JSON body a NUL or a surrogate can only come as an escape (raw ones make the body invalid JSON). A body
# without such an escape, without a non-finite number and with too few brackets to be deep needs no walk: the
# hot path (a completion) pays one C-speed parse and a few byte scans.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_OWN_FIELDS_FLAG = "_checks_own_fields"
_PARSED = "jixiao_checked_json"  # on flask.g: the body the door parsed, so views do not parse it again
NOT_CHECKED = object()

F = TypeVar("F", bound=Callable[..., Any])


def checks_own_fields(view: F) -> F:
    """Let this endpoint's input past the door: the view promises to refuse bad text itself."""
    setattr(view, _OWN_FIELDS_FLAG, True)
    return view


class _NotFinite:
    """What the strict parser puts where the body said NaN, Infinity or an overflowing number."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class _Refused(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(field)
        self.field = field
        self.message = message


def strict_json_loads(raw: bytes | str, seen: list[_NotFinite] | None = None) -> Any:
    """json.loads that keeps non-finite numbers out: each becomes a marker (also added to `seen`) that the walk
    reports by field."""
    found = seen if seen is not None else []

    def not_finite(text: str) -> _NotFinite:
        found.append(_NotFinite(text))
        return found[-1]

    def parse_float(text: str) -> float | _NotFinite:
        value = float(text)
        return value if math.isfinite(value) else not_finite(text)

    return json.loads(raw, parse_constant=not_finite, parse_float=parse_float)


def checked_json() -> Any:
    """The JSON body as the door parsed and passed it (within MAX_JSON_DEPTH, no bad text), or NOT_CHECKED when
    the door did not read one (not JSON, empty, or an endpoint that checks its own fields)."""
    return g.get(_PARSED, NOT_CHECKED)


def shown(name: str) -> str:
    """A name fit for the answer: a bad character is written as its escape (a surrogate cannot be encoded)."""
    return _BAD_CHAR.sub(lambda m: f"\\u{ord(m.group()):04x}", name)


def text_problem(text: str) -> str | None:
    found = _BAD_CHAR.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return _("不能包含空字符（\\u0000）")
    return _("包含无效的字符（不成对的代理项 %(char)s）", char=shown(found.group()))


def _check_text(field: str, text: str) -> None:
    if problem := text_problem(text):
        raise _Refused(field, problem)


def _check_pairs(prefix: str, pairs: Iterable[tuple[str, str]]) -> None:
    for name, value in pairs:
        field = f"{prefix}.{shown(name)}"
        _check_text(field, name)
        _check_text(field, value)


def _check_json(value: Any) -> None:
    """Walk the parsed body without recursion, so a hostile document cannot exhaust the stack here."""
    stack: list[tuple[Any, str, int]] = [(value, "body", 0)]
    while stack:
        item, field, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _Refused(field, _("嵌套层级过深（最多 %(n)s 层）", n=MAX_JSON_DEPTH))
        if isinstance(item, str):
            _check_text(field, item)
        elif isinstance(item, _NotFinite):
            raise _Refused(field, _("应为有限的数字（不接受 NaN、Infinity 或超出范围的数）"))
        elif isinstance(item, dict):
            for key, child in item.items():
                child_field = f"{field}.{shown(key)}"
                _check_text(child_field, key)
                stack.append((child, child_field, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, f"{field}[{i}]", depth + 1) for i, child in enumerate(item))


def _check_body() -> None:
    if request.is_json:
        raw = request.get_data(cache=True)
        if not raw.strip():
            return
        not_finite: list[_NotFinite] = []
        try:
            body = strict_json_loads(raw, not_finite)
        except RecursionError:
            raise _Refused("body", _("嵌套层级过深（最多 %(n)s 层）", n=MAX_JSON_DEPTH)) from None
        except ValueError:
            return  # not JSON at all: the view answers that in its own words
        suspect = b"\\u" in raw and _SUSPECT_ESCAPE.search(raw) is not None
        if not_finite or suspect or raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH:
            _check_json(body)
        setattr(g, _PARSED, body)
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        _check_pairs("form", request.form.items(multi=True))
        for name, upload in request.files.items(multi=True):
            _check_text(f"files.{shown(name)}", name)
            _check_text(f"files.{shown(name)}", upload.filename or "")


def _inspect() -> None:
    """Raise _Refused for the first bad text in the request."""
    _check_pairs("query", request.args.items(multi=True))
    _check_pairs("path", ((k, v) for k, v in (request.view_args or {}).items() if isinstance(v, str)))
    _check_body()


def _refusal(err: _Refused) -> Response | tuple[str, int]:
    if request.path.startswith("/api/"):
        from server.api.errors import http_error

        return http_error(422, _("提交的内容含有无法处理的字符或数值"), {err.field: err.message})
    message = _("提交的内容含有无法处理的字符或数值（%(field)s：%(problem)s）", field=err.field, problem=err.message)
    return render_template("error.html", message=message), 400


def _door() -> Response | tuple[str, int] | None:
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, _OWN_FIELDS_FLAG, False):
        return None
    try:
        _inspect()
    except _Refused as err:
        return _refusal(err)
    return None


class EncodableResponse(FlaskResponse):
    """A page that echoes what a parser made of an escape (a JSON field's "\\ud800") must still be sendable:
    a lone surrogate is written as its escape instead of failing the whole answer with a 500."""

    def set_data(self, value: bytes | str) -> None:
        if isinstance(value, str):
            value = value.encode("utf-8", "backslashreplace")
        super().set_data(value)


def install(app: Flask) -> None:
    """Register the door; call before anything that reads the request (authentication, CSRF)."""
    app.before_request(_door)
    app.response_class = EncodableResponse
