"""Exceptions the engine raises; the service layer maps them to HTTP answers and instance states."""

from __future__ import annotations

from dataclasses import dataclass

from server.engine.i18n import _


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One deploy-time finding, in Chinese, naming the file and element."""

    file: str
    element_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}" + (f"#{self.element_id}" if self.element_id else "")
        return f"{where}: {self.message}"


class DeployError(EngineError):
    """A package was refused; `.problems` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("；".join(str(p) for p in self.problems) or _("部署失败"))


class ScriptError(EngineError):
    """A script, condition or expression failed at run time (error, sandbox violation, time budget)."""

    def __init__(self, message: str, element_id: str | None = None) -> None:
        self.element_id = element_id
        super().__init__(message)


class OperatorError(ScriptError):
    """A service-task operator raised or is unknown; `__cause__` holds the original exception."""


class OperatorRefused(OperatorError):
    """An operator refused the step with a message written for the user (it raised ValueError).

    Nothing is wrong with the flow: the caller keeps the previous state and shows the message, so the user
    can correct the input and submit again. `fields`: the messages by the form field they concern (empty when
    the operator named none, or named a parameter that is not a plain variable).
    """

    def __init__(self, message: str, element_id: str | None = None, fields: dict[str, str] | None = None) -> None:
        super().__init__(message, element_id)
        self.fields = dict(fields or {})


class UnstorableData(EngineError):
    """A step left data that cannot be saved (a range, bytes, a set, a huge int...).

    The flow's script is at fault, not the instance: the step is refused and nothing of it is kept."""

    def __init__(self, message: str, element_id: str | None = None) -> None:
        self.element_id = element_id
        super().__init__(message)


class LoopLimitError(EngineError):
    """A revision loop went round more often than the engine's loop limit."""

    def __init__(self, message: str, element_id: str | None = None) -> None:
        self.element_id = element_id
        super().__init__(message)


class TaskNotReady(EngineError):
    """The task id is unknown or the task is not a READY user task."""
