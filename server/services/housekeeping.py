"""Rows that only matter for a while, removed by the worker's drain (server/scheduler.py): login attempts once
no lockout can count them and the security log has had its month, and sessions a month after they ended or
were last used (one left open on a PC that never came back has long passed its idle limit)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_

from server.db import db
from server.extensions import get_clock
from server.models import LoginAttempt, LoginSession

KEEP = timedelta(days=30)


def prune_logins(now: datetime | None = None) -> int:
    """Delete login attempts and ended sessions older than KEEP; returns how many rows went."""
    cutoff = (now or get_clock().now()) - KEEP
    attempts = db.session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < cutoff)).rowcount
    last_used = func.coalesce(LoginSession.last_seen_at, LoginSession.created_at)
    ended = db.session.execute(delete(LoginSession).where(
        or_(LoginSession.revoked_at < cutoff, LoginSession.revoked_at.is_(None) & (last_used < cutoff)))).rowcount
    db.session.commit()
    return (attempts or 0) + (ended or 0)
