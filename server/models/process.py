"""Deployed process models and their immutable versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base
from server.models.common import UTCDateTime, utcnow


class ProcessModel(Base):
    """A named flow (e.g. 绩效目标编审); its runnable content lives in versions."""

    __tablename__ = "process_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_versions.id", use_alter=True, name="fk_process_models_current_version")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    current_version: Mapped[ProcessVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )


class ProcessVersion(Base):
    """One deployment: the BPMN/DMN sources and a snapshot of every form, never changed afterwards.

    Running instances keep the version they started on, so a later deploy cannot change their diagram or forms.
    """

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("model_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("process_models.id"), index=True)
    number: Mapped[int]
    process_id: Mapped[str] = mapped_column(String(200))  # the executable BPMN process id
    start_role: Mapped[str | None] = mapped_column(String(32))  # lane of the start event: who may start it
    # How the diagram's lanes became roles at deploy (lane name -> role code; default for the rest), as given.
    lane_roles: Mapped[dict[str, str] | None] = mapped_column(JSON)
    default_role: Mapped[str | None] = mapped_column(String(32))
    # Large columns load only when asked for: running a step needs the cached spec, not the XML.
    sources: Mapped[dict[str, str]] = mapped_column(JSON, deferred=True)  # filename -> BPMN/DMN XML
    forms: Mapped[dict[str, Any]] = mapped_column(JSON)  # filename -> JSON Schema / UI schema
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)  # serialized spec, referenced by instance states
    checksum: Mapped[str] = mapped_column(String(64))
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    model: Mapped[ProcessModel] = relationship(foreign_keys=[model_id], lazy="joined")

    @property
    def cache_key(self) -> str:
        # id plus checksum: a database rebuilt under the same ids never reuses a stale cached spec.
        return f"{self.id}:{self.checksum}"
