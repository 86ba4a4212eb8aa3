"""A PostgreSQL database of a bench's own (created, then dropped unless kept) with the app's instance folder in
a temporary directory, so a bench never touches a real database or the checkout's `instance/`."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def scratch_database(prefix: str, *, keep: bool = False) -> Iterator[str]:
    """Yield the SQLAlchemy URL of a new database named after `prefix`; its name is printed."""
    from tests.support import postgres

    name = postgres.new_name(prefix)
    postgres.create_database(name)
    print(f"PostgreSQL database {name}")
    try:
        with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
            os.environ["JIXIAO_INSTANCE_PATH"] = tmp
            os.environ.pop("DATABASE_URL", None)
            yield postgres.sqlalchemy_url(name)
    finally:
        if not keep:
            postgres.drop_database(name)
