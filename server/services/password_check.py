"""Password checks (scrypt: ~100 ms of CPU and 32 MB each) run in a small pool of low-priority processes.

The login guard bounds how many run at once (login_guard.hash_slot); running them in separate processes at
a lower CPU priority (nice 10) also keeps a burst of logins from taking the cores from task work: the
operating system gives request threads the CPU first and the hashes what is left. The pool starts on the first
login of each process (forkserver: no copy of the app's threads, connections or locks); a pool that breaks
(a child killed) is replaced and that check runs in the request thread.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from flask import current_app
from werkzeug.security import check_password_hash

NICE = 10
_lock = threading.Lock()
_pools: dict[int, ProcessPoolExecutor] = {}  # by process id: a forked child must not use its parent's pool


def _lower_priority() -> None:
    os.nice(NICE)


def _pool(size: int) -> ProcessPoolExecutor:
    pid = os.getpid()
    with _lock:
        pool = _pools.get(pid)
        if pool is None:
            pool = _pools[pid] = ProcessPoolExecutor(
                max_workers=size, mp_context=multiprocessing.get_context("forkserver"), initializer=_lower_priority)
        return pool


def _drop(pool: ProcessPoolExecutor) -> None:
    with _lock:
        if _pools.get(os.getpid()) is pool:
            del _pools[os.getpid()]
    pool.shutdown(wait=False, cancel_futures=True)


def check(stored_hash: str, password: str) -> bool:
    """werkzeug's check_password_hash, in the hashing pool when LOGIN_HASH_PROCESSES is on."""
    config = current_app.config
    if not config.get("LOGIN_HASH_PROCESSES"):
        return check_password_hash(stored_hash, password)
    pool = _pool(max(1, int(config["LOGIN_HASH_SLOTS"])))
    try:
        return pool.submit(check_password_hash, stored_hash, password).result()
    except BrokenProcessPool:
        _drop(pool)
        return check_password_hash(stored_hash, password)
