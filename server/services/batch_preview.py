"""The office's batch start as the 发起 pages show it: which year-wide flows the user may batch-start, the preview
of a year (the projects it will start, the others and why not), the run (services/batch_start.py starts each
project in its own transaction) and whether one project would be started (the project page's action)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from server.db import db
from server.extensions import get_flows
from server.flows.definition import FlowDefinition
from server.models import InstanceStatus, ProcessInstance, Project, User
from server.services import batch_start
from server.services.errors import Forbidden, NotFound
from server.services.start_options import OFFICE_ROLES, versions
from server.services.task_page import label
from server.services.xlsx_export import Column, Sheet, stream_sheets

MAX_BATCH_LIST = batch_start.MAX_BATCH


@dataclass(frozen=True)
class BatchOption:
    key: str
    title: str


@dataclass
class BatchPreview:
    key: str
    title: str
    fiscal_year: int
    eligible: list[Project] = field(default_factory=list)
    skipped: list[tuple[Project, str]] = field(default_factory=list)


def batch_options(user: User) -> list[BatchOption]:
    if not OFFICE_ROLES & user.roles:
        return []
    flows = [f for f in get_flows().values() if f.batch_start is not None]
    deployed = versions([f.key for f in flows])
    return [BatchOption(f.key, deployed[f.key].model.name) for f in flows if f.key in deployed]


def _batch_flow(key: str, user: User) -> tuple[FlowDefinition, str]:
    if not OFFICE_ROLES & user.roles:
        raise Forbidden(_("只有绩效管理股可以批量发起"))
    flow = get_flows().get(key)
    if flow is None or flow.batch_start is None:
        raise NotFound(_("没有可以批量发起的“%(key)s”流程", key=key[:64]))
    version = versions([key]).get(key)
    if version is None:
        raise NotFound(_("流程“%(key)s”不存在或尚未部署", key=key))
    return flow, version.model.name


def batch_preview(key: str, user: User, fiscal_year: int) -> BatchPreview:
    """Which of the year's projects the batch would start, and why each other one is left out."""
    flow, title = _batch_flow(key, user)
    preview = BatchPreview(key, title, fiscal_year, eligible=batch_start.eligible_projects(key, fiscal_year))
    chosen = {p.id for p in preview.eligible}
    others = db.session.scalars(
        select(Project).where(Project.fiscal_year == fiscal_year, Project.id.not_in(chosen))
        .order_by(Project.code).limit(MAX_BATCH_LIST)
    ).all()
    started = dict(db.session.execute(
        select(ProcessInstance.business_key, ProcessInstance.status)
        .where(ProcessInstance.process_key == key, ProcessInstance.status.in_(batch_start.LIVE),
               ProcessInstance.business_key.in_([p.code for p in others]))
    ).tuples().all()) if others else {}
    preview.skipped = [(p, _why_not(p, started.get(p.code))) for p in others]
    return preview


def _why_not(project: Project, instance_status: InstanceStatus | None) -> str:
    """The project's state that keeps it out (the rule itself is the flow's; this only names what differs)."""
    if instance_status == InstanceStatus.COMPLETED:
        return _("本年度已完成")
    if instance_status is not None:
        return _("已发起，正在进行")
    if project.status != "in_library":
        return _("未入库（%(status)s）", status=label("project_status", project.status))
    if project.goal_status not in ("approved", "adjusting"):
        return _("绩效目标未批复（%(status)s）", status=label("goal_status", project.goal_status) or _("未编制"))
    if project.amount is None:
        return _("没有核定金额")
    return _("不符合发起条件")


def batch_title(key: str, user: User) -> str:
    return _batch_flow(key, user)[1]


def run_batch(key: str, user: User, fiscal_year: int, codes: list[str] | None) -> batch_start.BatchResult:
    _batch_flow(key, user)
    return batch_start.start_for_year(key, user, fiscal_year, codes)


def batch_eligible(key: str, project: Project) -> bool:
    """Would the year's batch of `key` start this project (the project page's and library's action)?"""
    flow = get_flows().get(key)
    if flow is None or flow.batch_start is None or project.fiscal_year is None:
        return False
    taken = select(ProcessInstance.id).where(
        ProcessInstance.process_key == key, ProcessInstance.status.in_(batch_start.LIVE),
        ProcessInstance.business_key == project.code)
    stmt = flow.batch_start(project.fiscal_year).where(Project.id == project.id, ~taken.exists())
    return db.session.scalar(stmt.with_only_columns(Project.id).limit(1)) is not None


def project_names(codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(db.session.execute(select(Project.code, Project.name).where(Project.code.in_(codes))).tuples().all())


def preview_xlsx(preview: BatchPreview) -> Iterator[bytes]:
    """The preview's two lists as .xlsx: the projects it will start, and the others with the reason."""
    return stream_sheets([
        Sheet(_("将发起的项目"), [Column(_("项目编码"), 18), Column(_("项目名称"), 36), Column(_("单位"), 24),
                                  Column(_("核定金额（元）"), 18, yuan=True)],
              [(p.code, p.name, p.organisation.name, p.amount) for p in preview.eligible]),
        Sheet(_("跳过的项目"), [Column(_("项目编码"), 18), Column(_("项目名称"), 36), Column(_("单位"), 24),
                                Column(_("原因"), 40)],
              [(p.code, p.name, p.organisation.name, reason) for p, reason in preview.skipped]),
    ])
