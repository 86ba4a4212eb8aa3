"""Whether data can be stored: what the state serializer writes as JSON and reads back.

A script may leave anything in task data (a range, a generator, bytes, a set, a 10 000-digit int, a list
nested a million deep); the serializer then fails at save time, far from the script. `first_unstorable`
walks a value once and names the first part that would not survive, for an error naming the variable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from server.engine.i18n import _

MAX_DEPTH = 100  # JSON nesting; deeper (or a list holding itself) fails the encoder
_SCALARS = (str, bool, float, type(None), Decimal, datetime, date, timedelta, UUID)  # see serializer._build_registry
_KEYS = (str, int, float, bool, type(None))  # what json.dumps accepts as object keys


@dataclass(frozen=True)
class Unstorable:
    variable: str  # the variable, with the path inside it: items[0]["x"]
    reason: str

    def __str__(self) -> str:
        return _("变量“%(variable)s”无法保存：%(reason)s", variable=self.variable, reason=self.reason)


def _kind(value: Any) -> str:
    return type(value).__name__


def _int_problem(value: int) -> str | None:
    if value.bit_length() < 14_000:  # 4 300 digits (the interpreter's int/str limit) is about 14 284 bits
        return None
    try:
        str(value)
    except ValueError:
        return _("整数位数过多")
    return None


def problem_of(value: Any, path: str) -> Unstorable | None:
    """The first part of `value` (named from `path`) that cannot be stored, or None."""
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        cur, where, depth = stack.pop()
        if isinstance(cur, _SCALARS):
            continue
        if isinstance(cur, int):
            reason = _int_problem(cur)
            if reason:
                return Unstorable(where, reason)
            continue
        if depth >= MAX_DEPTH:
            return Unstorable(where, _("嵌套过深（超过 %(n)s 层）或包含自身", n=MAX_DEPTH))
        if isinstance(cur, dict):
            for key, item in cur.items():
                if not isinstance(key, _KEYS):
                    return Unstorable(where, _("字典的键不能是 %(kind)s", kind=_kind(key)))
                stack.append((item, f"{where}[{key!r}]", depth + 1))
        elif isinstance(cur, (list, tuple)):
            stack.extend((item, f"{where}[{i}]", depth + 1) for i, item in enumerate(cur))
        else:
            return Unstorable(where, _("%(kind)s 类型的值不能保存", kind=_kind(cur)))
    return None


def first_unstorable(data: dict[str, Any], names: Iterable[str] | None = None) -> Unstorable | None:
    """Check the variables `names` of `data` (all of them by default)."""
    for name in data if names is None else names:
        found = problem_of(data[name], name)
        if found is not None:
            return found
    return None
