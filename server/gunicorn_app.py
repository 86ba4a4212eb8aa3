"""`jixiao serve`: the app behind gunicorn, several processes of several threads each, without timers
(timers belong to `jixiao worker` processes, which share the queue safely; README, production shape).

Each gunicorn worker builds its own app after the fork (no preloading), so no database connection, pool or
cached workflow is ever shared between processes. The master only migrates the database and supervises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self.factory, self.options = factory, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.factory()


def serve(app: Flask, *, host: str, port: int, workers: int, threads: int, timeout: int) -> None:
    """Run until SIGTERM/SIGINT (gunicorn lets running requests finish, up to graceful_timeout)."""
    from server.db import db

    with app.app_context():
        db.engine.dispose()  # the master's migration connections are not inherited by the workers
    factory: Callable[[], Flask] = app.extensions["jixiao.app_factory"]  # server.app.create_app
    _Gunicorn(factory, {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": timeout,
        "graceful_timeout": 30,
        "keepalive": 5,
        "proc_name": "jixiao",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
    }).run()
