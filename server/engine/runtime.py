"""Run one process instance a step at a time: start, load, complete a user task, fire timers, dump.

Concurrency, permissions and "is this task still open for this user" are the service layer's job
(`task.run()` checks nothing). On ScriptError/LoopLimitError the in-memory workflow is in an undefined
state: do not dump it; keep the previous blob and mark the instance as failed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from server.clock import Clock
from server.engine import datacheck, messages, serializer, timers
from server.engine.errors import EngineError, LoopLimitError, ScriptError, TaskNotReady, UnstorableData
from server.engine.i18n import _
from server.engine.operators import OperatorRegistry
from server.engine.rounds import RoundRestart, earlier_pass
from server.engine.sandbox import SandboxTimeout
from server.engine.scripting import CURRENT_CONTEXT, SandboxScriptEngine, describe, element_of
from server.engine.tasks import UserTaskView, check_loops, completed_specs, reach_key, stamp_ready, view
from server.lru import BoundedLRU

__all__ = ["Engine", "UserTaskView", "Workflow"]

Status = Literal["running", "waiting", "completed"]
SpecSource = str | Callable[[], str]
_SPEC_CACHE_SIZE = 256
_RECENT_SIZE = 128  # workflows kept live after their step committed (see RecentWorkflows)
_MAX_ENGINE_STEPS = 5000  # automatic steps per call; a loop with no user task would spin forever

timers.install()
messages.install()


def _as_script_error(exc: BaseException) -> EngineError:
    """Find our own error inside SpiffWorkflow's wrappers, or wrap the root cause naming the element."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, EngineError):
            return cur
        seen.add(id(cur))
        cur = getattr(cur, "exception", None) or cur.__cause__ or cur.__context__
    task = getattr(exc, "task", None)
    element = element_of(task) if task is not None else None
    if element:
        return ScriptError(
            _("流程运行出错（元素 %(element)s）：%(error)s", element=element, error=describe(exc)), element
        )
    return ScriptError(_("流程运行出错：%(error)s", error=describe(exc)), element)


class RecentWorkflows:
    """Workflows this process saved last, so the next step of the same instance skips deserializing its blob.

    An entry serves only the exact row it was saved as: same instance, lock_version, spec and state text (the
    caller compares the blob it just read, so an instance saved since by any server, any path, is a miss).
    `take` removes the entry: a workflow is in one request's hands at a time, and a step that fails never puts
    its half-run workflow back. Callers `keep` a workflow only once its transaction has committed.
    """

    def __init__(self, size: int = _RECENT_SIZE) -> None:
        self._items: BoundedLRU[int, tuple[int, str, str, Workflow]] = BoundedLRU(size)  # size 0: reuse off

    @property
    def size(self) -> int:
        return self._items.size

    def keep(self, instance_id: int, lock_version: int, state: str, wf: Workflow) -> None:
        self._items.put(instance_id, (lock_version, wf.version_key, state, wf))

    def take(self, instance_id: int, lock_version: int, version_key: str, state: str) -> Workflow | None:
        entry = self._items.pop(instance_id)
        if entry is None:
            return None
        kept_lock, kept_key, kept_state, wf = entry
        if kept_lock != lock_version or kept_key != version_key or kept_state != state:
            return None
        return wf


class Engine:
    def __init__(
        self,
        *,
        operators: OperatorRegistry,
        clock: Clock,
        script_timeout: float = 2.0,
        loop_limit: int = 20,
        recent_size: int | None = None,  # None: the default; 0 turns workflow reuse off
    ) -> None:
        self.operators = operators
        self.clock = clock
        self.loop_limit = loop_limit
        self.script_engine = SandboxScriptEngine(operators, script_timeout)
        self._specs: BoundedLRU[str, serializer.Specs] = BoundedLRU(_SPEC_CACHE_SIZE)
        self.recent = RecentWorkflows(_RECENT_SIZE if recent_size is None else recent_size)

    def specs(self, version_key: str, spec_json: SpecSource) -> serializer.Specs:
        """Deserialized specs, cached per version (versions are immutable).

        `spec_json` may be a callable so callers only fetch the (large) text on a cache miss.
        """
        return self._specs.get_or_make(
            version_key, lambda: serializer.load_spec(spec_json() if callable(spec_json) else spec_json)
        )

    def start(
        self, version_key: str, spec_json: SpecSource, data: dict[str, Any] | None = None, *, context: Any = None
    ) -> Workflow:
        spec, subprocess_specs = self.specs(version_key, spec_json)
        bpmn = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        if data:
            bpmn.task_tree.data.update(deepcopy(data))
        wf = Workflow(self, version_key, bpmn)
        with wf._running(context):
            wf._advance()
        return wf

    def load(self, version_key: str, spec_json: SpecSource, state: str) -> Workflow:
        specs = self.specs(version_key, spec_json)
        return Workflow(self, version_key, serializer.load_state(state, specs, self.script_engine))


class Workflow:
    """One instance; wraps a BpmnWorkflow."""

    def __init__(self, engine: Engine, version_key: str, bpmn: BpmnWorkflow) -> None:
        self._engine = engine
        self.version_key = version_key
        self.bpmn = bpmn
        # READY manual tasks as of the last step: a tree walk each, and a request asks several times.
        self._ready: list[Any] | None = None

    @contextmanager
    def _running(self, context: Any) -> Iterator[None]:
        token = CURRENT_CONTEXT.set(context)
        try:
            with timers.using_clock(self._engine.clock):
                yield
        finally:
            CURRENT_CONTEXT.reset(token)

    def _ready_tasks(self) -> list[Any]:
        if self._ready is None:
            self._ready = self.bpmn.get_tasks(state=TaskState.READY, manual=True)
        return self._ready

    def _advance(self) -> None:
        runs: Counter[str] = Counter()
        limit = self._engine.loop_limit

        def counted(task: Any) -> None:
            # A loop without a user task would spin here until SpiffWorkflow's iterators stop seeing
            # the deepening tree (max_depth=1000); stop it while it is still shallow.
            key = reach_key(task)
            runs[key] += 1
            if runs[key] > limit or runs.total() > _MAX_ENGINE_STEPS:
                raise LoopLimitError(
                    _(
                        "自动步骤“%(key)s”在一次推进中运行超过 %(limit)s 次，流程可能陷入无人工任务的循环（元素 %(element)s）",
                        key=key,
                        limit=limit,
                        element=element_of(task),
                    ),
                    element_of(task),
                )

        def compact(task: Any) -> None:
            first = earlier_pass(task)
            if first is not None:
                raise RoundRestart(first, task)

        try:
            self._ready = None
            while True:
                try:
                    self.bpmn.do_engine_steps(will_complete_task=compact, did_complete_task=counted)
                    break
                except RoundRestart as again:
                    again.apply(self.bpmn)
            ready = self._ready_tasks()
            now = self._engine.clock.now()
            for task in ready:
                stamp_ready(task, self._engine.script_engine, now)
        except (Exception, SandboxTimeout) as exc:
            err = _as_script_error(exc)
            if err is exc:
                raise
            raise err from exc
        check_loops(self.bpmn, ready, self._engine.loop_limit)

    def user_tasks(self) -> list[UserTaskView]:
        """READY user and manual tasks."""
        done: dict[int, frozenset[Any]] = {}  # per (sub)workflow tree, scanned once however many tasks are ready
        views = []
        for task in self._ready_tasks():
            tree = task.workflow
            if id(tree) not in done:
                done[id(tree)] = completed_specs(tree)
            views.append(view(task, done[id(tree)]))
        return views

    def open_panel_tasks(self) -> set[str]:
        """Ids of every instance of a multi-instance step (a panel: each member works on their own, e.g.
        experts scoring) while a member is still at work; each member's submission stays sealed from the
        others until the last one is in. Ids of instances already done included, of later rounds not."""
        ids: set[str] = set()
        for task in self._ready_tasks():
            parent = task.parent
            if parent is not None and isinstance(parent.task_spec, MultiInstanceTask):
                ids.update(str(child.id) for child in parent.children)
        return ids

    def complete(self, task_id: str, data: dict[str, Any], *, context: Any = None) -> None:
        try:
            task = self.bpmn.get_task_from_id(UUID(str(task_id)))
        except Exception as exc:  # malformed id or TaskNotFoundException
            raise TaskNotReady(_("任务 %(id)s 不存在", id=task_id)) from exc
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(_("任务 %(id)s 不是待办的人工任务", id=task_id))
        self._ready = None  # whatever happens next changes the tree
        with self._running(context):
            try:
                form = deepcopy(data or {})
                variable = getattr(task.task_spec, "variable", None)  # spiffworkflow:variableName
                if variable:
                    task.data[variable] = form
                else:
                    # Top-level replace, not SpiffWorkflow's DeepMerge: its list merge de-duplicates
                    # and keeps old items ([1, 2] merged with [5, 5] gives [1, 2]).
                    task.data.update(form)
                task.run()
            except (Exception, SandboxTimeout) as exc:
                err = _as_script_error(exc)
                if err is exc:
                    raise
                raise err from exc
            self._advance()

    def refresh(self, *, context: Any = None) -> None:
        """Fire timers that are due at clock.now() and run what follows."""
        self._ready = None
        with self._running(context):
            try:
                self.bpmn.refresh_timers()
            except (Exception, SandboxTimeout) as exc:
                raise _as_script_error(exc) from exc
            self._advance()

    def catch_message(self, name: str, correlation: dict[str, Any], payload: dict[str, Any], *,
                      context: Any = None) -> bool:
        """Deliver a BPMN message (engine.messages) and run what follows; False when the instance does not wait
        for it or is not correlated (nothing changed)."""
        with self._running(context):
            try:
                if not messages.deliver(self.bpmn, name, correlation, deepcopy(payload)):
                    return False
            except (Exception, SandboxTimeout) as exc:
                raise _as_script_error(exc) from exc
            self._ready = None
            self._advance()
        return True

    def waiting_messages(self) -> list[str]:
        return messages.waiting_names(self.bpmn)

    def thrown_messages(self) -> list[messages.ThrownMessage]:
        """Messages thrown by the steps run so far that no task of this instance caught (read once)."""
        return messages.thrown(self.bpmn)

    def next_timer_due(self) -> datetime | None:
        dues = [d for t in self.bpmn.event_manager.tasks.values() if (d := timers.timer_due(t)) is not None]
        return min(dues) if dues else None

    def move_next_timer(self, when: datetime) -> datetime | None:
        """Make the earliest armed timer due at `when`; returns when it was due (None: no timer is waiting)."""
        armed = [(d, t) for t in self.bpmn.event_manager.tasks.values() if (d := timers.timer_due(t)) is not None]
        if not armed:
            return None
        due, task = min(armed, key=lambda pair: pair[0])
        timers.set_due(task, when)
        return due

    @property
    def status(self) -> Status:
        if self.bpmn.is_completed():
            return "completed"
        return "running" if self._ready_tasks() else "waiting"

    @property
    def data(self) -> dict[str, Any]:
        """Process data at the end; while running, the data of the last completed task."""
        if self.bpmn.is_completed() or self.bpmn.last_task is None:
            return dict(self.bpmn.data)
        return dict(self.bpmn.last_task.data)

    def dump(self) -> str:
        try:
            return serializer.dump_state(self.bpmn)
        except (TypeError, ValueError, OverflowError, RecursionError) as exc:
            raise self._unstorable() from exc

    def _unstorable(self) -> UnstorableData:
        """Name the variable that broke the dump, and the element that first held it (the one that made it:
        a script that changed data in place, which the sandbox's own check cannot see)."""
        tasks = [t for wf in (self.bpmn, *self.bpmn.subprocesses.values()) for t in wf.tasks.values()]
        tasks.sort(key=lambda t: t.last_state_change)
        for data, task in [*((t.data, t) for t in tasks), (self.bpmn.data, None)]:
            problem = datacheck.first_unstorable(data)
            if problem is not None:
                element = element_of(task) if task is not None else None
                return UnstorableData(
                    _("流程数据无法保存（元素 %(element)s）：%(error)s", element=element or "-", error=problem),
                    element,
                )
        return UnstorableData(_("流程数据无法保存"))

    def completed_task_names(self) -> list[str]:
        """BPMN ids of completed diagram elements, in completion order (for highlighting)."""
        done = [
            t
            for wf in (self.bpmn, *self.bpmn.subprocesses.values())
            for t in wf.tasks.values()
            if t.state == TaskState.COMPLETED and getattr(t.task_spec, "bpmn_id", None)
        ]
        done.sort(key=lambda t: t.last_state_change)
        names: list[str] = []
        for t in done:
            if not names or names[-1] != t.task_spec.bpmn_id:
                names.append(t.task_spec.bpmn_id)
        return names
