"""Run-time helpers the sandbox compiler wires into user code (names like `_mul_`, `_getattr_`).

CPython cannot interrupt a single C-level operation, so `'a' * 10**10`, `10**10**10` or a modular `pow` with
16 000-bit operands would hang the worker before the time budget ever sees an opcode. The compiler therefore
rewrites `*`, `**`, `<<`, `%`, `//`, `+` and f-strings into these helpers, which refuse operands and results
above fixed limits before computing them. Everything one run builds in a single C call (repetition,
concatenation, copies) is also charged to an allocation meter, so a loop of allowed steps cannot pile up
hundreds of megabytes either.
"""

from __future__ import annotations

import re
import string
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Context, Decimal
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
MAX_ALLOC = 4_000_000  # items/characters one run may build in C-level operations, all together
MAX_INT_BITS = 64_000  # ~19 000 decimal digits
MAX_POW_MOD_WORK = 2048 * 2048  # exponent bits x modulus bits of a modular pow (2048-bit RSA-sized: ~0.1 s)
MAX_DECIMAL_DIGITS = 19_000  # digits and exponent of a Decimal (int(Decimal) stays within MAX_INT_BITS)
MAX_FORMAT_WIDTH = 10_000
_SEQ = (str, bytes, list, tuple)
_CONTAINERS = (list, tuple, dict, set, frozenset)
_WIDTH = re.compile(r"\d+")
# Arithmetic on Decimals runs in this context (see sandbox.run_with_budget): results past the exponent bound
# overflow at once instead of growing numbers whose int() would take minutes.
DECIMAL_CONTEXT = Context(prec=28, Emax=MAX_DECIMAL_DIGITS, Emin=-MAX_DECIMAL_DIGITS)
# Attribute names that walk the class hierarchy (to BaseException and the time budget's own exception);
# the dunder forms are refused by the compiler already.
_HIERARCHY_WALKS = frozenset({"mro"})


class SandboxViolation(Exception):
    """User code tried something the sandbox forbids (raised at run time)."""


# --- the allocation meter, one per thread (each run resets it) --------------------------------------------

_meter = threading.local()


def reset_meter() -> None:
    _meter.used = 0
    _meter.expired = False


def decimal_context() -> Context:
    """This thread's copy of DECIMAL_CONTEXT (a context collects flags: not shared between threads)."""
    ctx = getattr(_meter, "decimal", None)
    if ctx is None:
        ctx = _meter.decimal = DECIMAL_CONTEXT.copy()
    return ctx


def expire() -> None:
    _meter.expired = True


def charge(n: int) -> None:
    used = getattr(_meter, "used", 0) + n
    _meter.used = used
    if used > MAX_ALLOC:
        raise SandboxViolation(_("脚本占用内存超出上限（累计 %(n)s 项，上限 %(limit)s）", n=used, limit=MAX_ALLOC))


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_items(n: int) -> None:
    if n > MAX_ITEMS:
        raise SandboxViolation(_("结果过大（%(n)s 项，上限 %(limit)s）", n=n, limit=MAX_ITEMS))


def _build(n: int) -> None:
    """A single operation is about to build `n` items: refuse it alone, and count it for the run."""
    _check_items(n)
    charge(n)


def _check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise SandboxViolation(
            _("整数过大（约 %(bits)s 位二进制，上限 %(limit)s）", bits=bits, limit=MAX_INT_BITS)
        )


def _check_format(spec: str) -> None:
    if "*" in spec or any(int(m) > MAX_FORMAT_WIDTH for m in _WIDTH.findall(spec)):
        raise SandboxViolation(_("格式宽度过大"))


def deep_size(obj: Any, limit: int = MAX_ALLOC) -> int:
    """Items reachable from `obj` (each container counted once), stopping as soon as `limit` is passed.

    `[r] * 100` with a million-item `r` is a two-item list but serializes a hundred million items."""
    if not isinstance(obj, _CONTAINERS):
        return len(obj) if isinstance(obj, (str, bytes)) else 1
    total, seen, stack = 0, set(), [obj]
    while stack and total <= limit:
        cur = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        items = cur.values() if isinstance(cur, dict) else cur
        total += len(cur)
        # One C-level pass finds whether anything inside is itself a container or a long string.
        if not set(map(type, items)).isdisjoint(_CONTAINERS + (str, bytes)):
            for item in items:
                if isinstance(item, _CONTAINERS):
                    stack.append(item)
                elif isinstance(item, (str, bytes)):
                    total += len(item)
    return total


# --- operators ---------------------------------------------------------------------------------------------


def guarded_mul(a: Any, b: Any) -> Any:
    if isinstance(a, _SEQ) and _int(b):
        _build(deep_size(a) * b if b > 0 else 0)
    elif isinstance(b, _SEQ) and _int(a):
        _build(deep_size(b) * a if a > 0 else 0)
    elif _int(a) and _int(b):
        _check_bits(a.bit_length() + b.bit_length())
    return a * b


def guarded_add(a: Any, b: Any) -> Any:
    if isinstance(a, _SEQ) and isinstance(b, _SEQ):
        _build(len(a) + len(b))
    return a + b


def guarded_pow(a: Any, b: Any, mod: Any = None) -> Any:
    if mod is None:
        if _int(a) and _int(b) and b > 0 and abs(a) > 1:
            _check_bits(a.bit_length() * b)
        # Decimal powers overflow in DECIMAL_CONTEXT, float powers at 1e308.
        return pow(a, b)
    if _int(a) and _int(b) and _int(mod):
        for v in (a, b, mod):
            _check_bits(v.bit_length())
        if abs(b).bit_length() * mod.bit_length() > MAX_POW_MOD_WORK:
            raise SandboxViolation(_("模幂运算的指数和模数过大"))
    return pow(a, b, mod)


def guarded_lshift(a: Any, b: Any) -> Any:
    if _int(a) and _int(b) and b > 0:
        _check_bits(a.bit_length() + b)
    return a << b


def _check_operands(a: Any, b: Any) -> None:
    # Integers are capped where they are made; this also covers any that arrived some other way.
    if _int(a) and _int(b):
        _check_bits(max(a.bit_length(), b.bit_length()))


def guarded_floordiv(a: Any, b: Any) -> Any:
    _check_operands(a, b)
    return a // b


def guarded_mod(a: Any, b: Any) -> Any:
    if isinstance(a, str):
        _check_format(a)
        result = a % b
        charge(len(result))
        return result
    _check_operands(a, b)
    return a % b


def guarded_divmod(a: Any, b: Any) -> Any:
    _check_operands(a, b)
    return divmod(a, b)


def guarded_fstring(value: str) -> str:
    """An f-string's result, charged after the fact: its parts were each charged already, so at most it doubles."""
    charge(len(value))
    return value


_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": guarded_add,
    "-=": lambda a, b: a - b,
    "*=": guarded_mul,
    "/=": lambda a, b: a / b,
    "//=": guarded_floordiv,
    "%=": guarded_mod,
    "**=": guarded_pow,
    "<<=": guarded_lshift,
    ">>=": lambda a, b: a >> b,
    "|=": lambda a, b: a | b,
    "^=": lambda a, b: a ^ b,
    "&=": lambda a, b: a & b,
}


def guarded_inplacevar(op: str, a: Any, b: Any) -> Any:
    fn = _INPLACE.get(op)
    if fn is None:
        raise SandboxViolation(_("不支持的运算 %(op)s", op=op))
    if op == "+=" and isinstance(a, list) and not isinstance(b, _SEQ):
        charge(len(b) if hasattr(b, "__len__") else 0)
    return fn(a, b)


def catchable(spec: Any) -> tuple[type[Exception], ...]:
    """What an `except` clause of user code may catch: `except X` is compiled to `except _catchable_(X)`.

    Only Exception subclasses, and nothing once the time budget has run out, whatever class the script found
    (`ValueError.mro()[2]` is BaseException). It never raises: an error here would replace the exception
    being handled, and an outer `except Exception` could then catch that in place of the time budget."""
    if getattr(_meter, "expired", False):
        return ()
    items = spec if isinstance(spec, tuple) else (spec,)
    return tuple(c for c in items if isinstance(c, type) and issubclass(c, Exception))


# --- methods and builtins that build large results ------------------------------------------------------


def _format_size(fmt: str) -> None:
    for _literal, _field, spec, _conv in string.Formatter().parse(fmt):
        if spec:
            _check_format(spec)


def _str_method(obj: str | bytes, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap padding/replacing string methods whose result size is chosen by an argument."""

    def guarded(*args: Any, **kwargs: Any) -> Any:
        if name in ("ljust", "rjust", "center", "zfill") and args and _int(args[0]):
            _build(args[0])
        elif name == "expandtabs":
            size = args[0] if args else kwargs.get("tabsize", 8)
            if _int(size):
                _build(len(obj) + obj.count("\t" if isinstance(obj, str) else b"\t") * size)
        elif name == "translate" and args and isinstance(args[0], dict):
            longest = max((len(v) for v in args[0].values() if isinstance(v, (str, bytes))), default=1)
            _build(len(obj) * max(longest, 1))
        elif name == "replace" and len(args) >= 2:
            _build(len(obj) + (obj.count(args[0]) + 1) * len(args[1]))
        elif name == "join" and args:
            parts = list(args[0])
            try:  # map(len) stays in C: no traced Python frame per item
                size = sum(map(len, parts))
            except TypeError:
                size = 0  # join itself will refuse non-strings
            _build(size + len(obj) * len(parts))
            return method(parts)
        return method(*args, **kwargs)

    return guarded


def _list_method(obj: list, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any) -> Any:
        if args and hasattr(args[0], "__len__"):
            charge(len(args[0]))
        return method(*args)

    return guarded


def _int_from_bytes(method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(data: Any, *args: Any, **kwargs: Any) -> Any:
        if hasattr(data, "__len__"):
            _check_bits(len(data) * 8)
        return method(data, *args, **kwargs)

    return guarded


def _int_to_bytes(method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(length: Any = 1, *args: Any, **kwargs: Any) -> Any:
        if _int(length):
            _build(length)
        return method(length, *args, **kwargs)

    return guarded


_AMPLIFYING = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs", "replace", "join", "translate"})


def guarded_getattr(obj: Any, name: str, default: Any = None) -> Any:
    if name in _HIERARCHY_WALKS:
        raise SandboxViolation(_("不允许访问“%(name)s”", name=name))
    value = safer_getattr(obj, name, default)
    if isinstance(obj, (str, bytes)):
        if name in _AMPLIFYING:
            return _str_method(obj, name, value)
    elif isinstance(obj, list):
        if name == "extend":
            return _list_method(obj, name, value)
    elif name == "from_bytes" and (_int(obj) or obj is int or obj is bool):
        return _int_from_bytes(value)
    elif name == "to_bytes" and _int(obj):
        return _int_to_bytes(value)
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


def guarded_decimal(value: Any = "0", context: Any = None) -> Decimal:
    """`Decimal(...)`: exact from any text, so bounded here (DECIMAL_CONTEXT bounds the arithmetic)."""
    if context is not None:
        raise SandboxViolation(_("不允许为 Decimal 指定上下文"))
    if isinstance(value, str) and len(value) > MAX_DECIMAL_DIGITS + 100:
        raise SandboxViolation(_("Decimal 数值过大"))
    result = Decimal(value)
    if result.is_finite() and (
        abs(result.adjusted()) > MAX_DECIMAL_DIGITS or len(result.as_tuple().digits) > MAX_DECIMAL_DIGITS
    ):
        raise SandboxViolation(_("Decimal 数值过大"))
    return result


class _Printed(PrintCollector):
    """`print` output (read back through `printed`), charged as it is written."""

    def write(self, text: str) -> None:
        charge(len(text))
        super().write(text)


def guarded_round(number: Any, ndigits: Any = None) -> Any:
    # round(5, -10**7) computes 10**10**7 first.
    if _int(ndigits) and abs(ndigits) > MAX_DECIMAL_DIGITS:
        raise SandboxViolation(_("round() 的位数过大"))
    return round(number) if ndigits is None else round(number, ndigits)


class _Copying:
    """A builtin type whose calls copy an iterable (`list(range(10**6))`), charged to the meter.

    Still a type for the script: `isinstance(x, list)` works through __instancecheck__."""

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        result = self.cls(*args, **kwargs)
        charge(len(result))
        return result

    def __instancecheck__(self, obj: Any) -> bool:
        return isinstance(obj, self.cls)

    def __subclasscheck__(self, cls: Any) -> bool:
        return issubclass(cls, self.cls)

    def __getattr__(self, name: str) -> Any:  # dict.fromkeys and the like (guarded_getattr sees the name first)
        value = getattr(self.cls, name)
        return _charged(value) if callable(value) else value


def _charged(method: Callable[..., Any]) -> Callable[..., Any]:
    def charged(*args: Any, **kwargs: Any) -> Any:
        if args and hasattr(args[0], "__len__"):  # dict.fromkeys(range(10**6)): before building it
            charge(len(args[0]))
        return method(*args, **kwargs)

    return charged

    def __repr__(self) -> str:
        return repr(self.cls)


def guarded_sorted(items: Iterable[Any], **kwargs: Any) -> list[Any]:
    result = sorted(items, **kwargs)
    charge(len(result))
    return result


def _build_builtins() -> dict[str, Any]:
    names = {k: v for k, v in safe_builtins.items() if not k.startswith("_")}
    unsafe_names = ("setattr", "delattr", "pow", "range", "hash", "id", "compile", "divmod")
    # Without these (and with every `except` filtered by `catchable`) user code cannot catch SandboxTimeout.
    catch_all = ("BaseException", "KeyboardInterrupt", "SystemExit", "GeneratorExit")
    for unsafe in unsafe_names + catch_all:
        names.pop(unsafe, None)
    names.update(
        {
            "pow": guarded_pow,
            "divmod": guarded_divmod,
            "range": guarded_range,
            "sum": guarded_sum,
            "round": guarded_round,
            "len": len,
            "min": min,
            "max": max,
            "sorted": guarded_sorted,
            "reversed": reversed,
            "enumerate": enumerate,
            "zip": zip,
            "map": map,
            "filter": filter,
            "any": any,
            "all": all,
            "list": _Copying(list),
            "dict": _Copying(dict),
            "set": _Copying(set),
            "frozenset": _Copying(frozenset),
            "tuple": _Copying(tuple),
            "Decimal": guarded_decimal,
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
    "_print_": _Printed,
    "_mul_": guarded_mul,
    "_add_": guarded_add,
    "_pow_": guarded_pow,
    "_lshift_": guarded_lshift,
    "_mod_": guarded_mod,
    "_floordiv_": guarded_floordiv,
    "_fstring_": guarded_fstring,
    "_catchable_": catchable,
}
