"""Compile and run user expressions/scripts under RestrictedPython with a CPU time budget.

Every script, gateway condition, DMN entry, multi-instance expression, timer expression, service
parameter and task property passes through `Sandbox`. SpiffWorkflow's own engine runs plain
`exec`, so a gateway condition could otherwise run a shell command.
"""

from __future__ import annotations

import ast
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
_BINOP_HELPERS: dict[type[ast.operator], str] = {
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Mod: "_mod_",
}


class SandboxSyntaxError(SyntaxError):
    """Source does not compile under the sandbox policy (syntax error or forbidden construct)."""


class SandboxTimeout(BaseException):  # noqa: N818 - BaseException so `except Exception` in user code cannot swallow it
    """The time budget ran out."""


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
        # so user code must not be able to catch it or run code while it unwinds.
        if node.finalbody:
            self.error(node, _("不允许 finally"))
        for handler in node.handlers:
            if handler.type is None:
                self.error(handler, _("不允许不带异常类型的 except"))
        return super().visit_Try(node)

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
        return self.node_contents_visit(node)


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
    fn = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = fn(source, filename=FILENAME, policy=_Policy)
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
            raise SandboxTimeout(_("脚本运行超过 %(seconds)g 秒", seconds=timeout))
        return local

    def global_(frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename != FILENAME:
            return None
        # Opcode events: `while True: pass` is one self-jumping instruction and emits no line events.
        frame.f_trace_opcodes = True
        return local(frame, event, arg)

    previous = sys.gettrace()
    _active.on = True
    sys.settrace(global_)
    try:
        return fn()
    finally:
        sys.settrace(previous)
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
        data.clear()
        data.update(result)
