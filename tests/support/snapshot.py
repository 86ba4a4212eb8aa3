"""A database state that several tests start from, built once per run and backend instead of once per test.

When the tests of a module each walk the same flows up to the same point before checking different things,
`snapshot(request, key, build)` runs `build(app)` once on a copy of the demo county template (per backend,
also across xdist workers: tests/support/shared.py) and keeps the result as a template of its own. Each
test then gets a copy of it, exactly as `db_url` hands out the demo county: a SQLite file copy, or a
rolled-back transaction on a PostgreSQL database (each xdist worker has its own copy, so two workers'
transactions never wait on each other's row locks).

`build(app)` gets an app with a ManualClock at tests.conftest.START and returns what the tests need to know
about the state (ids, codes) as JSON-able data; the snapshot keeps the clock where `build` left it, as
`Snapshot.now`, for the test's app to start from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.support import postgres, shared, sqlite


@dataclass(frozen=True)
class Snapshot:
    backend: str
    location: str  # SQLite: the file; PostgreSQL: the database name
    now: str  # the build's clock when it ended (ISO 8601)
    info: Any  # what build returned

    @property
    def clock_now(self) -> datetime:
        return datetime.fromisoformat(self.now)


_TAKEN: dict[tuple[str, str], Snapshot] = {}


def snapshot(request: pytest.FixtureRequest, backend: str, key: str, build: Callable[[Flask], Any]) -> Snapshot:
    """The state `build` leaves on `backend` ("sqlite" or "postgres"), built at most once per run."""
    if (key, backend) in _TAKEN:
        return _TAKEN[(key, backend)]
    tmp = request.getfixturevalue("tmp_path_factory")
    template = request.getfixturevalue(f"{backend}_template")  # skips or fails as the postgres tests do

    def make(folder: Path) -> str:
        from server.clock import ManualClock
        from tests.conftest import START, dispose, instance_env, make_app

        if backend == "sqlite":
            location = str(folder / "snapshot.sqlite3")
            url = sqlite.clone(Path(template), Path(location))
        else:
            location = postgres.new_name("jx_snap", shared=True)
            postgres.create_database(location, template=template)
            url = postgres.sqlalchemy_url(location)
        try:
            with instance_env(folder / "instance"):
                clock = ManualClock(START)
                app = make_app(url, clock=clock)
                info = build(app)
                dispose(app)
        except BaseException:
            if backend == "postgres":
                postgres.drop_database(location)
            raise
        return json.dumps(asdict(Snapshot(backend, location, clock.now().isoformat(), info)))

    taken = Snapshot(**json.loads(shared.once(tmp, f"snapshot-{key}-{backend}", make)))
    if backend == "postgres":
        if shared.worker():  # a copy of this worker's own (see the module docstring)
            name = postgres.new_name("jx_snap", shared=True)
            postgres.create_database(name, template=taken.location)
            taken = Snapshot(backend, name, taken.now, taken.info)
        location = taken.location
        request.config.add_cleanup(lambda: postgres.drop_database(location))  # the controller also drops them
    _TAKEN[(key, backend)] = taken
    return taken


@contextmanager
def copy_of(taken: Snapshot, tmp_path: Path) -> Iterator[str]:
    """A URL of the snapshot's state for one test: changes it makes are its own."""
    if taken.backend == "sqlite":
        yield sqlite.clone(Path(taken.location), tmp_path / "snapshot-copy.sqlite3")
        return
    with postgres.rolled_back(taken.location) as url:
        yield url
