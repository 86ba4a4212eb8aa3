"""The quality checks (seed 004's goal-setting defects) and the form rules the goal table uses, without a server."""

from __future__ import annotations

import json
from pathlib import Path

from server.flows.goal_review.quality import warnings
from server.services.form_rules import FormValidator
from tests.flows_goal_review.conftest import INDICATORS, goal_table

ROOT = Path(__file__).resolve().parents[2] / "forms"


def fields(found: list[dict[str, str]]) -> list[str]:
    return [w["field"] for w in found]


def test_a_good_table_has_no_warnings():
    table = goal_table()
    assert warnings(table["long_term_goal"], table["annual_goal"], table["indicators"]) == []


def test_each_seed_004_defect_is_named_on_its_field():
    output_only = [{**INDICATORS[0], "operator": "定性", "unit": ""}]
    found = warnings("完成补助", "按计划完成", output_only)
    assert fields(found) == ["long_term_goal", "annual_goal", "indicators", "indicators", "indicators"]
    messages = [w["message"] for w in found]
    assert messages[0].startswith("中长期目标表述空泛（“完成补助”）")
    assert messages[1].startswith("年度目标表述空泛（“按计划完成”）")
    assert messages[2].startswith("缺少量化的产出指标") and messages[3].startswith("缺少效益指标")
    assert messages[4].startswith("缺少服务对象满意度指标")


def test_short_goals_and_values_without_units():
    rows = [dict(r) for r in INDICATORS]
    rows[3]["unit"] = " "
    found = warnings("", "建设教学楼", rows)
    assert found == [
        {"field": "long_term_goal", "message": "未填写中长期目标"},
        {"field": "annual_goal", "message": "年度目标过于简单（不足 20 字），请写明产出和效果"},
        {"field": "indicators.3.unit", "message": "指标“受益师生人数”有指标值但没有计量单位"},
    ]
    assert warnings(None, None, "not a list")[2]["field"] == "indicators"


def test_both_flows_share_one_indicator_schema():
    review = json.loads((ROOT / "goal_review" / "goal_table.json").read_text(encoding="utf-8"))
    adjust = json.loads((ROOT / "goal_adjust" / "adjust_table.json").read_text(encoding="utf-8"))
    assert review["properties"]["indicators"] == adjust["properties"]["indicators"]
    assert review["x-rules"] == adjust["x-rules"]


def errors(schema: dict, data: dict) -> dict[str, str]:
    return {".".join(map(str, e.absolute_path)): e.message for e in FormValidator(schema).iter_errors(data)}


def test_sum_equals_and_number_rules():
    schema = {"type": "object", "x-rules": [
        {"rule": "sum", "equals": 100, "items": "rows", "field": "w", "message": "合计 {actual}，应为 {expected}"},
        {"rule": "number", "field": "v", "unless": {"op": "定性"}, "message": "应为数字"}]}
    assert errors(schema, {"rows": [{"w": 60}, {"w": 40.0}], "v": "12.5"}) == {}
    assert errors(schema, {"rows": [{"w": 60}, {"w": 39.5}]}) == {"rows": "合计 99.5，应为 100"}
    assert errors(schema, {"rows": [{"w": 60}, {"w": "x"}]}) == {}  # the type check reports that one
    assert errors(schema, {"v": "十二"}) == {"v": "应为数字"}
    assert errors(schema, {"v": "NaN"}) == {"v": "应为数字"}
    assert errors(schema, {"v": "十二", "op": "定性"}) == {}
