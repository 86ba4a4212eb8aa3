"""Expensive fixtures built once per test run, even when pytest-xdist splits the run over several workers.

Without xdist this is just "build it now". With xdist every worker is a process with its own session, so
each would migrate and seed the same template (and play the same demo year) again: instead the first worker
to ask builds it under a file lock in the run's shared temporary folder, and the others read what it wrote.

What is built must then only be read (SQLite files are copied, PostgreSQL databases cloned with
CREATE DATABASE ... TEMPLATE). Shared PostgreSQL databases carry the xdist controller's pid in their name
(`postgres.new_name(..., shared=True)`), so `drop_stale` leaves them alone while the run lasts, and the
controller drops them when the run ends (`drop_run_databases`, called from tests/conftest.py).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path

import pytest


def worker() -> str | None:
    """The xdist worker id ("gw0", ...), or None when the run is not split."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def run_pid() -> int:
    """The pid that owns the run: the xdist controller (each worker's parent), or this process."""
    return os.getppid() if worker() else os.getpid()


def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this run that every worker sees (each worker's basetemp sits in it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if worker() else base


def once(tmp_path_factory: pytest.TempPathFactory, key: str, build: Callable[[Path], str], *,
         wait: bool = True) -> str | None:
    """`build(folder)` run by the first worker that asks; every worker gets the string it returned.

    With `wait=False` it returns None at once when another worker is building it right now (that worker
    can then build something else meanwhile instead of idling). A build that fails leaves nothing behind,
    so the next worker tries (and reports) it again.
    """
    root = run_dir(tmp_path_factory)
    done = root / f"{key}.built"
    with open(root / f"{key}.lock", "w") as lock:
        try:  # released when the file closes, also if the worker dies
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return None
        if done.exists():
            return done.read_text(encoding="utf-8")
        folder = root / key
        folder.mkdir(exist_ok=True)
        value = build(folder)
        done.write_text(value, encoding="utf-8")
        return value
