"""The one source of "now" (injected everywhere so tests can travel through a fiscal year)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

# The county's calendar (Beijing time, no daylight saving): due dates, month ends, fiscal years and the
# times people read. Stored times stay UTC.
COUNTY_TZ = timezone(timedelta(hours=8))


class Clock:
    """Returns timezone-aware UTC datetimes."""

    def now(self) -> datetime:
        raise NotImplementedError


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock(Clock):
    """A clock that only moves when told to (tests, `jixiao simulate`)."""

    def __init__(self, start: datetime) -> None:
        self._now = _aware(start)

    def now(self) -> datetime:
        return self._now

    def set(self, dt: datetime) -> None:
        self._now = _aware(dt)

    def advance(self, delta: timedelta) -> None:
        self._now = self._now + delta


def _aware(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("ManualClock needs a timezone-aware datetime")
    return dt.astimezone(UTC)
