"""Engine-only latency of the simple flow: start, complete A, complete B.

Two modes: in memory (one Workflow object throughout) and the way the service layer runs it
(load from the state blob, act, dump, for every step). Run: `python bench/engine_only.py [N]`.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from server.clock import ManualClock  # noqa: E402
from server.engine.operators import default_registry  # noqa: E402
from server.engine.parsing import compile_package  # noqa: E402
from server.engine.runtime import Engine, Workflow  # noqa: E402

FLOW = ROOT / "tests" / "flows" / "simple"


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"median_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000}


class EngineFlow:
    """The simple flow on the bare engine, one iteration at a time, so a caller can interleave it with other
    measurements (the HTTP benchmark does: both then see the same machine at the same moments)."""

    def __init__(self) -> None:
        files = {p.name: p.read_bytes() for p in FLOW.iterdir() if p.is_file()}
        operators = default_registry()
        package = compile_package(files, known_roles={"unit_staff"}, operators=operators)
        self.engine = Engine(operators=operators, clock=ManualClock(datetime(2026, 1, 1, tzinfo=UTC)))
        self.key, self.spec = "bench-simple", package.spec_json
        self.engine.specs(self.key, self.spec)  # warm the spec cache as a running server would have
        self.samples: dict[str, list[float]] = {}

    def _timed(self, name: str, fn: Callable[[], Workflow]) -> Workflow:
        t0 = time.perf_counter()
        result = fn()
        self.samples.setdefault(name, []).append(time.perf_counter() - t0)
        return result

    def run_once(self) -> None:
        engine, key, spec = self.engine, self.key, self.spec

        def complete(wf: Workflow, data: dict[str, object]) -> Workflow:
            wf.complete(wf.user_tasks()[0].task_id, data)
            return wf

        def roundtrip(state: str, data: dict[str, object]) -> str:
            wf = engine.load(key, spec, state)
            wf.complete(wf.user_tasks()[0].task_id, data)
            return wf.dump()

        wf = self._timed("memory.start", lambda: engine.start(key, spec, {}))
        self._timed("memory.complete_a", lambda: complete(wf, {"x": 11}))
        self._timed("memory.complete_b", lambda: complete(wf, {"note": "ok"}))
        assert wf.status == "completed"

        t0 = time.perf_counter()
        state = engine.start(key, spec, {}).dump()
        self.samples.setdefault("roundtrip.start", []).append(time.perf_counter() - t0)
        for name, data in (("roundtrip.complete_a", {"x": 11}), ("roundtrip.complete_b", {"note": "ok"})):
            t0 = time.perf_counter()
            state = roundtrip(state, data)
            self.samples.setdefault(name, []).append(time.perf_counter() - t0)
        assert engine.load(key, spec, state).status == "completed"

    def stats(self, skip: int = 0) -> dict[str, dict[str, float]]:
        """Median and p95 (ms) per step; keys like 'memory.start', 'roundtrip.complete_a'."""
        return {name: _ms(values[skip:]) for name, values in self.samples.items()}


def measure(n: int = 300) -> dict[str, dict[str, float]]:
    flow = EngineFlow()
    for _ in range(n):
        flow.run_once()
    return flow.stats()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    for name, stats in measure(n).items():
        print(f"{name:24s} median {stats['median_ms']:7.3f} ms   p95 {stats['p95_ms']:7.3f} ms")


if __name__ == "__main__":
    main()
