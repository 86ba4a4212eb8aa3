"""What the instance page shows: the diagram with done and current steps, the timeline of audit events with
the data submitted at each step (labelled from the step's own form), and the open tasks.

One instance page may deserialize its workflow (for the completed elements); lists never do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import aliased

from server.clock import COUNTY_TZ
from server.db import db
from server.engine.errors import EngineError
from server.engine.parsing import is_bpmn
from server.models import AuditEvent, HumanTask, ProcessInstance, ProcessVersion, TaskStatus, User
from server.models.identity import ROLE_CODES
from server.services.attachments import is_attachment_field
from server.services.instances import get_instance
from server.services.panels import sealed_task_ids
from server.services.persistence import load_workflow
from server.services.role_names import role_name
from server.services.xlsx_export import Column, Sheet, stream_sheets

ACTIONS = {
    "start": lazy_gettext("发起流程"),
    "claim": lazy_gettext("认领任务"),
    "unclaim": lazy_gettext("放回待认领"),
    "complete": lazy_gettext("提交"),
    "timer": lazy_gettext("定时器触发"),
    "error": lazy_gettext("流程出错"),
    "cancel": lazy_gettext("撤销流程"),
    "retry": lazy_gettext("重试出错的流程"),
    "migrate": lazy_gettext("迁移到新版本"),
    "migrate_refused": lazy_gettext("迁移未执行（保持原版本）"),
    "suspend": lazy_gettext("管理员挂起流程"),
    "resume": lazy_gettext("管理员恢复流程"),
    "reassign": lazy_gettext("管理员改派任务"),
    "admin_skip": lazy_gettext("管理员跳过步骤"),
    "move_timers": lazy_gettext("管理员提前触发定时器"),
    "message": lazy_gettext("收到消息"),
    "follow_up": lazy_gettext("由上一流程自动发起"),
}
INSTANCE_STATUS = {"running": lazy_gettext("办理中"), "waiting": lazy_gettext("等待中"),
                   "completed": lazy_gettext("已办结"), "error": lazy_gettext("出错"),
                   "cancelled": lazy_gettext("已撤销"), "suspended": lazy_gettext("已挂起")}


def _titled(title: Any, choices: dict[str, Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"title": title}
    if choices:
        spec["oneOf"] = [{"const": k, "title": v} for k, v in choices.items()]
    return spec


# What the system and administrators record with an event, labelled as the timeline shows it (a submitted form's
# data is labelled by its own form instead).
EVENT_FIELDS: dict[str, Any] = {"properties": {
    "reason": _titled(lazy_gettext("原因")),
    "was": _titled(lazy_gettext("原状态"), INSTANCE_STATUS),
    "status": _titled(lazy_gettext("状态"), INSTANCE_STATUS),
    "username": _titled(lazy_gettext("用户名")),
    "usernames": _titled(lazy_gettext("用户名")),
    "display_name": _titled(lazy_gettext("姓名")),
    "organisation": _titled(lazy_gettext("机构")),
    "roles": _titled(lazy_gettext("角色")),
    "sectors": _titled(lazy_gettext("归口领域")),
    "released_tasks": _titled(lazy_gettext("放回待认领的任务数")),
    "generated": _titled(lazy_gettext("系统生成一次性密码")),
    "files": _titled(lazy_gettext("文件")),
    "lane_roles": _titled(lazy_gettext("泳道角色")),
    "default_role": _titled(lazy_gettext("泳道默认角色")),
    "start_role": _titled(lazy_gettext("发起角色")),
    "sector": _titled(lazy_gettext("领域")),
    "fiscal_year": _titled(lazy_gettext("年度")),
    "kind": _titled(lazy_gettext("类别")),
    "description": _titled(lazy_gettext("说明")),
    "project_id": _titled(lazy_gettext("项目编号")),
    "attachment_id": _titled(lazy_gettext("附件编号")),
    "id": _titled(lazy_gettext("编号")),
    "from": _titled(lazy_gettext("原办理人（用户编号）")),
    "to": _titled(lazy_gettext("新办理人（用户编号）")),
    "was_due": _titled(lazy_gettext("原定触发时间")),
    "process_key": _titled(lazy_gettext("流程")),
    "from_version": _titled(lazy_gettext("原版本")),
    "to_version": _titled(lazy_gettext("新版本")),
    "version": _titled(lazy_gettext("当前版本")),
    "element": _titled(lazy_gettext("步骤")),
    "message": _titled(lazy_gettext("错误信息")),
    "reference": _titled(lazy_gettext("错误编号")),
    "name": _titled(lazy_gettext("消息名称")),
    "correlation": _titled(lazy_gettext("关联键")),
    "payload": _titled(lazy_gettext("消息内容")),
    "as": _titled(lazy_gettext("撤销身份"), {"starter": lazy_gettext("发起人"), "role": lazy_gettext("办理角色")}),
    "open_steps": _titled(lazy_gettext("未完成的步骤")),
    "from_instance": _titled(lazy_gettext("来源流程实例")),
}}
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MAX_CELL_CHARS = 2000
MAX_TABLE_ROWS = 200


@dataclass
class DataTable:
    headers: list[str]
    rows: list[list[str]]


@dataclass
class DataRow:
    label: str
    text: str = ""
    table: DataTable | None = None
    files: list[int] | None = None  # an attachment field: ids, shown as download links the reader may open


@dataclass
class TimelineEntry:
    at: datetime
    actor: str | None
    action: str
    task_title: str | None
    task_id: int | None
    rows: list[DataRow] = field(default_factory=list)
    sealed: bool = False  # a panel member's submission, shown once the whole panel has submitted


@dataclass
class InstancePage:
    instance: ProcessInstance
    model_name: str
    started_by: str | None
    open_tasks: list[tuple[HumanTask, str | None]]
    timeline: list[TimelineEntry]
    done_elements: list[str]
    current_elements: list[str]


# ---------------------------------------------------------------- readable data


def _number(value: Any, money: bool) -> str:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if money:
        return f"{number.quantize(Decimal('0.01')):f} " + _("元")
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _titles(schema: dict[str, Any]) -> dict[str, str]:
    values = schema.get("enum") if isinstance(schema.get("enum"), list) else []
    titles = schema.get("x-enumTitles") or schema.get("enumNames") or []
    found = {str(v): str(t) for v, t in zip(values, titles if isinstance(titles, list) else [], strict=False)}
    for choice in schema.get("oneOf") or schema.get("anyOf") or []:
        if isinstance(choice, dict) and "const" in choice:
            found[str(choice["const"])] = str(choice.get("title", choice["const"]))
    return found


def cell(schema: dict[str, Any] | None, value: Any) -> str:
    """One value as a person reads it: enum title, 是/否, money in 元 with two decimals, lists joined."""
    schema = schema if isinstance(schema, dict) else {}
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    titles = _titles(schema)
    if str(value) in titles:
        return titles[str(value)]
    if isinstance(value, int | float):
        return _number(value, "元" in str(schema.get("title", "")) and schema.get("type") == "number")
    if isinstance(value, list):
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        return "、".join(cell(items, v) for v in value)[:MAX_CELL_CHARS]
    if isinstance(value, dict):
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        return "；".join(f"{_label(props, k)}：{cell(props.get(k), v)}" for k, v in value.items())[:MAX_CELL_CHARS]
    return str(value)[:MAX_CELL_CHARS]


def _label(props: dict[str, Any], key: str) -> str:
    sub = props.get(key)
    return str(sub.get("title") or key) if isinstance(sub, dict) else key


def readable(schema: dict[str, Any] | None, data: Any) -> list[DataRow]:
    """Submitted data as labelled rows, in the form's order; lists of rows become small tables."""
    if not isinstance(data, dict):
        return [] if data is None else [DataRow(_("内容"), cell(None, data))]
    props = (schema or {}).get("properties") if isinstance((schema or {}).get("properties"), dict) else {}
    keys = [k for k in props if k in data] + [k for k in data if k not in props]
    rows: list[DataRow] = []
    for key in keys:
        sub, value = props.get(key) if isinstance(props.get(key), dict) else {}, data[key]
        if is_attachment_field(sub) and isinstance(value, list):
            rows.append(DataRow(_label(props, key), files=[v for v in value if isinstance(v, int)]))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            items = sub.get("items") if isinstance(sub.get("items"), dict) else {}
            item_props = items.get("properties") if isinstance(items.get("properties"), dict) else {}
            cols = [k for k in item_props if any(k in v for v in value)]
            cols += sorted({k for v in value for k in v if k not in item_props})
            table = DataTable(
                [_label(item_props, c) for c in cols],
                [[cell(item_props.get(c), v.get(c)) for c in cols] for v in value[:MAX_TABLE_ROWS]],
            )
            rows.append(DataRow(_label(props, key), table=table))
        else:
            rows.append(DataRow(_label(props, key), cell(sub, value)))
    return rows


_REMARKS = re.compile(r"decision|conclusion|grade|opinion|reason|fixes|note|cause|measures|recommendation")


def remarks(schema: dict[str, Any] | None, data: Any) -> list[DataRow]:
    """The decisions and comments of a submission, and its attachments (for the task page's 'previous
    decisions')."""
    if not isinstance(data, dict):
        return []
    props = (schema or {}).get("properties") or {}
    picked = {k: v for k, v in data.items() if (_REMARKS.search(k) and not isinstance(v, list | dict))
              or is_attachment_field(props.get(k))}
    nested = {k: v for k, v in data.items() if isinstance(v, dict)}
    rows = readable(schema, picked)
    for key, value in nested.items():
        sub = props.get(key) if isinstance(props.get(key), dict) else {}
        inner = {k: v for k, v in value.items() if _REMARKS.search(k)}
        rows.extend(readable(sub, inner))
    return rows


# ---------------------------------------------------------------- events


def timeline(instance: ProcessInstance, *, only: tuple[str, ...] | None = None, brief: bool = False,
             sealed: set[int] | frozenset[int] = frozenset()) -> list[TimelineEntry]:
    """Audit events of the instance, oldest first, each with its submitted data labelled by its form; the
    data of `sealed` tasks (server.services.panels) left out."""
    actor = aliased(User)
    stmt = (
        select(AuditEvent, actor.display_name, HumanTask.form_schema)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(HumanTask, HumanTask.id == AuditEvent.task_id)
        .where(AuditEvent.instance_id == instance.id)
        .order_by(AuditEvent.id)
    )
    if only:
        stmt = stmt.where(AuditEvent.action.in_(only))
    forms = instance.version.forms or {}
    entries: list[TimelineEntry] = []
    for event, name, form_name in db.session.execute(stmt).tuples():
        schema = forms.get(form_name or "") if event.action == "complete" else EVENT_FIELDS
        hidden = event.action == "complete" and event.task_id in sealed
        rows = [] if hidden else remarks(schema, event.data) if brief else readable(schema, event.data)
        label = ACTIONS.get(event.action)
        entries.append(TimelineEntry(event.at, name, str(label) if label else event.action, event.task_title,
                                     event.task_id, rows, hidden))
    return entries


def open_task_rows(instance: ProcessInstance) -> list[tuple[HumanTask, str | None]]:
    stmt = (
        select(HumanTask, User.display_name)
        .outerjoin(User, User.id == HumanTask.assignee_id)
        .where(HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)
        .order_by(HumanTask.id)
    )
    return list(db.session.execute(stmt).tuples())


def done_elements(instance: ProcessInstance) -> list[str]:
    """BPMN ids of the steps already done: from the workflow state, else (state unreadable) the task rows."""
    try:
        if instance.state:
            return load_workflow(instance).completed_task_names()
    except (EngineError, ValueError, KeyError, TypeError):
        pass  # a state the engine cannot read still has its done task rows
    names = db.session.scalars(
        select(HumanTask.task_name).where(HumanTask.instance_id == instance.id,
                                          HumanTask.status == TaskStatus.COMPLETED).order_by(HumanTask.id)
    )
    return list(dict.fromkeys(names))


def load_instance_page(instance_id: int, actor: User) -> InstancePage:
    instance = get_instance(instance_id, actor)  # NotFound when out of the user's scope
    open_rows = open_task_rows(instance)
    current = list(dict.fromkeys(t.task_name for t, _n in open_rows))
    done = [name for name in done_elements(instance) if name not in current]
    started_by = db.session.scalar(select(User.display_name).where(User.id == instance.started_by_id)) \
        if instance.started_by_id else None
    return InstancePage(
        instance=instance,
        model_name=instance.version.model.name,
        started_by=started_by,
        open_tasks=open_rows,
        timeline=timeline(instance, sealed=sealed_task_ids(instance, actor)),
        done_elements=done,
        current_elements=current,
    )


def diagram_xml(instance_id: int, actor: User) -> str:
    """The BPMN XML of the instance's own version (not the newest one), as the viewer shows it."""
    xml, version = _version_xml(instance_id, actor)
    return readable_lanes(xml, (version.lane_roles or {}) if version else {}, version.default_role if version else None)


def readable_lanes(xml: str, lane_roles: dict[str, str] | None = None, default_role: str | None = None) -> str:
    """Lanes are named with role codes (the engine assigns tasks by them); the reader sees the role's name. A lane
    the deploy mapped to a role (a diagram drawn elsewhere) shows the role's name with the lane's own after it."""
    lane_roles = lane_roles or {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(xml.encode(), parser)
    except (etree.XMLSyntaxError, ValueError):
        return xml  # the viewer says it cannot draw it
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        name = (lane.get("name") or "").strip()
        role = lane_roles.get(name) or (name if name in ROLE_CODES else default_role)
        if role and role != name:
            lane.set("name", f"{role_name(role)}（{name}）" if name else role_name(role))
        elif name:
            lane.set("name", role_name(name))
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True).decode()


def _version_xml(instance_id: int, actor: User) -> tuple[str, ProcessVersion | None]:
    instance = get_instance(instance_id, actor)
    version = db.session.get(ProcessVersion, instance.version_id)
    sources: dict[str, str] = (version.sources if version else None) or {}
    bpmn = {name: xml for name, xml in sources.items() if is_bpmn(name)}
    process = f'id="{version.process_id}"' if version else ""
    for xml in bpmn.values():
        if process and process in xml:
            return xml, version
    return next(iter(bpmn.values()), ""), version


def instance_xlsx(page: InstancePage) -> Iterator[bytes]:
    """The timeline (who did what, when; not the submitted data, which the page folds and panels seal) and the
    open tasks as .xlsx."""
    def when(value: datetime | None) -> str | None:
        return value.astimezone(COUNTY_TZ).strftime("%Y-%m-%d %H:%M") if value else None

    return stream_sheets([
        Sheet(_("办理记录"), [Column(_("时间"), 18), Column(_("办理人"), 24), Column(_("操作"), 16),
                              Column(_("任务"), 30)],
              [(when(e.at), e.actor or _("系统"), e.action, e.task_title) for e in page.timeline]),
        Sheet(_("当前待办"), [Column(_("任务"), 30), Column(_("办理人"), 24), Column(_("截止"), 18)],
              [(t.title, who or _("待认领"), when(t.due_at)) for t, who in page.open_tasks]),
    ])
