"""Engine fixtures: compiled test packages, a ManualClock, and a dump/load round trip helper."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from server.clock import ManualClock
from server.engine.operators import OperatorRegistry, default_registry
from server.engine.parsing import CompiledPackage, compile_package
from server.engine.runtime import Engine, Workflow

FLOWS = Path(__file__).resolve().parent.parent / "flows"
ROLES = {"unit_staff", "dept_reviewer", "finance_section", "performance_office", "expert", "admin"}
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in the county


def read_flow(name: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (FLOWS / name).iterdir() if p.is_file()}


def compile_files(files: dict[str, bytes], operators: OperatorRegistry | None = None) -> CompiledPackage:
    return compile_package(files, known_roles=ROLES, operators=operators or default_registry())


@pytest.fixture
def manual_clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def operators() -> OperatorRegistry:
    return default_registry()


@pytest.fixture
def engine(operators: OperatorRegistry, manual_clock: ManualClock) -> Engine:
    return Engine(operators=operators, clock=manual_clock)


@pytest.fixture(scope="session")
def review_pkg() -> CompiledPackage:
    return compile_files(read_flow("review"))


@pytest.fixture(scope="session")
def simple_pkg() -> CompiledPackage:
    return compile_files(read_flow("simple"))


class Runner:
    """Starts instances and reloads them from their dumped state, as the service layer does."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.specs: dict[str, str] = {}

    def start(self, pkg: CompiledPackage, data: dict[str, Any] | None = None, **kw: Any) -> Workflow:
        key = f"{pkg.process_id}@{pkg.checksum[:12]}"
        self.specs[key] = pkg.spec_json
        return self.again(self.engine.start(key, pkg.spec_json, data, **kw))

    def again(self, wf: Workflow) -> Workflow:
        state = wf.dump()
        reloaded = self.engine.load(wf.version_key, self.specs[wf.version_key], state)
        assert reloaded.dump() == state  # stable text: no key reordering, nothing lost
        return reloaded

    def complete(self, wf: Workflow, task_id: str, data: dict[str, Any], **kw: Any) -> Workflow:
        wf.complete(task_id, data, **kw)
        return self.again(wf)


@pytest.fixture
def runner(engine: Engine) -> Runner:
    return Runner(engine)
