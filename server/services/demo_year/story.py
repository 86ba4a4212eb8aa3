"""Stories and the runner that plays them: each story is one project's life as dated steps that a demo user
takes (start a flow, or claim and complete an open task), played through the service layer in time order
while a ManualClock moves forward and due timers fire exactly when they fall due.

Steps of one story run in order; steps of different stories interleave by time. A step after the end of the
plan is not taken, nor anything after it in its story: that is the work still waiting in the inboxes.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from server.clock import ManualClock
from server.db import db
from server.models import HumanTask, InstanceStatus, ProcessInstance, Project, TaskStatus, User
from server.services.batch_start import start_for_year
from server.services.errors import ServiceError
from server.services.instances import start_instance
from server.services.tasks import claim, complete, task_data
from server.services.timers import ACTIVE, wake_due_instances

TICK = timedelta(seconds=1)
# The data the task's form starts from (what the user sees prefilled), loaded only when a step asks for it.
Form = Callable[[], dict[str, Any]]
# What a step submits: fixed data, or a function of the story and the task's form.
Data = dict[str, Any] | Callable[["Story", Form], dict[str, Any]]


class DemoYearError(RuntimeError):
    """The demo year could not be played (a flow changed, or the database is not ready for it)."""


@dataclass(frozen=True)
class Step:
    at: datetime
    who: str
    key: str  # the process key of the story's instance the step acts on
    title: str | None  # the task to complete; None starts the flow
    data: Data | None = None
    optional: bool = False  # taken only if the flow offers the task (e.g. assessment only when the rules ask)
    batch: bool = False  # start the flow for the year's projects at once (data: {"fiscal_year", "codes"})
    call: Callable[[Story, User], None] | None = None  # work done on a page rather than a task (e.g. a choice)


@dataclass
class Story:
    """One project's life. `vars` carries what later steps compute from (e.g. the budget after a cut)."""

    name: str
    steps: list[Step] = field(default_factory=list)
    instances: dict[str, int] = field(default_factory=dict)
    vars: dict[str, Any] = field(default_factory=dict)

    def start(self, at: datetime, who: str, key: str, data: Data | None = None) -> Story:
        self.steps.append(Step(at, who, key, None, data))
        return self

    def act(self, at: datetime, who: str, key: str, title: str, data: Data, *, optional: bool = False) -> Story:
        self.steps.append(Step(at, who, key, title, data, optional))
        return self

    def batch_start(self, at: datetime, who: str, key: str, data: Data) -> Story:
        self.steps.append(Step(at, who, key, None, data, batch=True))
        return self

    def do(self, at: datetime, who: str, key: str, call: Callable[[Story, User], None]) -> Story:
        self.steps.append(Step(at, who, key, None, call=call))
        return self

    @property
    def code(self) -> str:
        """The project code the library gave the story's project when it was applied for."""
        applied = self.instances.get("ex_ante")
        found = db.session.scalar(select(Project.code).where(Project.instance_id == applied))
        if found is None:
            raise DemoYearError(_("%(story)s：项目尚未申报", story=self.name))
        return found


class Runner:
    def __init__(self, clock: ManualClock, end: datetime) -> None:
        self.clock = clock
        self.end = end
        self.steps_taken = 0

    def play(self, stories: list[Story]) -> None:
        queue = [(s.steps[0].at, i, 0) for i, s in enumerate(stories) if s.steps]
        heapq.heapify(queue)
        while queue:
            at, i, j = heapq.heappop(queue)
            if at > self.end:
                continue  # this story waits here: its remaining steps are the open work at the end
            story = stories[i]
            self._advance(at)
            self._take(story, story.steps[j])
            if j + 1 < len(story.steps):
                heapq.heappush(queue, (max(story.steps[j + 1].at, at), i, j + 1))
        self._advance(self.end)

    def _advance(self, to: datetime) -> None:
        """Move the clock to `to`, stopping at each timer that falls due on the way so it fires on time."""
        fired: datetime | None = None
        while True:
            due = db.session.scalar(
                select(func.min(ProcessInstance.next_timer_at)).where(
                    ProcessInstance.status.in_(ACTIVE), ProcessInstance.next_timer_at < to
                )
            )
            db.session.commit()
            if due is None or due == fired:  # nothing due, or a timer that did not fire: the server's to retry
                break
            fired = due
            # SpiffWorkflow fires a timer once the clock is strictly past its due time.
            self.clock.set(max(due + TICK, self.clock.now()))
            wake_due_instances()
        self.clock.set(max(to, self.clock.now()))

    def _take(self, story: Story, step: Step) -> None:
        user = db.session.scalar(select(User).where(User.username == step.who))
        if user is None:
            raise DemoYearError(_("%(story)s：找不到演示用户 %(user)s", story=story.name, user=step.who))
        try:
            if step.call is not None:
                step.call(story, user)
                self.steps_taken += 1
                return
            if step.batch:
                self._batch(story, step, user)
                return
            if step.title is None:
                data = step.data(story, dict) if callable(step.data) else step.data
                outcome = start_instance(step.key, user, data)
                story.instances[step.key] = outcome.instance.id
            else:
                task = self._open_task(story, step, user)
                if task is None:
                    return
                data = step.data(story, lambda: task_data(task)) if callable(step.data) else step.data
                claim(task.id, user)
                outcome = complete(task.id, user, data)
        except ServiceError as err:
            db.session.rollback()
            detail = "；".join(f"{k}：{v}" for k, v in err.fields.items())
            raise DemoYearError(_("%(story)s：%(user)s“%(step)s”未能办理：%(reason)s %(detail)s", story=story.name,
                                  user=step.who, step=step.title or step.key, reason=err.message,
                                  detail=detail)) from err
        if outcome.instance.status == InstanceStatus.ERROR:
            raise DemoYearError(_("%(story)s：流程出错：%(err)s", story=story.name,
                                  err=outcome.instance.error_message))
        self.steps_taken += 1

    def _batch(self, story: Story, step: Step, user: User) -> None:
        data = step.data(story, dict) if callable(step.data) else step.data or {}
        result = start_for_year(step.key, user, data["fiscal_year"], data.get("codes"))
        if result.skipped:
            raise DemoYearError(_("%(story)s：未能发起 %(skipped)s", story=story.name,
                                  skipped="；".join(f"{code}（{why}）" for code, why in result.skipped)))
        self.steps_taken += 1

    def _instance(self, story: Story, key: str) -> int | None:
        """The story's instance of `key`: one it started, else the project's live one that someone else
        started for it (the office's batch start, a follow-up of a finance decision)."""
        if key in story.instances:
            return story.instances[key]
        found = db.session.scalar(
            select(ProcessInstance.id)
            .where(ProcessInstance.process_key == key, ProcessInstance.business_key == story.code,
                   ProcessInstance.status.in_(ACTIVE))
            .order_by(ProcessInstance.id.desc())
            .limit(1)
        )
        if found is not None:
            story.instances[key] = found
        return found

    def _open_task(self, story: Story, step: Step, user: User) -> HumanTask | None:
        """The open task with the step's title that is the user's or nobody's yet (a panel has one each)."""
        instance_id = self._instance(story, step.key)
        task = db.session.scalar(
            select(HumanTask)
            .where(HumanTask.instance_id == instance_id, HumanTask.status == TaskStatus.OPEN,
                   # the element's name, or with its titleSuffix (填报绩效监控报告（2026年3月）)
                   or_(HumanTask.title == step.title, HumanTask.title.startswith(f"{step.title}（", autoescape=True)),
                   or_(HumanTask.assignee_id == user.id, HumanTask.assignee_id.is_(None)))
            .order_by(HumanTask.assignee_id.is_(None), HumanTask.id.desc())
            .limit(1)
        )
        if task is None and not step.optional:
            raise DemoYearError(_("%(story)s：没有待办“%(step)s”（流程可能已改动）", story=story.name, step=step.title))
        return task
