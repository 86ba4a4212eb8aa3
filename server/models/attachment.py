"""Uploaded files (附件): a row per upload; the bytes live outside the database under the instance folder.

The file is named by the SHA-256 of its content (`<instance>/attachments/<sha[:2]>/<sha>`), so a second upload
of the same bytes reuses the file on disk while getting a row of its own (its own uploader, name and link).
The display name is for people only and never becomes a path.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base
from server.models.common import UTCDateTime


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (
        # The worker's cleanup: unreferenced uploads older than a day.
        Index("ix_attachments_unreferenced", "referenced_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))  # sanitised display name, never used as a path
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))  # detected from the content, not the client
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when a completed step references it: who may see that instance (or its project) may read it.
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id", ondelete="SET NULL"),
                                                    index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    referenced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # 信息公开: the office marks a file public; it reaches /public/ only with the goals or evaluation it belongs to.
    public: Mapped[bool] = mapped_column(default=False, server_default=false())
