"""Service-task operators: Python functions a BPMN service task calls by name.

A service task names one with `spiffworkflow:serviceTaskOperator id="library.admit"`; each parameter's
`value` is a sandboxed expression evaluated against the task data. The operator is called as

    fn(call: OperatorCall, **params) -> JSON-serialisable result

`call.context` is whatever the caller passed as `context=` to `Engine.start` / `Workflow.complete` /
`Workflow.refresh` (the service layer passes its DB session/unit of work); `call.data` is a read-only
view of the task data. The result is stored under the task's `resultVariable` (SpiffWorkflow stores
it under `spiff__<task id>_result` when none is set).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from server.engine.errors import OperatorError
from server.engine.i18n import _

Operator = Callable[..., Any]


class ParameterRefused(ValueError):
    """An operator refuses the step because of named parameters: {parameter id: message for the user}.

    The engine reports each against the form field the parameter reads (a parameter whose value is a plain
    variable, e.g. amount <- decision_amount), so the form shows the message next to the input it concerns."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = dict(fields)
        super().__init__("；".join(self.fields.values()))


@dataclass(frozen=True)
class OperatorCall:
    context: Any
    data: Mapping[str, Any]
    element_id: str


class OperatorRegistry:
    def __init__(self) -> None:
        self._ops: dict[str, Operator] = {}

    def register(self, name: str, fn: Operator) -> None:
        if name in self._ops and self._ops[name] is not fn:
            raise ValueError(f"operator {name!r} registered twice")
        self._ops[name] = fn

    def operator(self, name: str) -> Callable[[Operator], Operator]:
        """Decorator form of `register`."""

        def deco(fn: Operator) -> Operator:
            self.register(name, fn)
            return fn

        return deco

    def names(self) -> set[str]:
        return set(self._ops)

    def __contains__(self, name: object) -> bool:
        return name in self._ops

    def call(
        self,
        name: str,
        params: dict[str, Any],
        data: Mapping[str, Any],
        *,
        context: Any = None,
        element_id: str = "",
    ) -> Any:
        fn = self._ops.get(name)
        if fn is None:
            raise OperatorError(_("未知的服务操作“%(name)s”", name=name), element_id or None)
        return fn(OperatorCall(context, MappingProxyType(dict(data)), element_id), **params)


def _echo(call: OperatorCall, **params: Any) -> dict[str, Any]:
    """Returns its parameters (tests and diagrams under construction)."""
    return dict(params)


def _noop(call: OperatorCall, **params: Any) -> None:
    return None


def default_registry() -> OperatorRegistry:
    """A fresh registry holding the harmless built-ins; the app registers its own operators on it."""
    registry = OperatorRegistry()
    registry.register("util.echo", _echo)
    registry.register("util.noop", _noop)
    return registry
