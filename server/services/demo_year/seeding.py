"""Seeding a fiscal year of the demo county on an existing database (`jixiao init --demo`, `jixiao simulate`).

The year is played by a second app on the same database whose clock is a ManualClock, so every timestamp
(applications, reviews, monthly reports, reminders) falls where it would in a real year, while the app that
asked — and the server that runs afterwards — keep the system clock. The played year ends at the caller's
"now", so when the server starts no backlog of timers fires at once: what is due later fires on its date.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import func, select

from server.clock import COUNTY_TZ, ManualClock
from server.db import db
from server.extensions import get_flows
from server.flows.monitoring.models import MonitoringReport
from server.models import HumanTask, ProcessModel, Project, TaskStatus
from server.scheduler import default_locale
from server.services.demo import seed_demo
from server.services.demo_year.calendar import demo_year_for, plan_for
from server.services.demo_year.catalogue import project_names
from server.services.demo_year.story import DemoYearError, Runner, Story
from server.services.demo_year.units import ensure_units

FIRST_YEAR = 2000


def _stages():
    return tuple(stage for flow in get_flows().values() for stage in flow.demo)


@dataclass(frozen=True)
class SeedResult:
    year: int
    end: datetime
    skipped: bool  # the year was already there: nothing was added
    projects: int = 0
    open_tasks: int = 0
    reports: int = 0
    steps: int = 0
    seconds: float = 0.0


def seed_year(app: Flask, *, year: int | None = None, now: datetime | None = None,
              progress: Callable[[str], object] | None = None) -> SeedResult:
    """Play fiscal `year` (default: the one in progress at `now`) up to `now` (default: the app's clock);
    `progress` hears one line when the (half-minute) play begins.

    Idempotent: a year whose projects exist is left alone. Raises DemoYearError when the year has not
    started far enough to be shown, the flows are not deployed, or a flow no longer accepts the demo's steps.
    """
    now = now or app.extensions["jixiao.clock"].now()
    latest = demo_year_for(now)
    year = latest if year is None else year
    if not FIRST_YEAR <= year <= latest:
        raise DemoYearError(_("只能模拟 %(first)s 至 %(latest)s 年度（%(year)s 年度尚未开展到可以演示的程度）",
                              first=FIRST_YEAR, latest=latest, year=year))
    plan = plan_for(year, now)
    stories = [story for stage in _stages() for story in stage.stories(plan)]
    clock = ManualClock(min(s.steps[0].at for s in stories))
    seeding = _seeding_app(app, clock)
    started = time.perf_counter()
    try:
        with seeding.app_context(), default_locale(seeding):
            return _seed(plan.year, plan.end, clock, stories, started, progress)
    finally:
        with seeding.app_context():
            db.session.remove()
            db.engine.dispose()


def _seeding_app(app: Flask, clock: ManualClock) -> Flask:
    """The same app (same configuration, same database) with the movable clock, built by the factory that
    built `app` (services do not import the app)."""
    return app.extensions["jixiao.app_factory"](dict(app.config), clock=clock)


def _seed(year: int, end: datetime, clock: ManualClock, stories: list[Story], started: float,
          progress: Callable[[str], object] | None) -> SeedResult:
    _require_flows()
    seed_demo()
    ensure_units()
    names = project_names(year)
    if db.session.scalar(select(Project.id).where(Project.name.in_(names)).limit(1)) is not None:
        return SeedResult(year, end, skipped=True)
    if progress is not None:
        progress(_("· 正在以加速时间生成演示县 %(year)s 年度，约需半分钟……", year=year))
    runner = Runner(clock, end)
    runner.play(stories)
    projects = db.session.scalar(select(func.count(Project.id)).where(Project.name.in_(names))) or 0
    open_tasks = db.session.scalar(
        select(func.count(HumanTask.id)).where(HumanTask.status == TaskStatus.OPEN)
    ) or 0
    reports = db.session.scalar(
        select(func.count(MonitoringReport.id)).where(MonitoringReport.fiscal_year == year)
    ) or 0
    db.session.commit()
    return SeedResult(year, end, False, projects, open_tasks, reports, runner.steps_taken,
                      time.perf_counter() - started)


def _require_flows() -> None:
    wanted = sorted({key for stage in _stages() for key in stage.flows})
    deployed = set(db.session.scalars(
        select(ProcessModel.key)
        .where(ProcessModel.key.in_(wanted), ProcessModel.current_version_id.is_not(None))
    ))
    missing = [key for key in wanted if key not in deployed]
    if missing:
        raise DemoYearError(_("以下流程尚未部署：%(keys)s；请先运行 jixiao init", keys="、".join(missing)))


def describe(result: SeedResult) -> str:
    """One line for the command line."""
    if result.skipped:
        return _("· 演示县 %(year)s 年度的项目已存在，未重复生成", year=result.year)
    return _("✓ 演示县 %(year)s 年度已生成：%(projects)s 个项目，%(reports)s 份监控报告，%(tasks)s 项待办"
             "（演示时间截至 %(end)s，用时 %(seconds).1f 秒）",
             year=result.year, projects=result.projects, reports=result.reports, tasks=result.open_tasks,
             end=result.end.astimezone(COUNTY_TZ).strftime("%Y-%m-%d %H:%M"), seconds=result.seconds)
