"""Moving running instances of an older version onto a newer one (/admin/models/<key>/diff, the admin API).

Whether an instance can move is SpiffWorkflow's verdict (WorkflowDiff of its task tree against the SpecDiff of
the two versions): a step it is waiting at (ready, waiting, started) whose element was removed or changed blocks
it, because the instance would resume on something the administrator did not look at; so does a finished step
whose element was removed (its history would point at nothing) or a called process the new version lacks.
Where a waiting user step only connects differently now (its incoming or outgoing flows changed), it moves:
SpiffWorkflow's `migrate_workflow` re-predicts everything after a waiting step. A boundary event added to or
taken from a waiting step blocks it (the step already waiting would never arm a new timer).

Each instance moves in its own transaction: the migrated state is dumped and read back against the new version
before anything is written; its open task rows follow (task_sync keeps the rows of steps still waiting, by
SpiffWorkflow task id); the move is audited with both version numbers. A refusal leaves the instance as it was
and is audited and reported with the reason in Chinese.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from server.db import db
from server.engine import serializer, timers
from server.engine.errors import EngineError
from server.engine.runtime import Workflow
from server.extensions import get_clock, get_engine
from server.flows.shared.support import OperatorContext
from server.models import (
    HumanTask,
    InstanceStatus,
    ProcessInstance,
    ProcessModel,
    ProcessVersion,
    TaskStatus,
    User,
)
from server.services import audit
from server.services.admin_access import require_admin
from server.services.errors import ServiceError, ValidationFailed
from server.services.instances import run_follow_ups
from server.services.persistence import load_workflow, save_workflow
from server.services.project_story import story_label
from server.services.version_diff import attribute_words, model_version

ACTIVE = (InstanceStatus.RUNNING, InstanceStatus.WAITING)
WAITING_STATES = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
SETTLED = TaskState.FINISHED_MASK
# A waiting user step may lead elsewhere now (migrate_workflow re-predicts what follows it); any other change
# to it (form, lane, type, scripts) is something its open task row and its user would not match.
ROUTING_ONLY = {"inputs", "outputs"}
PER_PAGE = 50
MAX_BATCH = 100


@dataclass
class Candidate:
    """An active instance of an older version, and whether it can move to the target (reasons when not)."""

    instance: ProcessInstance
    open_steps: list[str]
    reasons: list[str] = field(default_factory=list)
    checked: bool = True  # False: listed without the verdict (the page asks for it row by row)

    @property
    def movable(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class MoveResult:
    instance_id: int
    moved: bool
    from_version: int
    to_version: int
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"instance_id": self.instance_id, "moved": self.moved, "from_version": self.from_version,
                "to_version": self.to_version, "reason": self.reason}


class Refused(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("；".join(reasons))
        self.reasons = reasons


def _label(spec: Any) -> str:
    name = getattr(spec, "bpmn_name", None)
    element = getattr(spec, "bpmn_id", None) or spec.name
    return f"“{name}”（{element}）" if name else f"“{element}”"


class _Plan:
    """The target version's specs and, per source version, SpiffWorkflow's SpecDiff to it (computed once)."""

    def __init__(self, target: ProcessVersion) -> None:
        self.target = target
        self.spec, self.deps = get_engine().specs(target.cache_key, lambda: target.spec_json)
        self._diffs: dict[tuple[int, str, int], SpecDiff] = {}

    def spec_diff(self, version: ProcessVersion, name: str, old: Any, new: Any) -> SpecDiff:
        # Keyed by the spec object too: WorkflowDiff matches tasks to specs by identity, and a spec the engine's
        # cache dropped and rebuilt meanwhile is another object.
        key = (version.id, name, id(old))
        if key not in self._diffs:
            self._diffs[key] = SpecDiff(serializer.REGISTRY, old, new)
        return self._diffs[key]

    def diffs(self, instance: ProcessInstance, wf: Workflow) -> list[tuple[Any, WorkflowDiff, Any]]:
        """(workflow or subworkflow, its WorkflowDiff, its new spec); Refused when it cannot move."""
        reasons: list[str] = []
        pairs: list[tuple[Any, WorkflowDiff, Any]] = []
        trees = [(wf.bpmn, "", self.spec)]
        for sub in wf.bpmn.subprocesses.values():
            new = self.deps.get(sub.spec.name)
            if new is None:
                reasons.append(_("调用的流程“%(name)s”在新版本中不存在", name=sub.spec.name))
                continue
            trees.append((sub, sub.spec.name, new))
        for tree, name, new in trees:
            spec_diff = self.spec_diff(instance.version, name, tree.spec, new)
            diff = WorkflowDiff(tree, spec_diff)
            reasons += _blockers(diff, spec_diff)
            pairs.append((tree, diff, new))
        if reasons:
            raise Refused(reasons)
        return pairs


def _blockers(diff: WorkflowDiff, spec_diff: SpecDiff) -> list[str]:
    reasons: list[str] = []
    for task in diff.removed:
        if task.state & WAITING_STATES:
            reasons.append(_("正在办理的步骤%(step)s在新版本中已删除", step=_label(task.task_spec)))
        elif task.state & SETTLED and getattr(task.task_spec, "bpmn_id", None):
            reasons.append(_("已办结的步骤%(step)s在新版本中已删除，办理记录无法对应", step=_label(task.task_spec)))
    for task in diff.changed:
        if not task.state & WAITING_STATES:
            continue
        attrs = spec_diff.changed.get(task.task_spec, [])
        if _boundary_events(task.task_spec) != _boundary_events(spec_diff.alignment.get(task.task_spec)):
            reasons.append(_("正在办理的步骤%(step)s在新版本中增减了边界事件（定时、消息等）", step=_label(task.task_spec)))
            continue
        if task.task_spec.manual and set(attrs) <= ROUTING_ONLY:
            continue
        reasons.append(_("正在办理的步骤%(step)s在新版本中有改动（%(what)s）", step=_label(task.task_spec),
                         what="、".join(attribute_words(attrs))))
    return list(dict.fromkeys(reasons))


def _boundary_events(spec: Any) -> list[str]:
    """The boundary events attached to a step: SpiffWorkflow puts a split before the step that also leads to them,
    so adding one shows up only as changed inputs, yet a step already waiting would never arm it."""
    if spec is None:
        return []
    return sorted(o.name for i in spec.inputs if isinstance(i, BoundaryEventSplit) for o in i.outputs if o is not spec)


def _target(key: str, to_number: Any) -> ProcessVersion:
    return model_version(key, to_number, "to_version")


def _older(target: ProcessVersion, from_number: int | None = None):
    where = [ProcessVersion.model_id == target.model_id, ProcessInstance.status.in_(ACTIVE)]
    where.append(ProcessVersion.number == from_number if from_number is not None
                 else ProcessVersion.number < target.number)
    return where


def candidates(actor: User, key: str, to_number: Any, from_number: int | None = None, page: int = 1, *,
               verdicts: bool = True, ids: list[int] | None = None) -> tuple[list[Candidate], int]:
    """Active instances of older versions (or of `from_number`), oldest first, a page at a time (or the named
    `ids`, at most a page of them). With `verdicts`, each carries SpiffWorkflow's verdict, which loads its
    workflow; without, the list is SQL only and rows are marked unchecked (the page fetches verdicts a few rows
    per request, so listing never deserializes a page of workflows at once)."""
    require_admin(actor)
    target = _target(key, to_number)
    where = _older(target, from_number)
    if ids is not None:
        where.append(ProcessInstance.id.in_(ids[:PER_PAGE]))
    base = select(ProcessInstance).join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id).where(*where)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    instances = db.session.scalars(base.order_by(ProcessInstance.id).limit(PER_PAGE)
                                   .offset(0 if ids is not None else (max(page, 1) - 1) * PER_PAGE)).all()
    steps: dict[int, list[str]] = {i.id: [] for i in instances}
    if instances:
        for instance_id, title in db.session.execute(
                select(HumanTask.instance_id, HumanTask.title)
                .where(HumanTask.instance_id.in_(list(steps)), HumanTask.status == TaskStatus.OPEN)
                .order_by(HumanTask.id)):
            steps[instance_id].append(title)
    if target.number <= (from_number or 0):
        return [Candidate(i, steps[i.id], [_("只能迁移到更新的版本")]) for i in instances], total
    if not verdicts:
        return [Candidate(i, steps[i.id], checked=False) for i in instances], total
    rows = []
    plan: _Plan | None = None
    for instance in instances:
        row = Candidate(instance, steps[instance.id])
        try:
            plan = plan or _Plan(target)
            plan.diffs(instance, load_workflow(instance))
        except Refused as refused:
            row.reasons = refused.reasons
        except EngineError as err:
            row.reasons = [_("流程数据无法读取：%(err)s", err=err.message)]
        except (KeyError, TypeError, ValueError, AttributeError) as err:  # a state the engine cannot restore
            row.reasons = [_("流程数据无法读取：%(err)s", err=str(err)[:200])]
        rows.append(row)
    return rows, total


def movable_ids(actor: User, key: str, to_number: Any, from_number: int | None = None) -> list[int]:
    """Ids of every active instance of an older version (of `from_number`), for 全部迁移; SQL only."""
    require_admin(actor)
    target = _target(key, to_number)
    return list(db.session.scalars(
        select(ProcessInstance.id).join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .where(*_older(target, from_number)).order_by(ProcessInstance.id)))


def active_by_version(key: str, below: int) -> dict[int, int]:
    """How many running or waiting instances each version older than `below` holds (the page links to them)."""
    rows = db.session.execute(
        select(ProcessVersion.number, func.count()).join(ProcessInstance, ProcessInstance.version_id == ProcessVersion.id)
        .join(ProcessModel, ProcessModel.id == ProcessVersion.model_id)
        .where(ProcessModel.key == key, ProcessVersion.number < below, ProcessInstance.status.in_(ACTIVE))
        .group_by(ProcessVersion.number).order_by(ProcessVersion.number))
    return dict(rows.tuples().all())


def _checked_ids(raw: Any) -> list[int]:
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed(_("请选择要迁移的实例"), fields={"instance_ids": _("应为实例编号的列表")})
    if len(raw) > MAX_BATCH:
        raise ValidationFailed(_("一次最多迁移 %(n)s 个实例", n=MAX_BATCH),
                               fields={"instance_ids": _("最多 %(n)s 个", n=MAX_BATCH)})
    if not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31 for i in raw):
        raise ValidationFailed(_("实例编号不正确"), fields={"instance_ids": _("应为正整数")})
    return list(dict.fromkeys(raw))


def migrate(actor: User, key: str, to_number: Any, instance_ids: Any) -> list[MoveResult]:
    """Move each named instance to version `to_number`, each in its own transaction. The request is refused
    as a whole (422, nothing changed) when an id is unknown, of another flow, or not on an older version."""
    require_admin(actor)
    target = _target(key, to_number)
    ids = _checked_ids(instance_ids)
    rows = dict((r[0], r[1:]) for r in db.session.execute(
        select(ProcessInstance.id, ProcessVersion.model_id, ProcessVersion.number)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id).where(ProcessInstance.id.in_(ids))))
    problems: list[str] = []
    for i in ids:
        if i not in rows:
            problems.append(_("实例 %(id)s 不存在", id=i))
        elif rows[i][0] != target.model_id:
            problems.append(_("实例 %(id)s 不属于流程 %(key)s", id=i, key=key))
        elif rows[i][1] >= target.number:
            problems.append(_("实例 %(id)s 已是第 %(n)s 版，只能迁移到更新的版本", id=i, n=rows[i][1]))
    if problems:
        raise ValidationFailed(problems[0], fields={"instance_ids": "；".join(problems)})
    plan = _Plan(target)
    return [_migrate_one(actor, i, plan, rows[i][1]) for i in ids]


def _keep_waiting_clocks(trees: list[Any]) -> dict[Any, dict[str, Any]]:
    """migrate_workflow resets waiting steps, which would restart their timers and due dates; keep them."""
    return {task.id: deepcopy(task.internal_data) for tree in trees
            for task in tree.get_tasks(state=WAITING_STATES, skip_subprocesses=True)}


def _migrate_one(actor: User, instance_id: int, plan: _Plan, from_number: int) -> MoveResult:
    target = plan.target
    instance = db.session.get(ProcessInstance, instance_id)
    try:
        if instance is None:
            raise Refused([_("实例 %(id)s 不存在", id=instance_id)])
        from_number = instance.version.number  # as it is now: another administrator may have moved it meanwhile
        if from_number >= target.number:
            raise Refused([_("实例 %(id)s 已是第 %(n)s 版，只能迁移到更新的版本", id=instance_id, n=from_number)])
        if instance.status not in ACTIVE:
            raise Refused([_("实例当前状态（%(status)s）不能迁移，只迁移办理中或等待中的实例",
                             status=story_label("instance_status", instance.status.value))])
        wf = load_workflow(instance)
        pairs = plan.diffs(instance, wf)
        kept = _keep_waiting_clocks([tree for tree, _diff, _new in pairs])
        with timers.using_clock(get_clock()):  # re-predicting may arm timers: on the app's clock, like every step
            for tree, diff, new in pairs:
                migrate_workflow(diff, tree, new)
        wf.bpmn.subprocess_specs = plan.deps
        for tree, _diff, _new in pairs:
            for task_id, internal in kept.items():
                task = tree.tasks.get(task_id)
                if task is not None:
                    task.internal_data = internal
        moved = Workflow(get_engine(), target.cache_key, wf.bpmn)
        context = OperatorContext(instance, actor)
        moved.refresh(context=context)
        # Read back against the new version before writing: a state that would not load is never saved.
        serializer.load_state(moved.dump(), (plan.spec, plan.deps), get_engine().script_engine)
        instance.version_id = target.id
        instance.version = target
        save_workflow(instance, moved, instance.title)
        audit.record("migrate", actor=actor, instance=instance,
                     data={"process_key": target.model.key, "from_version": from_number,
                           "to_version": target.number})
        run_follow_ups(context)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return _refused(actor, instance_id, from_number, target, [_("实例已被他人更新，请刷新后重试")])
    except Refused as refused:
        db.session.rollback()
        return _refused(actor, instance_id, from_number, target, refused.reasons)
    except (EngineError, ServiceError) as err:
        db.session.rollback()
        return _refused(actor, instance_id, from_number, target,
                        [_("按新版本继续办理时出错：%(err)s", err=getattr(err, "message", str(err)))])
    except (KeyError, TypeError, ValueError, AttributeError) as err:  # the migrated tree would not load on the new version
        db.session.rollback()
        return _refused(actor, instance_id, from_number, target,
                        [_("迁移后的流程数据与新版本不一致：%(err)s", err=str(err)[:200])])
    return MoveResult(instance_id, True, from_number, target.number)


def _refused(actor: User, instance_id: int, from_number: int, target: ProcessVersion,
             reasons: list[str]) -> MoveResult:
    reason = "；".join(reasons)
    audit.append("migrate_refused", actor_id=actor.id, instance_id=instance_id,
                 data={"from_version": from_number, "to_version": target.number, "reason": reason})
    db.session.commit()
    return MoveResult(instance_id, False, from_number, target.number, reason)
