"""Whether data can be stored: what the state serializer writes as JSON and reads back.

A script may leave anything in task data (a range, a generator, bytes, a set, a 10 000-digit int, a list
nested a million deep, or one list referenced a hundred thousand times, which serializes a hundred thousand
times); the serializer then fails or runs away at save time, far from the script. `first_unstorable` walks the
data once, within a budget, and names the first part that would not survive, for an error naming the variable.
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
MAX_NODES = 1_000_000  # values as serialized (a list referenced twice counts twice)
MAX_CHARS = 16_000_000  # text as serialized; the saved state has its own, configured bound
_SCALARS = (bool, float, type(None), Decimal, datetime, date, timedelta, UUID)  # see serializer._build_registry
_KEYS = (str, int, float, bool, type(None))  # what json.dumps accepts as object keys


@dataclass(frozen=True)
class Unstorable:
    variable: str  # the variable, with the path inside it: items[0]["x"]
    reason: str

    def __str__(self) -> str:
        return _("变量“%(variable)s”无法保存：%(reason)s", variable=self.variable, reason=self.reason)


def _int_problem(value: int) -> str | None:
    if value.bit_length() < 14_000:  # 4 300 digits (the interpreter's int/str limit) is about 14 284 bits
        return None
    try:
        str(value)
    except ValueError:
        return _("整数位数过多")
    return None


def _path(ref: tuple[Any, ...]) -> str:
    """Spell out a (parent, key) chain whose first key is the variable's name: items[0]['x']."""
    keys: list[Any] = []
    while ref:
        ref, key = ref
        keys.append(key)
    name, *rest = reversed(keys)
    return str(name) + "".join(f"[{k!r}]" for k in rest)


class _Budget:
    __slots__ = ("chars", "nodes")

    def __init__(self) -> None:
        self.nodes = 0
        self.chars = 0


_PLAIN = frozenset({bool, float, type(None), Decimal, datetime, date, timedelta, UUID})  # exact types: a set lookup


def _walk(root: dict[str, Any], budget: _Budget) -> Unstorable | None:
    # Paths are kept as (parent, key) links and spelled out only for the one value reported. Scalars inside a
    # container are checked in its loop (exact types first: a set lookup); only containers go on the stack.
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(root, -1, ())]  # root: variable name -> value
    nodes, chars = budget.nodes, budget.chars
    while stack:
        cur, depth, ref = stack.pop()
        if depth >= MAX_DEPTH:
            return Unstorable(_path(ref), _("嵌套过深（超过 %(n)s 层）或包含自身", n=MAX_DEPTH))
        is_dict = isinstance(cur, dict)
        nodes += len(cur)
        for key, item in cur.items() if is_dict else enumerate(cur):
            kind = type(item)
            if kind is str:
                chars += len(item)
            elif kind in _PLAIN:
                pass
            elif kind is dict or kind is list or kind is tuple:
                stack.append((item, depth + 1, (ref, key)))
            elif isinstance(item, int):  # bool is in _PLAIN
                if item.bit_length() >= 14_000 and _int_problem(item):
                    return Unstorable(_path((ref, key)), _("整数位数过多"))
            elif isinstance(item, str):
                chars += len(item)
            elif isinstance(item, (dict, list, tuple)):
                stack.append((item, depth + 1, (ref, key)))
            elif not isinstance(item, _SCALARS):
                return Unstorable(_path((ref, key)), _("%(kind)s 类型的值不能保存", kind=kind.__name__))
            if is_dict and type(key) is not str and not isinstance(key, _KEYS):
                return Unstorable(_path(ref), _("字典的键不能是 %(kind)s", kind=type(key).__name__))
        if nodes > MAX_NODES or chars > MAX_CHARS:
            return Unstorable(_path(ref), _("数据过大（超过 %(n)s 项或 %(chars)s 字符）", n=MAX_NODES, chars=MAX_CHARS))
    budget.nodes, budget.chars = nodes, chars
    return None


def problem_of(value: Any, path: str) -> Unstorable | None:
    """The first part of `value` (named from `path`) that cannot be stored, or None."""
    return _walk({path: value}, _Budget())


def first_unstorable(data: dict[str, Any], names: Iterable[str] | None = None) -> Unstorable | None:
    """Check the variables `names` of `data` (all of them by default) in one walk, with one budget."""
    return _walk(data if names is None else {name: data[name] for name in names}, _Budget())
