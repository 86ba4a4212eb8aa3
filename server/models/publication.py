"""信息公开 releases: the performance office's decision that a fiscal year's approved goals are public with its
budget (随预算公开) or its evaluation results with its final accounts (随决算公开). Nothing of a year reaches the
public site before its release; a withdrawn release keeps its row (withdrawn_at) so the history stays readable."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base
from server.models.common import UTCDateTime, utcnow


class ReleaseKind(enum.StrEnum):
    BUDGET = "budget"  # 随预算公开：已批复的绩效目标
    FINAL_ACCOUNTS = "final_accounts"  # 随决算公开：绩效评价结果和自评报告


class PublicationRelease(Base):
    __tablename__ = "publication_releases"
    __table_args__ = (UniqueConstraint("fiscal_year", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))  # ReleaseKind
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # 撤回公开 (a later release clears it)
