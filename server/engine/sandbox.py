"""Compile and run user expressions/scripts under RestrictedPython with a CPU time budget.

Every script, gateway condition, DMN entry, multi-instance expression, timer expression, service
parameter and task property passes through `Sandbox`. SpiffWorkflow's own engine runs plain
`exec`, so a gateway condition could otherwise run a shell command.
"""

from __future__ import annotations

import ast
import decimal
import re
import sys
import threading
import time
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any, Literal

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import copy_locations

from server.engine import datacheck, guards
from server.engine.guards import GUARD_GLOBALS
from server.engine.i18n import _

FILENAME = "<jixiao-sandbox>"
Mode = Literal["eval", "exec", "auto"]

# Dangerous builtins, refused at compile time so a deploy fails instead of an instance at run time.
# (They are absent from the sandbox builtins anyway; plausible field names such as `type` stay usable
# as task-data variables.)
_FORBIDDEN_NAMES = frozenset(
    {
        "eval", "exec", "compile", "open", "globals", "locals", "vars", "getattr", "setattr", "delattr",
        "memoryview", "__import__", "BaseException", "KeyboardInterrupt", "SystemExit", "GeneratorExit",
    }
)  # fmt: skip
MAX_SOURCE_CHARS = 50_000  # one script or expression; deeply nested text makes the compiler itself recurse
_BINOP_HELPERS: dict[type[ast.operator], str] = {
    ast.Add: "_add_",
    ast.FloorDiv: "_floordiv_",
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Mod: "_mod_",
}


class SandboxSyntaxError(SyntaxError):
    """Source does not compile under the sandbox policy (syntax error or forbidden construct)."""


class UnstorableValue(Exception):
    """A script left a value in task data that cannot be saved."""

    def __init__(self, problem: datacheck.Unstorable) -> None:
        self.problem = problem
        super().__init__(str(problem))



class SandboxTimeout(BaseException):  # noqa: N818 - BaseException so `except Exception` in user code cannot swallow it
    """The time budget ran out."""


def _plain_exception_type(node: ast.expr) -> bool:
    """A name, a dotted name or a tuple of them: nothing that calls or indexes."""
    if isinstance(node, ast.Tuple):
        return all(_plain_exception_type(e) for e in node.elts)
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


class _Policy(RestrictingNodeTransformer):
    def visit_Import(self, node: ast.Import) -> ast.AST:
        self.error(node, _("不允许 import"))
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        self.error(node, _("不允许 import"))
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.error(node, _("不允许定义类"))
        return node

    def visit_Try(self, node: ast.Try) -> ast.AST:
        # The time budget raises SandboxTimeout once (CPython drops a trace function that raises),
        # so user code must not be able to catch it or run code while it unwinds: no finally, and every
        # `except X` becomes `except _catchable_(X)`, which lets only Exception subclasses through, and
        # nothing once the budget has run out (a script can reach BaseException by walking classes).
        if node.finalbody:
            self.error(node, _("不允许 finally"))
        for handler in node.handlers:
            if handler.type is None:
                self.error(handler, _("不允许不带异常类型的 except"))
            elif not _plain_exception_type(handler.type):
                # It is evaluated while the budget's exception unwinds, when nothing traces user code any more:
                # `except spin():` would run forever.
                self.error(handler, _("except 后只能写异常类名或其元组"))
        node = super().visit_Try(node)
        for handler in node.handlers:
            if handler.type is not None:
                call = ast.Call(func=ast.Name("_catchable_", ast.Load()), args=[handler.type], keywords=[])
                copy_locations(call, handler.type)
                handler.type = call
        return node

    def visit_With(self, node: ast.With) -> ast.AST:
        # A context manager's __exit__ may swallow the time budget's exception.
        self.error(node, _("不允许 with 语句"))
        return node

    def visit_AsyncWith(self, node: ast.AsyncWith) -> ast.AST:
        self.error(node, _("不允许 with 语句"))
        return node

    def _no_star_display(self, node: ast.List | ast.Tuple | ast.Set) -> None:
        # `[*a, *a]` doubles a list in one C-level step, out of reach of the allocation meter.
        if isinstance(getattr(node, "ctx", ast.Load()), ast.Load) and any(
            isinstance(e, ast.Starred) for e in node.elts
        ):
            self.error(node, _("不允许在列表、元组或集合中使用 * 展开"))

    def visit_List(self, node: ast.List) -> ast.AST:
        self._no_star_display(node)
        return super().visit_List(node)

    def visit_Tuple(self, node: ast.Tuple) -> ast.AST:
        self._no_star_display(node)
        return super().visit_Tuple(node)

    def visit_Set(self, node: ast.Set) -> ast.AST:
        self._no_star_display(node)
        return super().visit_Set(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        node = self.node_contents_visit(node)
        call = ast.Call(func=ast.Name("_fstring_", ast.Load()), args=[node], keywords=[])
        copy_locations(call, node)
        return call

    def visit_Global(self, node: ast.Global) -> ast.AST:
        self.error(node, _("不允许 global"))
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in _FORBIDDEN_NAMES:
            self.error(node, _("不允许使用“%(name)s”", name=node.id))
        return super().visit_Name(node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        helper = _BINOP_HELPERS.get(type(node.op))
        if helper is None:
            return node
        call = ast.Call(func=ast.Name(helper, ast.Load()), args=[node.left, node.right], keywords=[])
        copy_locations(call, node)
        return call

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            if not all(isinstance(p, ast.Constant) for p in parts):
                self.error(node, _("不允许动态格式说明"))
            else:
                from server.engine.guards import SandboxViolation, _check_format

                try:
                    _check_format("".join(str(p.value) for p in parts))
                except SandboxViolation as exc:
                    self.error(node, str(exc))
        # The spec stays a plain JoinedStr of constants (checked above): only the value is visited.
        node.value = self.visit(node.value)
        return node


# RestrictedPython's English messages, rewritten in the user's language: each replacement is a constant
# gettext msgid, filled with the regex's capture.
_MESSAGES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r'"(\w+)" is an invalid attribute name because it starts with "_"\.?'),
        lambda m: _("不允许访问下划线开头的属性“%(name)s”", name=m[1]),
    ),
    (
        re.compile(r'"(\w+)" is an invalid variable name because it starts with "_"\.?'),
        lambda m: _("不允许使用下划线开头的名称“%(name)s”", name=m[1]),
    ),
    (
        re.compile(r"(\w+) statements are not allowed\.?"),
        lambda m: _("不允许 %(statement)s 语句", statement=m[1]),
    ),
    (re.compile(r"SyntaxError: (.*) at statement: .*"), lambda m: _("语法错误：%(error)s", error=m[1])),
]
_LINE = re.compile(r"Line (.*?): (.*)", re.DOTALL)  # RestrictedPython's "Line {lineno}: {info}"


def _translate(message: str) -> str:
    for pattern, replacement in _MESSAGES:
        message = pattern.sub(replacement, message)
    line = _LINE.match(message)
    return _("第 %(line)s 行：%(error)s", line=line[1], error=line[2]) if line else message


@lru_cache(maxsize=4096)
def _compile(source: str, mode: Literal["eval", "exec"]) -> CodeType:
    if len(source) > MAX_SOURCE_CHARS:
        raise SandboxSyntaxError(_("脚本过长（%(n)s 字符，上限 %(limit)s）", n=len(source), limit=MAX_SOURCE_CHARS))
    fn = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        result = fn(source, filename=FILENAME, policy=_Policy)
    except (RecursionError, MemoryError) as exc:
        raise SandboxSyntaxError(_("表达式嵌套过深，无法编译")) from exc
    except ValueError as exc:  # e.g. a NUL character in the source
        raise SandboxSyntaxError(_("脚本包含不允许的字符")) from exc
    if result.errors or result.code is None:
        raise SandboxSyntaxError(
            "；".join(dict.fromkeys(_translate(e) for e in result.errors)) or _("无法编译")
        )
    return result.code


def compile_source(source: str, mode: Mode = "auto") -> CodeType:
    """Compile (cached by source text). `auto` tries an expression first, then statements."""
    src = source.strip() if mode != "exec" else source
    if mode == "auto":
        try:
            return _compile(src, "eval")
        except SandboxSyntaxError:
            return _compile(source, "exec")
    return _compile(src, mode)


def validate(source: str, mode: Mode = "auto") -> None:
    """Raise SandboxSyntaxError if `source` would be refused; used at deploy time."""
    compile_source(source, mode)


_active = threading.local()


def run_with_budget(fn: Callable[[], Any], timeout: float) -> Any:
    """Call `fn` with a deadline checked on every opcode of sandbox frames (sys.settrace is per thread).

    The compiler forbids bare `except:`, `finally` and the name BaseException, so the single
    SandboxTimeout raised here cannot be caught by user code.
    """
    if getattr(_active, "on", False):  # nested (e.g. expression inside an operator): outer budget rules
        return fn()
    deadline = time.monotonic() + timeout

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            guards.expire()  # from here on no `except` of user code catches anything
            raise SandboxTimeout(_("脚本运行超过 %(seconds)g 秒", seconds=timeout))
        return local

    def global_(frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename != FILENAME:
            return None
        # Opcode events: `while True: pass` is one self-jumping instruction and emits no line events.
        frame.f_trace_opcodes = True
        return local(frame, event, arg)

    previous = sys.gettrace()
    previous_decimal = decimal.getcontext()
    _active.on = True
    guards.reset_meter()
    decimal.setcontext(guards.decimal_context())
    sys.settrace(global_)
    try:
        return fn()
    finally:
        sys.settrace(previous)
        decimal.setcontext(previous_decimal)
        _active.on = False


class Sandbox:
    """Evaluates expressions and runs scripts against a data mapping."""

    def __init__(self, timeout: float = 2.0, extra_globals: Mapping[str, Any] | None = None) -> None:
        self.timeout = timeout
        self._globals = {**GUARD_GLOBALS, **(extra_globals or {})}

    def _namespace(self, data: Mapping[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
        ns = dict(self._globals)
        if extra:
            ns.update(extra)
        ns.update(data)
        return ns

    def evaluate(
        self, expression: str, data: Mapping[str, Any], extra: Mapping[str, Any] | None = None
    ) -> Any:
        code = compile_source(expression, "eval")
        ns = self._namespace(data, extra)
        return run_with_budget(lambda: eval(code, ns), self.timeout)  # noqa: S307 - restricted code object

    def execute(self, script: str, data: dict[str, Any], extra: Mapping[str, Any] | None = None) -> None:
        """Run statements; new names become task data (except `_names`, helpers and functions); `del` removes."""
        code = compile_source(script, "exec")
        ns = self._namespace(data, extra)
        run_with_budget(lambda: exec(code, ns), self.timeout)  # noqa: S102 - restricted code object
        hidden = set(self._globals) | set(extra or ())
        result: dict[str, Any] = {}
        for key, value in ns.items():
            if callable(value):
                continue
            if key in data or not (key.startswith("_") or key in hidden):
                result[key] = value
        # What the script left must be storable (all of it: a list it was given may have been changed in place,
        # or now hold one big list many times over); checked here, where the variable and element are known.
        problem = datacheck.first_unstorable(result)
        if problem is not None:
            raise UnstorableValue(problem)
        data.clear()
        data.update(result)
