"""What changed between two versions of a process model (/admin/models/<key>/diff): the diagram elements added,
changed and removed, by BPMN id with their Chinese names and kinds.

The comparison is SpiffWorkflow's own (SpecDiff over the deployed specs, the same alignment its migration uses):
an element counts as changed when any attribute the serializer keeps differs, including where its flows lead,
so the list says what a running instance would meet. Elements SpiffWorkflow adds for itself (Start, End joins,
boundary-event splits) have no BPMN id and are left out; a multi-instance step appears once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from SpiffWorkflow.bpmn.util.diff import SpecDiff
from sqlalchemy import select
from sqlalchemy.orm import undefer

from server.db import db
from server.engine import serializer
from server.engine.parsing import is_bpmn
from server.models import ProcessModel, ProcessVersion
from server.services.errors import NotFound, ValidationFailed

KINDS = {
    "UserTask": _l("人工任务"),
    "ManualTask": _l("手工任务"),
    "NoneTask": _l("任务"),
    "ScriptTask": _l("脚本任务"),
    "ServiceTask": _l("服务任务"),
    "BusinessRuleTask": _l("规则任务"),
    "SendTask": _l("发送任务"),
    "ReceiveTask": _l("接收任务"),
    "CallActivity": _l("调用活动"),
    "SubWorkflowTask": _l("子流程"),
    "TransactionSubprocess": _l("事务子流程"),
    "StartEvent": _l("开始事件"),
    "EndEvent": _l("结束事件"),
    "IntermediateCatchEvent": _l("中间捕获事件"),
    "IntermediateThrowEvent": _l("中间抛出事件"),
    "BoundaryEvent": _l("边界事件"),
    "ExclusiveGateway": _l("排他网关"),
    "InclusiveGateway": _l("包容网关"),
    "ParallelGateway": _l("并行网关"),
    "EventBasedGateway": _l("事件网关"),
}

# Serialized attribute -> what an administrator calls it; anything else is shown as the attribute's own name.
ATTRIBUTES = {
    "typename": _l("元素类型"),
    "bpmn_name": _l("名称"),
    "lane": _l("泳道（角色）"),
    "inputs": _l("来向连线"),
    "outputs": _l("去向连线"),
    "cond_task_specs": _l("分支条件"),
    "default_task_spec": _l("默认分支"),
    "extensions": _l("表单、说明等扩展属性"),
    "script": _l("脚本"),
    "prescript": _l("前置脚本"),
    "postscript": _l("后置脚本"),
    "event_definition": _l("事件定义"),
    "documentation": _l("说明"),
    "operation_name": _l("服务操作"),
    "operation_params": _l("服务参数"),
    "result_variable": _l("结果变量"),
    "decision_ref": _l("规则表"),
    "spec": _l("调用的流程"),
    "cancel_activity": _l("是否中断"),
    "data_input_associations": _l("输入数据"),
    "data_output_associations": _l("输出数据"),
    "io_specification": _l("输入输出定义"),
}


@dataclass(frozen=True)
class ElementChange:
    element_id: str
    name: str | None
    kind: str
    attributes: tuple[str, ...] = ()  # changed elements: what changed, in the administrator's words
    process: str | None = None  # a called process's id when the element is not in the main process
    old_name: str | None = None  # changed elements: the name before, when it was renamed


@dataclass
class VersionDiff:
    key: str
    model_name: str
    old: ProcessVersion
    new: ProcessVersion
    added: list[ElementChange] = field(default_factory=list)
    changed: list[ElementChange] = field(default_factory=list)
    removed: list[ElementChange] = field(default_factory=list)
    processes_added: list[str] = field(default_factory=list)
    processes_removed: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not (self.added or self.changed or self.removed or self.processes_added or self.processes_removed)


def kind_of(spec: Any) -> str:
    name = type(spec).__name__
    return str(KINDS.get(name, name))


def attribute_words(names: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(ATTRIBUTES.get(n, n)) for n in names))


def _element(spec: Any, attributes: list[str] | None = None, process: str | None = None) -> ElementChange:
    return ElementChange(spec.bpmn_id, spec.bpmn_name, kind_of(spec), attribute_words(attributes or []), process)


def _changed(old: Any, new: Any, attributes: list[str], process: str | None) -> ElementChange:
    renamed = old.bpmn_name if old.bpmn_name != new.bpmn_name else None
    return ElementChange(new.bpmn_id or old.bpmn_id, new.bpmn_name, kind_of(new), attribute_words(attributes), process,
                         renamed)


def _one_per_element(changes: list[ElementChange]) -> list[ElementChange]:
    """A multi-instance step is two specs with one BPMN id: keep one entry, with both specs' attributes."""
    merged: dict[str, ElementChange] = {}
    for c in changes:
        if c.element_id in merged:
            before = merged[c.element_id]
            c = ElementChange(c.element_id, c.name or before.name, before.kind,
                              tuple(dict.fromkeys(before.attributes + c.attributes)), c.process,
                              c.old_name or before.old_name)
        merged[c.element_id] = c
    return sorted(merged.values(), key=lambda c: (c.process or "", c.element_id))


def model_version(key: str, number: Any, what: str) -> ProcessVersion:
    """One version of the model by its number; 404 for an unknown model, 422 naming `what` for a bad number."""
    model = db.session.scalar(select(ProcessModel).where(ProcessModel.key == key))
    if model is None:
        raise NotFound(_("流程模型不存在"))
    wanted: int | None = None
    if isinstance(number, int) and not isinstance(number, bool):
        wanted = number
    elif isinstance(number, str) and number.strip().isdigit() and len(number.strip()) < 10:
        wanted = int(number.strip())
    version = None if wanted is None else db.session.scalar(
        select(ProcessVersion).where(ProcessVersion.model_id == model.id, ProcessVersion.number == wanted))
    if version is None:
        numbers = db.session.scalars(select(ProcessVersion.number).where(ProcessVersion.model_id == model.id)
                                     .order_by(ProcessVersion.number)).all()
        raise ValidationFailed(_("版本号不正确"), fields={what: _("%(key)s 的版本有：%(n)s", key=key,
                                                                 n="、".join(str(n) for n in numbers))})
    return version


def version_numbers(key: str) -> list[int]:
    return list(db.session.scalars(select(ProcessVersion.number).join(ProcessModel, ProcessModel.id ==
                                                                      ProcessVersion.model_id)
                                   .where(ProcessModel.key == key).order_by(ProcessVersion.number)))


def current_number(key: str) -> int:
    model = db.session.scalar(select(ProcessModel).where(ProcessModel.key == key))
    if model is None or model.current_version is None:
        raise NotFound(_("流程模型不存在"))
    return model.current_version.number


def specs_of(version: ProcessVersion) -> serializer.Specs:
    return serializer.load_spec(version.spec_json)


def diff_versions(key: str, old_number: Any, new_number: Any) -> VersionDiff:
    old = model_version(key, old_number, "from")
    new = model_version(key, new_number, "to")
    (old_spec, old_deps), (new_spec, new_deps) = specs_of(old), specs_of(new)
    result = VersionDiff(key, old.model.name, old, new)
    pairs = [(None, old_spec, new_spec)] + [(name, old_deps[name], new_deps[name])
                                            for name in sorted(old_deps) if name in new_deps]
    for process, before, after in pairs:
        diff = SpecDiff(serializer.REGISTRY, before, after)
        result.added += [_element(s, process=process) for s in diff.added if s.bpmn_id]
        result.removed += [_element(s, process=process) for s in diff.removed if s is not None and s.bpmn_id]
        result.changed += [_changed(s, diff.alignment[s], attrs, process)
                           for s, attrs in diff.changed.items() if s.bpmn_id]
    result.added, result.changed, result.removed = (_one_per_element(x) for x in
                                                    (result.added, result.changed, result.removed))
    result.processes_added = sorted(set(new_deps) - set(old_deps))
    result.processes_removed = sorted(set(old_deps) - set(new_deps))
    return result


def diagram_source(key: str, number: Any) -> tuple[str, ProcessVersion]:
    """The BPMN file holding the version's process, as deployed (the diff page's viewers draw it)."""
    version = model_version(key, number, "version")
    version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.id == version.id)
                                .options(undefer(ProcessVersion.sources)))
    bpmn = sorted(name for name in version.sources if is_bpmn(name))
    marker = f'id="{version.process_id}"'
    name = next((n for n in bpmn if marker in version.sources[n]), bpmn[0] if bpmn else None)
    return (version.sources[name] if name else ""), version


def export_rows(diff: VersionDiff):
    for word, items in ((_("新增"), diff.added), (_("修改"), diff.changed), (_("删除"), diff.removed)):
        for c in items:
            yield [word, c.element_id, c.name or "", c.old_name or "", c.kind, "、".join(c.attributes), c.process or ""]
