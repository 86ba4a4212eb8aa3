"""Run-time helpers the sandbox compiler wires into user code (names like `_mul_`, `_getattr_`).

CPython cannot interrupt a single C-level operation, so `'a' * 10**10` or `10**10**10` would hang
the worker before the time budget ever sees a line event. The compiler therefore rewrites `*`, `**`,
`<<` and `%` into these helpers, which refuse results above fixed size limits before computing them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from RestrictedPython.PrintCollector import PrintCollector

from server.engine.i18n import _

MAX_ITEMS = 1_000_000  # largest string/sequence one operation may build
MAX_INT_BITS = 64_000  # ~19 000 decimal digits
MAX_FORMAT_WIDTH = 10_000
_SEQ = (str, bytes, list, tuple)
_WIDTH = re.compile(r"\d+")


class SandboxViolation(Exception):
    """User code tried something the sandbox forbids (raised at run time)."""


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_items(n: int) -> None:
    if n > MAX_ITEMS:
        raise SandboxViolation(_("结果过大（%(n)s 项，上限 %(limit)s）", n=n, limit=MAX_ITEMS))


def _check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise SandboxViolation(
            _("整数过大（约 %(bits)s 位二进制，上限 %(limit)s）", bits=bits, limit=MAX_INT_BITS)
        )


def _check_format(spec: str) -> None:
    if "*" in spec or any(int(m) > MAX_FORMAT_WIDTH for m in _WIDTH.findall(spec)):
        raise SandboxViolation(_("格式宽度过大"))


def guarded_mul(a: Any, b: Any) -> Any:
    if isinstance(a, _SEQ) and _int(b):
        _check_items(len(a) * b)
    elif isinstance(b, _SEQ) and _int(a):
        _check_items(len(b) * a)
    elif _int(a) and _int(b):
        _check_bits(a.bit_length() + b.bit_length())
    return a * b


def guarded_pow(a: Any, b: Any, mod: Any = None) -> Any:
    if mod is None and _int(a) and _int(b) and b > 0 and abs(a) > 1:
        _check_bits(a.bit_length() * b)
    # Decimal and float powers are bounded by their own contexts (they overflow fast).
    return pow(a, b) if mod is None else pow(a, b, mod)


def guarded_lshift(a: Any, b: Any) -> Any:
    if _int(a) and _int(b) and b > 0:
        _check_bits(a.bit_length() + b)
    return a << b


def guarded_mod(a: Any, b: Any) -> Any:
    if isinstance(a, str):
        _check_format(a)
    return a % b


_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": lambda a, b: a + b,
    "-=": lambda a, b: a - b,
    "*=": guarded_mul,
    "/=": lambda a, b: a / b,
    "//=": lambda a, b: a // b,
    "%=": guarded_mod,
    "**=": guarded_pow,
    "<<=": guarded_lshift,
    ">>=": lambda a, b: a >> b,
    "|=": lambda a, b: a | b,
    "^=": lambda a, b: a ^ b,
    "&=": lambda a, b: a & b,
    "@=": lambda a, b: a @ b,
}


def guarded_inplacevar(op: str, a: Any, b: Any) -> Any:
    fn = _INPLACE.get(op)
    if fn is None:
        raise SandboxViolation(_("不支持的运算 %(op)s", op=op))
    return fn(a, b)


def _str_method(obj: str | bytes, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap padding/replacing string methods whose result size is chosen by an argument."""

    def guarded(*args: Any, **kwargs: Any) -> Any:
        if name in ("ljust", "rjust", "center", "zfill") and args and _int(args[0]):
            _check_items(args[0])
        elif name == "expandtabs":
            size = args[0] if args else kwargs.get("tabsize", 8)
            if _int(size):
                _check_items(len(obj) + obj.count("\t" if isinstance(obj, str) else b"\t") * size)
        elif name == "replace" and len(args) >= 2:
            _check_items(len(obj) + (obj.count(args[0]) + 1) * len(args[1]))
        elif name == "join" and args:
            parts = list(args[0])
            try:  # map(len) stays in C: no traced Python frame per item
                size = sum(map(len, parts))
            except TypeError:
                size = 0  # join itself will refuse non-strings
            _check_items(size + len(obj) * len(parts))
            return method(parts)
        return method(*args, **kwargs)

    return guarded


_AMPLIFYING = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs", "replace", "join"})


def guarded_getattr(obj: Any, name: str, default: Any = None) -> Any:
    value = safer_getattr(obj, name, default)
    if name in _AMPLIFYING and isinstance(obj, (str, bytes)):
        return _str_method(obj, name, value)
    return value


def guarded_getitem(obj: Any, key: Any) -> Any:
    return obj[key]


def guarded_apply(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


def guarded_range(*args: int) -> range:
    r = range(*args)
    _check_items(len(r))
    return r


def guarded_sum(items: Iterable[Any], start: Any = 0) -> Any:
    # sum(lists, []) concatenates quadratically inside one C call; numbers only.
    if not isinstance(start, (int, float, Decimal)):
        raise SandboxViolation(_("sum() 只能对数字求和"))
    return sum(items, start)


def _build_builtins() -> dict[str, Any]:
    names = {k: v for k, v in safe_builtins.items() if not k.startswith("_")}
    unsafe_names = ("setattr", "delattr", "pow", "range", "hash", "id", "compile")
    # Without these (and with bare `except:` refused) user code cannot catch SandboxTimeout.
    catch_all = ("BaseException", "KeyboardInterrupt", "SystemExit", "GeneratorExit")
    for unsafe in unsafe_names + catch_all:
        names.pop(unsafe, None)
    names.update(
        {
            "pow": guarded_pow,
            "range": guarded_range,
            "sum": guarded_sum,
            "len": len,
            "min": min,
            "max": max,
            "sorted": sorted,
            "reversed": reversed,
            "enumerate": enumerate,
            "zip": zip,
            "map": map,
            "filter": filter,
            "any": any,
            "all": all,
            "list": list,
            "dict": dict,
            "set": set,
            "frozenset": frozenset,
            "tuple": tuple,
            "Decimal": Decimal,
            "datetime": datetime,
            "date": date,
            "time": time,
            "timedelta": timedelta,
            "timezone": timezone,
            "UTC": UTC,
        }
    )
    return names


SAFE_BUILTINS: dict[str, Any] = _build_builtins()

# Globals every sandboxed code object runs with (plus task data and the `now` helper).
GUARD_GLOBALS: dict[str, Any] = {
    "__builtins__": SAFE_BUILTINS,
    "_getattr_": guarded_getattr,
    "_getitem_": guarded_getitem,
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": guarded_inplacevar,
    "_apply_": guarded_apply,
    "_print_": PrintCollector,
    "_mul_": guarded_mul,
    "_pow_": guarded_pow,
    "_lshift_": guarded_lshift,
    "_mod_": guarded_mod,
}
