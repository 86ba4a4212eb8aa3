"""Process instances: one row per running or finished workflow, with its state as text."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base
from server.models.common import UTCDateTime, utcnow, value_enum
from server.models.identity import Organisation
from server.models.process import ProcessVersion


class InstanceStatus(enum.StrEnum):
    RUNNING = "running"  # has open user tasks
    WAITING = "waiting"  # only timers or events pending
    COMPLETED = "completed"
    ERROR = "error"
    CANCELLED = "cancelled"
    SUSPENDED = "suspended"  # held by an administrator: timers do not fire, tasks cannot be completed


class ProcessInstance(Base):
    __tablename__ = "process_instances"
    __table_args__ = (
        # The timer worker's query: due, not finished, oldest first.
        Index("ix_process_instances_due", "next_timer_at", "status"),
        Index("ix_process_instances_org", "organisation_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[InstanceStatus] = mapped_column(value_enum(InstanceStatus, 16))
    state: Mapped[str] = mapped_column(Text)  # SpiffWorkflow state JSON, kept as text so key order is stable
    # Optimistic lock: every save bumps it; a concurrent save of a stale copy fails and becomes a 409.
    lock_version: Mapped[int] = mapped_column(default=1)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    sector: Mapped[str | None] = mapped_column(String(32))
    business_key: Mapped[str | None] = mapped_column(String(100), index=True)
    # Names of the BPMN messages the instance waits for, as "|name|name|" (POST /api/v1/messages finds it
    # with LIKE without loading any state); None when it waits for none.
    waiting_messages: Mapped[str | None] = mapped_column(String(1000))
    title: Mapped[str | None] = mapped_column(String(200))
    error_message: Mapped[str | None] = mapped_column(Text)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    version: Mapped[ProcessVersion] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])

    __mapper_args__ = {"version_id_col": lock_version}


class InstanceParticipant(Base):
    """Users assigned to one instance in a role, e.g. the experts of an assessment panel."""

    __tablename__ = "instance_participants"
    __table_args__ = (
        UniqueConstraint("instance_id", "user_id", "role"),
        Index("ix_instance_participants_user", "user_id", "role", "instance_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(32))
