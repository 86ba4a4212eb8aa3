"""The inbox's lists as .xlsx: a tab (我的待办 / 可认领 / 已办) with the page's filters and order, and the
user's notices (提醒, read and unread). Rows come from the indexed tables in batches, never from workflow state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from server.clock import COUNTY_TZ
from server.db import db
from server.extensions import get_clock
from server.models import HumanTask, Notification, Organisation, User
from server.services import inbox, notifications
from server.services.xlsx_export import Column, stream_xlsx

BATCH = 500
STATUS_WORDS = {"open": _l("办理中"), "completed": _l("已办结"), "cancelled": _l("已取消")}
KIND_WORDS = {"reminder": _l("提醒"), "escalation": _l("督办"), "calendar": _l("日程"), "correction": _l("纠偏")}


def _when(value: datetime | None) -> str | None:
    return value.astimezone(COUNTY_TZ).strftime("%Y-%m-%d %H:%M") if value else None


def tab_title(query: inbox.InboxQuery) -> str:
    return {inbox.Tab.MINE: _("我的待办"), inbox.Tab.CLAIMABLE: _("可认领"), inbox.Tab.DONE: _("已办")}[query.tab]


def tasks_xlsx(user: User, query: inbox.InboxQuery) -> Iterator[bytes]:
    """Every row of the tab that the page would list under the same filters, in the page's order."""
    flows = dict(inbox.flow_choices())
    stmt = (
        select(HumanTask.title, HumanTask.process_key, HumanTask.instance_id, HumanTask.project_name,
               HumanTask.project_code, Organisation.name, HumanTask.amount, User.display_name, HumanTask.status,
               HumanTask.due_at, HumanTask.created_at, HumanTask.completed_at)
        .join(Organisation, Organisation.id == HumanTask.organisation_id)
        .outerjoin(User, User.id == HumanTask.assignee_id)
        .where(*inbox.list_filters(user, query, get_clock().now()))
        .order_by(*inbox.list_order(query))
    )
    columns = [Column(_("任务"), 28), Column(_("流程"), 18), Column(_("流程编号"), 10), Column(_("项目名称"), 30),
               Column(_("项目编码"), 18), Column(_("单位"), 20), Column(_("金额（元）"), 16, yuan=True),
               Column(_("办理人"), 12), Column(_("状态"), 10), Column(_("截止日期"), 18), Column(_("创建时间"), 18),
               Column(_("办结时间"), 18)]
    statuses = {k: str(v) for k, v in STATUS_WORDS.items()}

    def rows() -> Iterator[list[Any]]:
        for r in db.session.execute(stmt.execution_options(yield_per=BATCH)):
            yield [r.title, flows.get(r.process_key, r.process_key), r.instance_id, r.project_name,
                   r.project_code, r.name, r.amount, r.display_name, statuses.get(str(r.status), str(r.status)),
                   _when(r.due_at), _when(r.created_at),
                   _when(r.completed_at)]

    return stream_xlsx(tab_title(query), columns, rows())


def notices_xlsx(user: User) -> Iterator[bytes]:
    """The user's notices, newest first, read or not (the panel shows the unread ones only)."""
    stmt = (select(Notification).where(notifications.addressed_to(user))
            .order_by(Notification.created_at.desc(), Notification.id.desc()))
    columns = [Column(_("时间"), 18), Column(_("类别"), 8), Column(_("内容"), 60), Column(_("流程编号"), 10),
               Column(_("已读时间"), 18)]
    kinds = {k: str(v) for k, v in KIND_WORDS.items()}

    def rows() -> Iterator[list[Any]]:
        for n in db.session.scalars(stmt.execution_options(yield_per=BATCH)):
            yield [_when(n.created_at), kinds.get(n.kind, n.kind), n.text, n.instance_id,
                   _when(n.read_at)]

    return stream_xlsx(_("提醒"), columns, rows())
