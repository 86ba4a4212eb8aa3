"""The demo county's calendar: which fiscal year to show for a given "now", county-local working hours, and
the windows the stories are laid out in.

The demo's "now" is the moment seeding ends; `jixiao init --demo` uses the real clock, so the server that
starts afterwards carries on from the same moment and no backlog of timers fires at once. The fiscal year
shown is the one being monitored at that moment (projects for the next year's budget are being assessed
and given goals at the same time, as in a real county's autumn). Early in a year (before a monitoring
month has been overdue long enough to escalate) the previous year is shown instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from server.clock import COUNTY_TZ
from server.flows.monitoring.operators import period_end

ESCALATED_AFTER = timedelta(days=21)  # monitoring: reminder after 10 days, escalation after 20 (rule table)
YEAR_END_GRACE = timedelta(days=25)  # a past year is shown until its December reports are in
STORY_WINDOW_END = (12, 15)  # next year's applications and goals are done by mid-December


def local(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A county-local wall-clock time on `day`, as aware UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=COUNTY_TZ).astimezone(UTC)


def local_date(moment: datetime) -> date:
    return moment.astimezone(COUNTY_TZ).date()


def workday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def workdays_before(day: date, count: int) -> date:
    """The working day `count` working days before `day` (count >= 1)."""
    while count > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def workdays_after(day: date, count: int) -> date:
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def demo_year_for(now: datetime) -> int:
    """The fiscal year shown at `now`: this year once February's report can be overdue, else last year."""
    year = local_date(now).year
    return year if now >= period_end(year, 2) + ESCALATED_AFTER else year - 1


@dataclass(frozen=True)
class YearPlan:
    """Fiscal `year` (monitored), the next year's budget being prepared, and where the stories end.

    `end`: the demo's "now" (seeding stops there). `anchor`: the day the next-year stories are counted back
    from, in working days (the end itself, or mid-December for a past year).
    """

    year: int
    end: datetime

    @property
    def budget_year(self) -> int:
        return self.year + 1

    @property
    def anchor(self) -> date:
        cap = date(self.year, *STORY_WINDOW_END)
        return min(local_date(self.end), cap)

    def before(self, workdays: int, hour: int = 9, minute: int = 0) -> datetime:
        """`workdays` working days before the anchor, at a local hour."""
        return local(workdays_before(self.anchor, workdays), hour, minute)


def plan_for(year: int, now: datetime) -> YearPlan:
    """The plan for `year` seen from `now`: a year in progress ends now, a past year soon after it closes."""
    return YearPlan(year=year, end=min(now.astimezone(UTC), period_end(year, 12) + YEAR_END_GRACE))
