"""Idempotency keys: the first answer to a start or completion sent with an `Idempotency-Key` header, so a
client whose answer was lost can send the same request again and get that answer instead of a second instance.

The key row is written in the same transaction as the work (so it exists exactly when the work does), without
an answer yet; the answer is filled in right after. Kept for a day, then pruned by the worker.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base
from server.models.common import UTCDateTime, utcnow


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_id_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    endpoint: Mapped[str] = mapped_column(String(200))  # method and path the key was first used on
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the request body
    status_code: Mapped[int | None] = mapped_column(Integer)  # None while the first request is in flight
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
