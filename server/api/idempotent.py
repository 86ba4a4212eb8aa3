"""The `Idempotency-Key` header on the API's starts and completions (server.services.idempotency)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, make_response, request
from sqlalchemy.exc import DBAPIError

from server.api.guard import me
from server.db import safe_rollback
from server.services import idempotency

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run `view` once per (user, key): a repeat gets the first answer with `Idempotent-Replayed: true`."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        raw = request.headers.get(HEADER)
        if raw is None:
            return view(*args, **kwargs)
        key = idempotency.check_key(raw)
        endpoint = f"{request.method} {request.path}"[:200]
        claimed = idempotency.claim(me().id, key, endpoint, idempotency.fingerprint(request.get_data()))
        if isinstance(claimed, idempotency.Replay):
            resp = Response(claimed.body, status=claimed.status, mimetype="application/json")
            resp.headers["Idempotent-Replayed"] = "true"
            return resp
        try:
            resp = make_response(view(*args, **kwargs))
        except BaseException:
            idempotency.release(claimed)
            raise
        if resp.status_code < 400:
            try:
                idempotency.store(claimed, resp.status_code, resp.get_data(as_text=True))
            except DBAPIError:
                # The work is committed: its answer still goes out. Only a retry of this key would now be told
                # the first request is in flight (409) until the key expires.
                safe_rollback()
                log.warning("answer of idempotency key %r not stored", key, exc_info=True)
        else:
            idempotency.release(claimed)
        return resp

    return wrapper
