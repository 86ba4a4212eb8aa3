"""Helpers the flows' task-page context blocks share."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from server.db import db
from server.models import User


def display_names(ids: Iterable[int | None]) -> dict[int, str]:
    """User id -> display name, for the opinions and reviews a block lists (one query, none when empty)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).tuples().all())
