"""The embedded database (a SQLite file under instance/) serves one process: SQLite has one writer at a time,
and with several server processes each write waits on the others (steps reached 4.7 s against the 5 s busy
timeout). `jixiao run` and `jixiao serve` take an exclusive lock beside the file for as long as they run, so a
second one started on the same file stops with an explanation instead of slowing both down. PostgreSQL needs
no such lock: run as many processes as its max_connections allows (README, production shape).
"""

from __future__ import annotations

import fcntl
import os

from sqlalchemy.engine import make_url

_held: list[int] = []  # open lock files, kept for the life of the process


class EmbeddedDatabaseBusy(RuntimeError):
    def __init__(self, path: str, holder: str) -> None:
        super().__init__(path, holder)
        self.path, self.holder = path, holder


def sqlite_path(url: str) -> str | None:
    """The database file of a SQLite URL; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


def hold(url: str) -> None:
    """Lock the SQLite file for this process; raises EmbeddedDatabaseBusy if another process holds it."""
    path = sqlite_path(url)
    if path is None:
        return
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
        os.close(fd)
        raise EmbeddedDatabaseBusy(path, holder) from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    _held.append(fd)


def release() -> None:
    while _held:
        os.close(_held.pop())  # closing the file releases its lock
