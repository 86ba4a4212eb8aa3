"""Direct cost of the script sandbox per call: typical gateway conditions and a typical script, compiled once
(as the engine's cache does) and run many times. Prints the median of several batches, in microseconds.

    .venv/bin/python bench/sandbox_eval.py [--root /path/to/another/checkout]

`--root` imports `server` from another checkout (e.g. main) to compare before/after on the same machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

EXPRESSIONS = [
    'dept_decision == "send_back"',
    "len(quality_warnings) > 0 and not confirmed",
    'verify_outcome == "verified" and suspend_payments',
    "report_month is not None",
    "amount >= 1000000 and major or minor",
    "round(sum(expert_scores) / len(expert_scores), 2)",
]
SCRIPT = (
    "try:\n    wanted_code = project_code\nexcept NameError:\n    wanted_code = None\n"
    "finance_round = finance_round + 1\nexpert_avg = round(sum(expert_scores) / len(expert_scores), 2)\n"
    "label = f'{project_code}-{finance_round}'"
)
DATA = {
    "dept_decision": "approve", "quality_warnings": [], "confirmed": True, "verify_outcome": "verified",
    "suspend_payments": False, "report_month": 3, "amount": 1_500_000, "major": "major", "minor": "minor",
    "expert_scores": [80, 90, 85], "project_code": "XM2026-001", "finance_round": 1,
}  # fmt: skip


def batch_us(fn, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - started) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--batches", type=int, default=15)
    args = parser.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    from server.engine.sandbox import Sandbox

    box = Sandbox()
    for expr in EXPRESSIONS:
        box.evaluate(expr, DATA)  # compile once, as the cache does
    box.execute(SCRIPT, dict(DATA))

    def evaluate_all() -> None:
        for expr in EXPRESSIONS:
            box.evaluate(expr, DATA)

    eval_us = statistics.median(batch_us(evaluate_all, args.n) for _ in range(args.batches)) / len(EXPRESSIONS)
    exec_us = statistics.median(batch_us(lambda: box.execute(SCRIPT, dict(DATA)), args.n) for _ in range(args.batches))
    print(f"sandbox at {args.root.resolve()}")
    print(f"  evaluate, per expression: {eval_us:6.1f} us (median of {args.batches} batches of {args.n})")
    print(f"  execute, one 7-line script: {exec_us:6.1f} us")


if __name__ == "__main__":
    main()
