"""The SpiffWorkflow script engine: every expression and script goes through the Sandbox.

SpiffWorkflow calls both `script_engine.evaluate/execute` (with a task) and, for a few features,
`script_engine.environment.evaluate` directly, so the sandbox sits in the environment and the engine
only adds error reporting that names the BPMN element.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from server.engine.errors import EngineError, OperatorError, OperatorRefused, ScriptError, UnstorableData
from server.engine.guards import SandboxViolation
from server.engine.i18n import _
from server.engine.operators import OperatorRegistry
from server.engine.sandbox import Sandbox, SandboxSyntaxError, SandboxTimeout, UnstorableValue, compile_source
from server.engine.timers import clock_now

log = logging.getLogger(__name__)
# Exceptions from these packages carry SQL, parameters and driver text: logged, never shown or stored.
_DATABASE_PACKAGES = {"sqlalchemy", "psycopg", "psycopg2", "sqlite3"}

# The opaque object the caller passed to start/complete/refresh(context=...), for operators.
CURRENT_CONTEXT: ContextVar[Any] = ContextVar("jixiao_operator_context", default=None)


def element_of(task: Any) -> str | None:
    spec = getattr(task, "task_spec", None)
    return getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)


def _label(task: Any) -> str:
    spec = getattr(task, "task_spec", None)
    name = getattr(spec, "bpmn_name", None)
    ident = element_of(task)
    return (
        _("“%(name)s”（元素 %(element)s）", name=name, element=ident)
        if name
        else _("元素 %(element)s", element=ident)
    )


def describe(exc: BaseException) -> str:
    if isinstance(exc, SandboxTimeout):
        return str(exc) or _("脚本运行超时")
    if isinstance(exc, SandboxSyntaxError):
        return _("脚本不符合安全规则：%(error)s", error=exc.msg)
    if isinstance(exc, SandboxViolation):
        return _("脚本被安全沙箱拒绝：%(error)s", error=exc)
    if any(cls.__module__.split(".")[0] in _DATABASE_PACKAGES for cls in type(exc).__mro__):
        log.warning("database refused a step's data: %s", exc)
        return _("数据库拒绝保存这一步的数据（详情已记入日志，请联系管理员）")
    if isinstance(exc, ValueError) and str(exc):
        return str(exc)  # how operators refuse (e.g. 未找到本单位的项目): their message is written for users
    return f"{type(exc).__name__}: {exc}"


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__({})
        self.sandbox = sandbox

    def evaluate(self, expression: str, context: Mapping[str, Any], external_context: Any = None) -> Any:
        return self.sandbox.evaluate(expression, context, external_context)

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        self.sandbox.execute(script, context, external_context)
        return True

    def call_service(self, context: Any, **kwargs: Any) -> Any:  # pragma: no cover - engine overrides
        raise NotImplementedError


class SandboxScriptEngine(PythonScriptEngine):
    def __init__(self, operators: OperatorRegistry, timeout: float = 2.0) -> None:
        self.sandbox = Sandbox(timeout, extra_globals={"now": clock_now})
        super().__init__(environment=SandboxEnvironment(self.sandbox))
        self.operators = operators

    def validate(self, expression: str) -> None:
        # DMN relies on a SyntaxError here to decide whether to prefix the input (`>= 5`).
        compile_source(expression, "eval")

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except EngineError:
            raise
        except (Exception, SandboxTimeout) as exc:
            raise ScriptError(
                _(
                    "%(task)s 的表达式“%(expression)s”出错：%(error)s",
                    task=_label(task),
                    expression=expression,
                    error=describe(exc),
                ),
                element_of(task),
            ) from exc

    def execute(self, task: Any, script: str, external_context: Any = None) -> bool:
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except EngineError:
            raise
        except UnstorableValue as exc:
            raise UnstorableData(
                _("%(task)s 的脚本结果无法保存：%(error)s", task=_label(task), error=exc), element_of(task)
            ) from exc
        except (Exception, SandboxTimeout) as exc:
            raise ScriptError(
                _("%(task)s 的脚本出错：%(error)s", task=_label(task), error=describe(exc)), element_of(task)
            ) from exc

    def call_service(self, task: Any, **kwargs: Any) -> str:
        name: str = kwargs["operation_name"]
        params = {key: p["value"] for key, p in kwargs.get("operation_params", {}).items()}
        context = CURRENT_CONTEXT.get()
        prepare = getattr(context, "before_operator", None)
        if prepare is not None:  # e.g. insert a starting instance's row only once an operator needs it
            prepare()
        try:
            result = self.operators.call(
                name, params, task.data, context=context, element_id=element_of(task) or ""
            )
        except EngineError:
            raise
        except ValueError as exc:
            raise OperatorRefused(
                str(exc) or _("%(task)s 调用操作“%(name)s”被拒绝", task=_label(task), name=name),
                element_of(task),
                fields=_refused_fields(task, getattr(exc, "fields", None)),
            ) from exc
        except (Exception, SandboxTimeout) as exc:
            raise OperatorError(
                _(
                    "%(task)s 调用操作“%(name)s”失败：%(error)s",
                    task=_label(task),
                    name=name,
                    error=describe(exc),
                ),
                element_of(task),
            ) from exc
        try:
            return json.dumps(result, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise OperatorError(
                _(
                    "%(task)s 的操作“%(name)s”返回了无法保存的结果：%(error)s",
                    task=_label(task),
                    name=name,
                    error=exc,
                ),
                element_of(task),
            ) from exc


def _refused_fields(task: Any, fields: Any) -> dict[str, str]:
    """An operator's {parameter id: message} as {variable: message}, for parameters given a plain variable
    (the form field the user filled); others have no field to stand beside and stay in the message only."""
    if not isinstance(fields, dict):
        return {}
    params = getattr(task.task_spec, "operation_params", None) or {}
    out = {}
    for param, message in fields.items():
        # "rows.2.current_value": a cell of a table parameter stands beside the same cell of the form's table
        head, dot, rest = str(param).partition(".")
        source = str((params.get(head) or {}).get("value") or "").strip()
        if source.isidentifier():
            out[source + dot + rest] = str(message)
    return out
