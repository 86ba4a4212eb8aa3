"""Human tasks: the indexed mirror of every open or done user task, so lists never load a workflow."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base
from server.models.common import UTCDateTime, utcnow, value_enum
from server.models.identity import User
from server.models.instance import ProcessInstance


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # the flow moved on without it (timer interrupt, instance cancelled)


# The claimable pool: open tasks nobody holds. Partial indexes over it, keyed by lane + scope and then the
# default sort, carry due_at and amount too so the 可认领 count, its overdue mark and the sort by amount are
# index-only scans.
POOL_PREDICATE = "status = 'open' AND assignee_id IS NULL"


SEARCHED = ("project_name", "project_code", "title")


def _pool_index(name: str, scope: str) -> Index:
    where = text(POOL_PREDICATE)
    return Index(name, "role", scope, "created_at", "id", "due_at", "amount",
                 postgresql_where=where, sqlite_where=where)


class HumanTask(Base):
    __tablename__ = "human_tasks"
    __table_args__ = (
        # One index per inbox query shape: claimable by role + scope, mine, done by me, per instance.
        Index("ix_human_tasks_role_org", "status", "role", "organisation_id", "created_at"),
        Index("ix_human_tasks_role_dept", "status", "role", "department_id", "created_at"),
        Index("ix_human_tasks_role_sector", "status", "role", "sector", "created_at"),
        Index("ix_human_tasks_assignee", "assignee_id", "status", "created_at"),
        Index("ix_human_tasks_done_by", "completed_by_id", "completed_at"),
        Index("ix_human_tasks_instance", "instance_id", "status"),
        Index("ix_human_tasks_spiff", "instance_id", "spiff_task_id"),
        Index("ix_human_tasks_due", "status", "due_at"),
        Index("ix_human_tasks_unit_due", "due_at",  # 驾驶舱: units late right now (migration 0020)
              postgresql_include=["organisation_id", "department_id", "sector", "project_code"],
              postgresql_where=text("status = 'open' AND role = 'unit_staff'"),
              sqlite_where=text("status = 'open' AND role = 'unit_staff'")),
        _pool_index("ix_human_tasks_pool_sector", "sector"),
        _pool_index("ix_human_tasks_pool_org", "organisation_id"),
        _pool_index("ix_human_tasks_pool_dept", "department_id"),
        # Search (inbox q): on PostgreSQL a pg_trgm GIN index, so `LIKE '%q%'` over the three columns reads the
        # matching rows instead of every row of the list (migration 0013; a b-tree where pg_trgm is missing).
        Index("ix_human_tasks_search", *SEARCHED, postgresql_using="gin",
              postgresql_ops={c: "gin_trgm_ops" for c in SEARCHED}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    task_name: Mapped[str] = mapped_column(String(200))  # BPMN element id
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str | None] = mapped_column(Text)
    form_schema: Mapped[str | None] = mapped_column(String(200))
    ui_schema: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    sector: Mapped[str | None] = mapped_column(String(32))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[TaskStatus] = mapped_column(value_enum(TaskStatus, 16, inline=True))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Business fields copied from the instance so lists sort, filter and search without joins to workflow state.
    process_key: Mapped[str] = mapped_column(String(64))
    project_name: Mapped[str | None] = mapped_column(String(200))
    project_code: Mapped[str | None] = mapped_column(String(100))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Save-as-draft: the assignee's unsubmitted form input (JSON text), never read by the flow.
    draft: Mapped[str | None] = mapped_column(Text)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    instance: Mapped[ProcessInstance] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
