"""An administrator's unsaved work in the BPMN modeler: one draft per model and admin, never run.

A draft is the edited diagram plus the lane options the side panel set, made against one deployed version
(`base_number`); deploying from the modeler removes the deployer's draft, and a draft whose base is no longer
current cannot be deployed (the edit would overwrite a newer version).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base
from server.models.common import UTCDateTime


class ModelerDraft(Base):
    __tablename__ = "modeler_drafts"
    __table_args__ = (UniqueConstraint("model_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("process_models.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    base_number: Mapped[int]  # the version number the edit started from
    xml: Mapped[str] = mapped_column(Text)
    lane_roles: Mapped[dict[str, str] | None] = mapped_column(JSON)  # lane name -> role code, as the panel set
    default_role: Mapped[str | None] = mapped_column(String(32))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())
