"""Throwaway SQLite databases for tests: real files, cloned from a migrated template."""

from __future__ import annotations

import shutil
from pathlib import Path


def url(path: Path) -> str:
    return f"sqlite:///{path}"


def clone(template: Path, target: Path) -> str:
    # The template's engine was disposed, so its WAL is checkpointed and the main file is complete.
    shutil.copyfile(template, target)
    return url(target)
