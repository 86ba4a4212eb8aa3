"""审计日志 `/admin/audit`: the administrator reads the append-only audit events — who did what, when, to which
flow instance — filtered by person, action, instance and date, newest first, and exports the same list.

Counting stops at COUNT_CAP (the log only grows); paging is by offset over the newest-first id order, which the
(action, id) and (actor_id, id) indexes serve for the filtered views.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import aliased

from server.clock import COUNTY_TZ
from server.db import db
from server.models import AuditEvent, ProcessInstance, User
from server.services.admin_access import require_admin
from server.services.instance_page import EVENT_FIELDS, readable

PER_PAGE = 50
COUNT_CAP = 10_000
MAX_PAGE = COUNT_CAP // PER_PAGE
MAX_TEXT = 100

# Every action the product records, as the log names it. tests/web/test_audit_log.py checks that each action
# recorded in the code has a name here.
ACTIONS: dict[str, Any] = {
    "start": _l("发起流程"), "claim": _l("认领任务"), "unclaim": _l("放回待认领"), "complete": _l("提交"),
    "timer": _l("定时器触发"), "error": _l("流程出错"), "cancel": _l("撤销流程"), "retry": _l("重试出错的流程"),
    "message": _l("收到消息"), "follow_up": _l("由上一流程自动发起"), "follow_up_skipped": _l("后续流程未部署，未发起"),
    "suspend": _l("挂起流程"), "resume": _l("恢复流程"), "reassign": _l("改派任务"), "admin_skip": _l("跳过步骤"),
    "move_timers": _l("提前触发定时器"), "migrate": _l("迁移到新版本"), "migrate_refused": _l("迁移未执行"),
    "deploy": _l("部署流程版本"), "form_edit": _l("修改表单"), "rule_table_edit": _l("修改规则表"),
    "modeler_draft_save": _l("保存流程图草稿"), "modeler_draft_discard": _l("丢弃流程图草稿"),
    "user_create": _l("新建用户"), "user_update": _l("修改用户"), "user_deactivate": _l("停用用户"),
    "user_reactivate": _l("恢复用户"), "user_import": _l("批量导入用户"), "password_reset": _l("重置密码"),
    "password_change": _l("修改本人密码"), "org_create": _l("新建机构"), "org_update": _l("修改机构"),
    "indicator_save": _l("保存指标库指标"), "indicator_deactivate": _l("停用指标"),
    "indicator_activate": _l("恢复指标"), "dept_evaluation_select": _l("选定部门评价项目"),
    "dept_evaluation_unselect": _l("取消部门评价项目"), "dept_evaluation_reason": _l("修改部门评价理由"),
}


def action_name(code: str) -> str:
    name = ACTIONS.get(code)
    return str(name) if name is not None else code


@dataclass(frozen=True)
class AuditQuery:
    person: str = ""
    action: str = ""
    instance: int | None = None
    day_from: date | None = None
    day_to: date | None = None
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    def args(self, **changes: Any) -> dict[str, Any]:
        values = {"person": self.person, "action": self.action, "instance": self.instance,
                  "from": self.day_from.isoformat() if self.day_from else None,
                  "to": self.day_to.isoformat() if self.day_to else None, "page": self.page, **changes}
        return {k: v for k, v in values.items() if v not in (None, "") and not (k == "page" and v == 1)}


def _day(raw: str, name: str, errors: dict[str, str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("日期写作 YYYY-MM-DD")
        return None


def parse_query(args: Mapping[str, str]) -> AuditQuery:
    errors: dict[str, str] = {}
    person = args.get("person", "").strip()
    if len(person) > MAX_TEXT:
        errors["person"] = _("不超过 %(n)s 个字", n=MAX_TEXT)
        person = ""
    action = args.get("action", "")
    if action and action not in ACTIONS:
        errors["action"] = _("不是可选的值")
        action = ""
    instance = None
    if raw := args.get("instance", "").strip():
        if raw.isdigit() and 0 < int(raw) < 2**31:
            instance = int(raw)
        else:
            errors["instance"] = _("请填写流程实例编号（正整数）")
    day_from, day_to = _day(args.get("from", ""), "from", errors), _day(args.get("to", ""), "to", errors)
    if day_from and day_to and day_from > day_to:
        errors["to"] = _("结束日期不能早于开始日期")
    page = 1
    if raw := args.get("page", ""):
        if raw.isdigit() and 1 <= int(raw) <= MAX_PAGE:
            page = int(raw)
        else:
            errors["page"] = _("页码应为 1–%(n)s", n=MAX_PAGE)
    return AuditQuery(person, action, instance, day_from, day_to, page, errors)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=COUNTY_TZ)


def _where(query: AuditQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.action:
        where.append(AuditEvent.action == query.action)
    if query.instance is not None:
        where.append(AuditEvent.instance_id == query.instance)
    if query.person:
        pattern = "%" + query.person.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        people = select(User.id).where(User.username.ilike(pattern, escape="\\")
                                       | User.display_name.ilike(pattern, escape="\\"))
        where.append(AuditEvent.actor_id.in_(people))
    if query.day_from:
        where.append(AuditEvent.at >= _start_of(query.day_from))
    if query.day_to:
        where.append(AuditEvent.at < _start_of(query.day_to + timedelta(days=1)))
    return where


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str | None
    username: str | None
    action: str
    instance_id: int | None
    flow: str | None
    task_title: str | None
    data: dict[str, Any] | None

    @property
    def action_name(self) -> str:
        return action_name(self.action)


@dataclass(frozen=True)
class AuditPage:
    query: AuditQuery
    rows: list[AuditRow]
    total: int  # COUNT_CAP + 1 means "more than COUNT_CAP"

    @property
    def pages(self) -> int:
        return max(1, min(MAX_PAGE, -(-min(self.total, COUNT_CAP) // PER_PAGE)))

    @property
    def capped(self) -> bool:
        return self.total > COUNT_CAP


def _select(query: AuditQuery) -> Select:
    actor = aliased(User)
    return (select(AuditEvent.id, AuditEvent.at, actor.display_name, actor.username, AuditEvent.action,
                   AuditEvent.instance_id, ProcessInstance.process_key, AuditEvent.task_title, AuditEvent.data)
            .outerjoin(actor, actor.id == AuditEvent.actor_id)
            .outerjoin(ProcessInstance, ProcessInstance.id == AuditEvent.instance_id)
            .where(*_where(query)).order_by(AuditEvent.id.desc()))


def audit_page(actor: User, query: AuditQuery) -> AuditPage:
    require_admin(actor)
    counted = select(AuditEvent.id).where(*_where(query)).limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(counted)) or 0
    stmt = _select(query).limit(PER_PAGE).offset((query.page - 1) * PER_PAGE)
    return AuditPage(query, [AuditRow(*r) for r in db.session.execute(stmt)], total)


def details(row: AuditRow) -> str:
    """The event's details in one line, labelled as the instance timeline labels them. A submitted form is read
    on its instance's page, where its own form labels it."""
    if not row.data or row.action == "complete":
        return ""
    shown = [f"{r.label}：{r.text}" for r in readable(EVENT_FIELDS, row.data) if r.text and r.table is None]
    return "；".join(shown)[:500]


def export_xlsx(actor: User, query: AuditQuery, batch: int = 1000) -> Iterator[bytes]:
    from server.services.xlsx_export import Column, stream_xlsx

    require_admin(actor)
    columns = (Column(_("时间"), 20), Column(_("操作人"), 14), Column(_("用户名"), 14), Column(_("操作"), 18),
               Column(_("流程实例"), 10), Column(_("流程"), 14), Column(_("任务"), 24), Column(_("内容"), 60))

    def rows() -> Iterator[tuple]:
        for r in db.session.execute(_select(query).execution_options(yield_per=batch)):
            row = AuditRow(*r)
            yield (row.at.astimezone(COUNTY_TZ).strftime("%Y-%m-%d %H:%M:%S"), row.actor or _("系统"),
                   row.username or "", row.action_name, row.instance_id, row.flow or "", row.task_title or "",
                   details(row))

    return stream_xlsx(_("审计日志"), columns, rows())
