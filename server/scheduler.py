"""Waking due timers: one pass, and the in-process scheduler thread that `jixiao run` starts.

Timers only fire when the app asks the engine (DESIGN.md, engine boundary), so something has to ask
periodically. The embedded setup uses this thread; scale-out uses `jixiao worker` processes instead, which
share the queue safely because each due instance is claimed with SELECT ... FOR UPDATE SKIP LOCKED.
"""

from __future__ import annotations

import logging
import os
import threading

from flask import Flask

log = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS = 5.0
BATCH = 100  # instances woken per pass (one transaction each); a full batch means more may be due


def poll_seconds(app: Flask) -> float:
    """TIMER_POLL_SECONDS from the app config, else the environment, else 5 seconds."""
    value = app.config.get("TIMER_POLL_SECONDS") or os.environ.get("TIMER_POLL_SECONDS") or DEFAULT_POLL_SECONDS
    return max(float(value), 0.05)


def run_pass(app: Flask, limit: int | None = None) -> int:
    """Wake every due instance (up to `limit`, default BATCH) in a fresh app context, remove stale attachments,
    then checkpoint SQLite's WAL here rather than in a request's commit (server/db.py); returns how many
    instances advanced."""
    from server.db import checkpoint_wal
    from server.services.attachments import cleanup
    from server.services.timers import wake_due_instances

    with app.app_context(), default_locale(app):
        woken = wake_due_instances(limit=limit or BATCH)
        cleanup()  # uploads no completed step referenced within a day, and files no row names any more
        checkpoint_wal()
        return woken


def drain(app: Flask, stop: threading.Event | None = None) -> int:
    """Passes back to back while each one wakes a full batch, so a backlog (a night's timers, a worker that
    was down) drains at full speed instead of one batch per poll; then expired idempotency keys, old login
    attempts and long-ended sessions are pruned. Returns how many instances advanced."""
    from server.services.housekeeping import prune_logins
    from server.services.idempotency import prune

    total = 0
    while True:
        woken = run_pass(app)
        total += woken
        if woken < BATCH or (stop is not None and stop.is_set()):
            break
    with app.app_context():
        prune()
        prune_logins()
    return total


def default_locale(app: Flask):
    """Messages made outside a request (timers, CLI) use the configured language: there is no
    Accept-Language header to choose one from."""
    from flask_babel import force_locale

    return force_locale(app.config.get("BABEL_DEFAULT_LOCALE", "zh_Hans_CN"))


class TimerScheduler:
    """A daemon thread running `run_pass` every `interval` seconds until stopped."""

    def __init__(self, app: Flask, interval: float | None = None) -> None:
        self.app = app
        self.interval = interval if interval is not None else poll_seconds(app)
        self.passes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="jixiao-timers", daemon=True)

    def start(self) -> TimerScheduler:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                woken = drain(self.app, self._stop)
                if woken:
                    log.info("timer scheduler woke %d instance(s)", woken)
            except Exception:
                # A failing pass (database briefly away, a bug in one flow) must not stop later timers.
                log.exception("timer pass failed")
            self.passes += 1
            self._stop.wait(self.interval)
