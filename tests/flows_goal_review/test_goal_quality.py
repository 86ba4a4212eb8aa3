"""The quality checks (seed 004's goal-setting defects) and the form rules the goal table uses, without a server."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

from flask_babel import force_locale

from server.flows.goal_review.quality import message_of, warnings
from server.services.form_rules import FormValidator
from server.services.indicator_library import Typical, range_text
from tests.flows_goal_review.conftest import INDICATORS, goal_table

ROOT = Path(__file__).resolve().parents[2] / "forms"


def fields(found: list[dict[str, str]]) -> list[str]:
    return [w["field"] for w in found]


def stored_text(found: list[dict]) -> list[dict[str, str]]:
    """Field and Chinese message, as every warning is stored (with its code and params besides)."""
    return [{"field": w["field"], "message": w["message"]} for w in found]


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
    assert stored_text(found) == [
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


# ---------------------------------------------------------------- annual goal against the indicators (issue 12)


def contradictions(annual: str, rows: list[dict] | None = None) -> list[str]:
    found = warnings("通过实施教学楼维修改造，消除安全隐患，教学用房全部达到安全标准。", annual,
                     INDICATORS if rows is None else rows)
    return [w["message"] for w in found if w["field"] == "annual_goal"]


def rooms(value: str = "25") -> list[dict]:
    rows = [dict(r) for r in INDICATORS]
    rows[0] = {**rows[0], "name": "建成智慧教室", "value": value, "unit": "间"}
    return rows


def test_an_annual_goal_whose_figure_contradicts_its_indicator_is_named():
    # The demo data's own contradiction: 不少于30间 in the text, ≥ 25 间 in the table.
    assert contradictions("2026年建成智慧教室不少于30间，设备验收合格率100%，学生及家长满意度不低于90%。", rooms()) == [
        "年度目标中的“30间”与指标“建成智慧教室”（≥ 25 间）不一致，请核对数值"]
    # Other ways of writing the same figure: a space before the unit, ≥, a thousands separator, a decimal.
    for annual in ("本年度建成智慧教室≥30 间，教学用房全部达到安全标准并投入使用。",
                   "年内新建30间智慧教室，覆盖全校各年级，信息化教学常态化开展。",
                   "完成教学楼 4,300平方米结构加固，师生满意度不低于90%，开学前交付。",
                   "完成教学楼4200.5平方米结构加固，师生满意度不低于90%，开学前交付。"):
        rows = rooms() if "间" in annual else INDICATORS
        assert len(contradictions(annual, rows)) == 1, annual
    # Two rates in one goal: the one named in its clause is compared with its own indicator.
    found = contradictions("完成教学楼4200平方米结构加固，竣工验收合格率95%，师生满意度不低于90%。")
    assert found == ["年度目标中的“95%”与指标“竣工验收合格率”（= 100 %）不一致，请核对数值"]


def test_figures_that_agree_or_are_not_targets_are_left_alone():
    for annual in (
        "2026年建成智慧教室不少于25间，设备验收合格率100%，学生及家长满意度不低于90%。",  # agrees
        "2027年暑期完成教学楼4,200平方米结构加固，受益师生3200人，满意度不低于90%。",  # years are not figures
        "3年内消除全部危房，年底前完成4200平方米加固，校舍安全使用30年以上。",  # 3年内 is a period
        "完成4200平方米加固，年培训教师2400人次，满意度达到90%以上。",  # 人次 is not 人
        "完成4200平方米加固，学生体质健康合格率提高到95%，满意度达到90%。",  # a rate no indicator names
        "完成四千二百平方米加固工作，惠及1.8万人，群众满意度不低于九成。",  # Chinese numerals, 万: not compared
        "按期完成教学楼维修改造的全部建设内容，开学前交付使用，保障师生安全。",  # no figures at all
    ):
        assert contradictions(annual) == [], annual
    # Qualitative rows and rows without units take no part; no quantitative rows: nothing to compare.
    qualitative = [{**r, "operator": "定性"} for r in INDICATORS]
    assert contradictions("完成教学楼5000平方米结构加固，满意度达到80%以上，开学前交付。", qualitative) == []


def test_hostile_goal_text_and_units_neither_crash_nor_stall():
    import time

    rows = [{**r, "unit": u} for r, u in zip(INDICATORS, ["(.*)+", "%", "", "人", "[年", "\\d"], strict=True)]
    started = time.monotonic()
    for annual in ("9" * 4000, "1," * 2000, "3(.*)+，" * 400, "12\\d 5[年 7% " * 300, "\u0000" * 4000):
        found = warnings("通过实施教学楼维修改造，消除安全隐患，教学用房全部达到安全标准。", annual, rows)
        assert all(isinstance(w["message"], str) for w in found)
    assert time.monotonic() - started < 2
    assert contradictions("完成加固3(.*)+，其余按计划推进并完成全部建设内容。", rows)  # a unit is text, not a pattern


def test_outputs_missing_quality_timeliness_or_cost_are_named():
    """Seed 004: 产出 has four properties (数量、质量、时效、成本). 质量 and 时效 are always expected, 成本 where
    the library offers cost indicators for the sector."""
    table = goal_table()
    rows = [dict(r) for r in INDICATORS if r["level2"] != "时效"]
    found = [w for w in warnings(table["long_term_goal"], table["annual_goal"], rows) if w["field"] == "indicators"]
    assert len(found) == 1 and "产出指标缺少时效指标" in found[0]["message"]
    assert warnings(table["long_term_goal"], table["annual_goal"], INDICATORS) == []
    found = warnings(table["long_term_goal"], table["annual_goal"], INDICATORS, expected_outputs={"成本", "数量"})
    assert [w["message"][:11] for w in found] == ["产出指标缺少成本指标："]


def test_a_value_outside_the_librarys_typical_range_is_flagged_on_its_row():
    from decimal import Decimal

    from server.services.indicator_library import Typical, range_text

    typical = {"师生满意度": Typical("%", Decimal(80), Decimal(100)),
               "受益师生人数": Typical("人", Decimal(100), None)}
    rows = [dict(r) for r in INDICATORS]
    table = goal_table()
    assert warnings(table["long_term_goal"], table["annual_goal"], rows, typical, range_text) == []
    rows[-1]["value"] = "60"  # 师生满意度 ≥ 60%: below what the library calls usual
    rows[3]["value"], rows[3]["unit"] = "50", "人次"  # another unit: not compared
    found = warnings(table["long_term_goal"], table["annual_goal"].replace("90%", "60%"), rows, typical, range_text)
    assert stored_text(found) == [{"field": f"indicators.{len(rows) - 1}.value",
                      "message": "指标“师生满意度”的指标值 60% 超出指标库的常见范围（80–100%），请核对数值或在设定依据中说明"}]


# ---------------------------------------------------------------- in the reader's language


def test_warnings_are_stored_with_codes_and_shown_in_the_readers_language(app):
    rows = [dict(r) for r in INDICATORS]
    rows[3]["unit"] = ""
    rows[-1]["value"] = "60"
    with app.test_request_context():
        found = warnings("按计划完成", "", rows, {"师生满意度": Typical("%", Decimal(80), None)}, range_text,
                         expected_outputs={"成本"})
    assert [w["code"] for w in found] == ["goal_vague", "goal_missing", "output_property_missing",
                                          "unit_missing", "outside_typical"]
    assert found[0]["params"] == {"phrase": "按计划完成"} and found[2]["params"] == {"missing": ["成本"]}
    assert json.loads(json.dumps(found, ensure_ascii=False)) == found  # JSON as stored
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert [message_of(w) for w in found] == [w["message"] for w in found]
    with app.test_request_context(), force_locale("en"):
        shown = [message_of(w) for w in found]
        assert shown[0].startswith("Medium-term goals: vague wording (“按计划完成”)")
        assert shown[1] == "Annual goals: not filled in"
        assert shown[2].startswith("Output indicators lack cost: ")
        assert shown[3] == "Indicator “受益师生人数” has a target value but no unit of measure"
        assert shown[4].startswith("The target 60% of indicator “师生满意度” lies outside") and "80%" in shown[4]
        assert not any(re.search(r"[\u4e00-\u9fff]", m.replace("按计划完成", "").replace("受益师生人数", "")
                                 .replace("师生满意度", "")) for m in shown), shown
        # The department plan checked as a long-term goal (dept_performance files it under work_plan) is named so;
        # a warning stored before codes, or with params that no longer fit, reads as stored.
        plan = {**found[0], "field": "work_plan", "message": found[0]["message"].replace("中长期目标", "年度工作计划")}
        assert message_of(plan).startswith("Annual work plan: vague wording")
        assert message_of({"field": "annual_goal", "message": "年度目标过于简单"}) == "年度目标过于简单"
        assert message_of({**found[0], "params": {}}) == found[0]["message"]
        assert message_of({**found[4], "params": {**found[4]["params"], "low": "x", "high": None}}) == found[4]["message"]
        assert message_of({"code": "no_such_code", "params": {}, "message": "旧提示"}) == "旧提示"
