"""Make SpiffWorkflow's timers read the injected Clock, and compute due times.

SpiffWorkflow's timer event definitions call `datetime.now(timezone.utc)` directly (module
`SpiffWorkflow.bpmn.specs.event_definitions.timer`). We replace that module's `datetime` name with a
subclass whose `now()` reads `CURRENT_CLOCK`, a context variable the Engine sets around every call
into SpiffWorkflow. A context variable (not a global) keeps concurrent requests with different clocks
apart, and outside an Engine call the real time is used. Naive timer dates are refused instead of
silently being read in the server's local zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)

from server.clock import Clock
from server.engine.i18n import _

CURRENT_CLOCK: ContextVar[Clock | None] = ContextVar("jixiao_clock", default=None)
_real_datetime = datetime


def clock_now() -> datetime:
    clock = CURRENT_CLOCK.get()
    return clock.now() if clock is not None else _real_datetime.now(UTC)


class _ClockDatetimeMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:  # real datetimes still pass isinstance checks
        return isinstance(obj, _real_datetime)


class ClockDatetime(_real_datetime, metaclass=_ClockDatetimeMeta):
    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        now = clock_now()
        return now.astimezone(tz) if tz is not None else now.astimezone().replace(tzinfo=None)


class NoTimezone(ValueError):
    """A timer time without a time zone (its message is shown to the user as is)."""


def _aware_datetime(expression: str) -> datetime:
    dt = _real_datetime.fromisoformat(expression)
    if dt.tzinfo is None:
        raise NoTimezone(_("定时器时间“%(value)s”缺少时区", value=expression))
    return dt.astimezone(UTC)


def install() -> None:
    """Idempotently patch the SpiffWorkflow timer module (done on import of server.engine)."""
    _timer_module.datetime = ClockDatetime  # type: ignore[misc]
    TimerEventDefinition.get_datetime = staticmethod(_aware_datetime)  # type: ignore[method-assign]


@contextmanager
def using_clock(clock: Clock) -> Iterator[None]:
    token = CURRENT_CLOCK.set(clock)
    try:
        yield
    finally:
        CURRENT_CLOCK.reset(token)


def timer_due(task: Any) -> datetime | None:
    """Due time of a WAITING timer catch event task, or None if it is not a timer / not armed yet."""
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        # An event-based gateway racing timers: the library arms them on the gateway's task, under one value.
        definition = next((d for d in definition.event_definitions if isinstance(d, TimerEventDefinition)), None)
    if not isinstance(definition, TimerEventDefinition):
        return None
    value = task.internal_data.get("event_value")
    if value is None:
        return None
    if isinstance(definition, CycleTimerEventDefinition):
        if not isinstance(value, dict) or value.get("cycles") == 0:
            return None
        value = value.get("next")
    try:
        if isinstance(value, str) and value.upper().startswith("P"):
            return None
        return _aware_datetime(str(value))
    except ValueError:
        return None


def set_due(task: Any, when: datetime) -> None:
    """Make an armed timer fire at the first refresh at or after `when` (SpiffWorkflow fires strictly after the
    stored time, hence the microsecond). Used by an administrator moving a flow's timers to test it."""
    stamp = (when - timedelta(microseconds=1)).astimezone(UTC).isoformat()
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):  # a cycle: its next firing moves, the count and period stay
        value["next"] = stamp
    else:
        task.internal_data["event_value"] = stamp


def duration_after(start: datetime, iso_duration: str) -> datetime:
    """`start` + an ISO-8601 duration (calendar-aware months/years, as SpiffWorkflow does)."""
    parsed = TimerEventDefinition.parse_iso_duration(iso_duration)
    delta: timedelta = TimerEventDefinition.get_timedelta_from_start(parsed, start)
    return start + delta


def check_timer_literal(kind: str, value: str) -> str | None:
    """Deploy-time check of a literal timer value; returns a Chinese problem or None."""
    try:
        if kind == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        elif kind == "timeDate":
            _check_point(value)
        else:  # timeCycle: R[n]/start/duration, R[n]/duration/end or R[n]/duration
            parts = value.upper().replace("--", "/").strip("R").split("/")
            if len(parts) < 2:
                return _("循环定时器“%(value)s”格式不正确", value=value)
            int(parts[0]) if parts[0] else None
            for part in parts[1:]:
                if part.startswith("P"):
                    TimerEventDefinition.parse_iso_duration(part)
                else:
                    _check_point(part)
    except NoTimezone as exc:
        return str(exc)
    except Exception:  # ValueError, or SpiffWorkflow's bare Exception('Invalid duration')
        return _("定时器值“%(value)s”无法解析", value=value)
    return None


def _check_point(value: str) -> None:
    if "W" in value.upper():
        raise NoTimezone(_("定时器时间“%(value)s”使用周日期，缺少时区", value=value))
    _aware_datetime(value)
