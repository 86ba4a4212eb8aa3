"""Idempotent starts and completions: a request sent again with the same `Idempotency-Key` by the same user
gets the first answer instead of being done twice.

The key is claimed inside the request's own transaction (its row is added before the work runs, so the work's
commit commits both or neither) and the answer is stored right after. So:
- the work failed or was rolled back: no key row, a retry runs afresh;
- the work committed but the answer was lost (a cut connection, a killed client): the retry gets it;
- the same key while the first request is still running: 409; with another body or endpoint: 422.
Only successful answers are kept; a refusal (422, 409, 503) frees the key so the corrected retry can use it.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from server.db import db, safe_rollback
from server.extensions import get_clock
from server.models import IdempotencyKey
from server.services.errors import Conflict, ValidationFailed

KEEP = timedelta(hours=24)
# Longer than any request may run (jixiao serve --timeout): a key still without an answer after this belongs to
# a request whose process died between committing the work and storing the answer.
IN_FLIGHT = timedelta(minutes=5)
MAX_KEY = 200


@dataclass(frozen=True)
class Replay:
    status: int
    body: str


def fingerprint(body: bytes) -> str:
    """The request body's digest: JSON is compared by content (key order and spacing do not matter)."""
    with suppress(ValueError, RecursionError):  # not JSON: the bytes themselves
        body = json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(body).hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isascii() or not key.isprintable():
        raise ValidationFailed(_("Idempotency-Key 无效"),
                               fields={"Idempotency-Key": _("应为 1 到 %(n)s 个可打印的 ASCII 字符", n=MAX_KEY)})
    return key


def _existing(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                          IdempotencyKey.key == key))


def _answer(row: IdempotencyKey, endpoint: str, digest: str) -> Replay:
    if row.endpoint != endpoint or row.fingerprint != digest:
        raise ValidationFailed(_("该 Idempotency-Key 已用于另一个请求"),
                               fields={"Idempotency-Key": _("同一个键只能用于同一个请求，请换一个新键")})
    if row.status_code is None:
        if get_clock().now() - row.created_at > IN_FLIGHT:
            raise Conflict(_("该请求已经办理，但结果未能返回；请在列表中查看结果，不要重复提交"))
        raise Conflict(_("相同 Idempotency-Key 的请求正在处理，请稍后重试"))
    return Replay(row.status_code, row.response_body or "")


def claim(user_id: int, key: str, endpoint: str, digest: str) -> Replay | IdempotencyKey:
    """The stored answer to replay, or the new key row (pending in this transaction) for `store` to fill."""
    row = _existing(user_id, key)
    if row is not None:
        return _answer(row, endpoint, digest)
    row = IdempotencyKey(user_id=user_id, key=key, endpoint=endpoint, fingerprint=digest,
                         created_at=get_clock().now())
    db.session.add(row)
    try:
        db.session.flush()  # on PostgreSQL a concurrent twin waits here for the first one's commit
    except IntegrityError:
        safe_rollback()
        twin = _existing(user_id, key)
        if twin is None:  # the first one rolled back meanwhile: treat as in flight, the client retries
            raise Conflict(_("相同 Idempotency-Key 的请求正在处理，请稍后重试")) from None
        return _answer(twin, endpoint, digest)
    return row


def store(row: IdempotencyKey, status: int, body: str) -> None:
    """Keep the answer of the request that committed the key (the work's transaction is already committed)."""
    row.status_code, row.response_body = status, body
    db.session.commit()


def release(row: IdempotencyKey) -> None:
    """The work failed: if its key row was committed anyway (an error recorded on the instance), free it."""
    safe_rollback()
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == row.id,
                                                    IdempotencyKey.status_code.is_(None)))
    db.session.commit()


def prune(now=None) -> int:
    """Drop keys older than a day (the worker's pass); returns how many."""
    cutoff = (now or get_clock().now()) - KEEP
    done = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)).rowcount
    db.session.commit()
    return done or 0
