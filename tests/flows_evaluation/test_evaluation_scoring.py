"""The self-evaluation's auto-score rules of DOMAIN §4, one indicator at a time (the flow tests check whole
score sheets): positive, reverse, exact and qualitative indicators, and a level without indicators."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from server.flows.evaluation.operators import achievement, level_points, number

D = Decimal


@pytest.mark.parametrize(("operator", "target", "actual", "degree", "share"), [
    ("≥", "4200", "4200", None, "1"),  # met
    ("≥", "4200", "5000", None, "1"),  # exceeded: capped at full points
    ("≥", "4200", "3150", None, "0.75"),  # actual ÷ target
    (">", "100", "0", None, "0"),
    ("≤", "10", "10", None, "1"),  # reverse: within the cap
    ("≤", "10", "15", None, "0.5"),  # linear to zero at twice the target
    ("<", "10", "25", None, "0"),
    ("=", "100", "95", None, "0.95"),  # exact: misses count either way
    ("=", "100", "105", None, "0.95"),
    ("≤", "0", "0", None, "1"),  # a zero target: met or not
    ("≥", "0", "-1", None, "0"),
    ("定性", "按时完工", "达成", D(85), "0.85"),  # qualitative: the unit's degree of completion
    ("定性", "按时完工", "未达成", D(30), "0.3"),
])
def test_achievement(operator, target, actual, degree, share):
    assert achievement(operator, number(target), actual, degree) == D(share)


def test_a_quantitative_value_must_be_a_number():
    with pytest.raises(ValueError, match="实际值应为数字"):
        achievement("≥", D(10), "十", None)


@dataclass
class Row:
    level1: str


def test_a_missing_level_hands_its_points_to_the_others():
    points = {"产出": D(50), "效益": D(30), "满意度": D(10)}
    assert level_points([Row("产出"), Row("效益"), Row("满意度")], points) == points
    shares = level_points([Row("产出"), Row("产出"), Row("效益")], points)
    assert shares == {"产出": D("56.25"), "效益": D("33.75")}  # 90 points over 80: × 9/8
