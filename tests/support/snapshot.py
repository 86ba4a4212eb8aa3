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


@contextmanager
def db_url_walked(request: pytest.FixtureRequest, tmp_path: Path, fixture: str, key: str,
                  walk: Callable[[Flask], Any]) -> Iterator[str]:
    """For a conftest's `db_url` override: a test that uses `fixture` gets a copy of the state `walk` leaves
    (built once per run and backend), and `walked(request, fixture)` then returns what `walk` returned, for
    that fixture to hand out instead of doing the work again. Other tests, and own_database ones (which need
    a database of their own), get the usual `db_url`. `request.param` is the backend."""
    if fixture not in request.fixturenames or request.node.get_closest_marker("own_database"):
        yield request.getfixturevalue(f"{request.param}_url")
        return
    taken = snapshot(request, request.param, key, walk)
    request.node.stash.setdefault(_WALKED, {})[fixture] = taken.info
    with copy_of(taken, tmp_path) as url:
        yield url


_WALKED = pytest.StashKey[dict[str, Any]]()


def walked(request: pytest.FixtureRequest, fixture: str) -> Any | None:
    """What the walk behind this test's database returned for `fixture`, or None when it was not copied."""
    return request.node.stash.get(_WALKED, {}).get(fixture)
