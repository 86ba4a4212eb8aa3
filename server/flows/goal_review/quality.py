"""Quality checks on a goal table (绩效目标申报表): the defects seed 004 (翁源) finds in units' goals.

They warn, they do not refuse: the unit sees them before it submits (and may submit anyway), the reviewers
see the same list, and it is stored with the goal version. Hard errors — a missing unit on a quantitative
indicator, weights not summing to 100 — are the form's job (JSON Schema + `x-rules`), but a goal table that
reaches the operators by another path is checked here too.

    warnings(long_term_goal, annual_goal, indicators) -> [{"field": "annual_goal", "code": "...",
                                                            "params": {...}, "message": "..."}]

A warning is stored (goal versions, department goals, the flow's data) with its `code` and `params`, and with
`message`, the same text in Chinese, for readers of the stored data and the API. Pages show `message_of(w)`:
the code's msgid (MESSAGES) through gettext, in the reader's language; a warning stored before codes existed
shows its stored message.

Annual goal against the indicators (issue 12: "不少于30间" in the text, "≥ 25 间" in the table). The rule, kept
narrow so a sound goal is not flagged:
- a figure in the annual goal is an Arabic number (1,200 / 3.5) written directly before a unit that a
  quantitative indicator of the table uses ("30间", "25 间", "90%"); the longest unit wins, known longer units
  included (LONGER_UNITS), so "2400人次" is not read as people;
- a figure agrees when any indicator with that unit has the same target value (90% and a 90% satisfaction
  row); otherwise it contradicts the indicator of that unit named in the same clause (between ，。；),
  or the only indicator with that unit when none is named — with several candidates and none named it is
  left alone (a goal may quote other rates than its indicators');
- calendar years and periods are not figures: "2026年", "3年内", "年底前" (年 followed by 内/底/前/后/末/初/来/度/起);
- Chinese numerals, ranges and 万-scaled figures ("1.8万人" against 18000 人) are not compared.

Output indicators speak to the properties of an output (seed 004: 数量、质量、时效和成本); a missing one is
named. 数量, 质量 and 时效 are always expected; 成本 where the county's indicator library offers cost indicators
for the project's sector (services/indicator_library.py: the office decides where unit costs are measurable).
With the library's typical ranges, a quantitative value outside the range of the library indicator of the same
name (and unit) is flagged on its row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from flask_babel import gettext

from server.services import indicator_library


def N_(msgid: str) -> str:
    """Marks a msgid for the catalogue: the warning is translated when it is shown, not when it is found."""
    return msgid


class TypicalRange(Protocol):
    unit: str | None
    low: Decimal | None
    high: Decimal | None

# Seed 004 ②: “把工作本身当目标，例如‘按计划完成’‘完成补助’”.
VAGUE_PHRASES: tuple[str, ...] = (
    "按计划完成",
    "完成补助",
    "按要求完成",
    "按时完成",
    "顺利完成",
    "圆满完成",
    "完成任务",
    "完成工作",
    "发放到位",
)
MIN_GOAL_CHARS = 20  # shorter than this a goal cannot say 为了什么目的 + 做什么事 + 有什么效果
QUALITATIVE = "定性"
OUTPUT, BENEFIT = "产出", "效益"
OUTPUT_PROPERTIES = (N_("数量"), N_("质量"), N_("时效"), N_("成本"))  # seed 004: 产出 has these four
ALWAYS_EXPECTED = frozenset({"数量", "质量", "时效"})
SATISFACTION = "服务对象满意度"




GOAL_FIELDS = {"long_term_goal": N_("中长期目标"), "annual_goal": N_("年度目标")}
# The title a goal-text warning names, by its field; dept_performance checks its 年度工作计划 as a long-term
# goal and files the warning under work_plan.
FIELD_TITLES = {**GOAL_FIELDS, "work_plan": N_("年度工作计划")}

# Every warning by code. Params: title (from the field), phrase, min, missing (a list of output properties),
# name (or row: the row's number), written, operator, value, unit, low/high (the library's range).
MESSAGES = {
    "goal_missing": N_("未填写%(title)s"),
    "goal_vague": N_("%(title)s表述空泛（“%(phrase)s”），把工作本身当成了目标；"
                     "请写明为达到什么目的、做什么事、做了有什么效果"),
    "goal_short": N_("%(title)s过于简单（不足 %(min)s 字），请写明产出和效果"),
    "output_not_quantified": N_("缺少量化的产出指标：产出指标应有数量、质量、时效或成本的具体数值"),
    "output_property_missing": N_("产出指标缺少%(missing)s指标：产出应从数量、质量、时效和成本四方面设定，"
                                  "可从指标库中选用"),
    "benefit_missing": N_("缺少效益指标：应说明经济、社会、生态效益或可持续影响"),
    "satisfaction_missing": N_("缺少服务对象满意度指标：应对受益群体开展满意度调查"),
    "unit_missing": N_("指标“%(name)s”有指标值但没有计量单位"),
    "annual_contradicts": N_("年度目标中的“%(written)s”与指标“%(name)s”（%(operator)s %(value)s %(unit)s）"
                             "不一致，请核对数值"),
    "outside_typical": N_("指标“%(name)s”的指标值 %(value)s%(unit)s 超出指标库的常见范围（%(range)s），"
                          "请核对数值或在设定依据中说明"),
}
ROW = N_("第 %(row)s 行")
LIST_SEPARATOR = N_("、")


def _warning(field: str, code: str, shown: Mapping[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    """The stored warning: its code and params, and the Chinese text (`shown`: params as the text needs them)."""
    message = MESSAGES[code] % {**params, **(shown or {})} if (params or shown) else MESSAGES[code]
    return {"field": field, "code": code, "params": params, "message": message}


def message_of(warning: Mapping[str, Any]) -> str:
    """The warning in the reader's language (needs a request or app context for the language)."""
    code, params = warning.get("code"), warning.get("params")
    stored = str(warning.get("message") or "")
    if code not in MESSAGES or not isinstance(params, Mapping):
        return stored  # stored before warnings had codes
    try:
        return gettext(MESSAGES[code], **_shown(warning, params))
    except (KeyError, TypeError, ValueError):
        return stored  # params that do not fit the msgid (edited data): the stored text still reads


def _goal_text(field: str, text: Any) -> Iterable[dict[str, Any]]:
    title = {"title": GOAL_FIELDS[field]}
    body = str(text or "").strip()
    if not body:
        yield _warning(field, "goal_missing", title)
        return
    found = [p for p in VAGUE_PHRASES if p in body]
    if found:
        yield _warning(field, "goal_vague", title, phrase=found[0])
    elif len(body) < MIN_GOAL_CHARS:
        yield _warning(field, "goal_short", title, min=MIN_GOAL_CHARS)


def _rows(indicators: Any) -> list[Mapping[str, Any]]:
    return [r for r in indicators if isinstance(r, Mapping)] if isinstance(indicators, list) else []


def _is_quantitative(row: Mapping[str, Any]) -> bool:
    return str(row.get("operator") or "") not in ("", QUALITATIVE)


def _indicator_rows(rows: list[Mapping[str, Any]], expected: frozenset[str]) -> Iterable[dict[str, Any]]:
    if not any(r.get("level1") == OUTPUT and _is_quantitative(r) for r in rows):
        yield _warning("indicators", "output_not_quantified")
    else:
        present = {r.get("level2") for r in rows if r.get("level1") == OUTPUT}
        missing = [p for p in OUTPUT_PROPERTIES if p in expected and p not in present]
        if missing:
            yield _warning("indicators", "output_property_missing", {"missing": LIST_SEPARATOR.join(missing)},
                           missing=missing)
    if not any(r.get("level1") == BENEFIT for r in rows):
        yield _warning("indicators", "benefit_missing")
    if not any(r.get("level2") == SATISFACTION for r in rows):
        yield _warning("indicators", "satisfaction_missing")
    for i, row in enumerate(rows):
        if _is_quantitative(row) and not str(row.get("unit") or "").strip():
            name = str(row.get("name") or "")
            yield _warning(f"indicators.{i}.unit", "unit_missing", {"name": name or ROW % {"row": i + 1}},
                           name=name, row=i + 1)


NUMBER = r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*"
CLAUSES = re.compile(r"[，。；;！!？?\n]|,(?!\d{3}(?!\d))")  # not the comma inside 4,200
NOT_A_YEAR_FIGURE = re.compile(r"^(?:内|以内|底|前|后|末|初|来|以来|度|起)")
CALENDAR_YEAR = re.compile(r"^(?:19|20)\d\d$")
# Units that begin with a shorter one: read whole, so "2400人次" is not 2400 人 nor "50平方米" 50 米.
LONGER_UNITS = frozenset({"人次", "人天", "人日", "户次", "车次", "架次", "台次", "亩次", "台（套）", "台套",
                          "平方米", "立方米", "万立方米", "平方公里", "万元", "万人", "个百分点", "千米"})


def _decimal(text: Any) -> Decimal | None:
    try:
        value = Decimal(str(text).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _figures(clause: str, units: list[str]) -> Iterable[tuple[str, Decimal, str]]:
    """(as written, number, unit) for each number written before one of `units` in the clause."""
    pattern = re.compile(NUMBER + "(" + "|".join(re.escape(u) for u in units) + ")")
    for found in pattern.finditer(clause):
        number, unit = found.group(1), found.group(2)
        if unit == "年" and (CALENDAR_YEAR.match(number) or NOT_A_YEAR_FIGURE.match(clause[found.end():])):
            continue
        value = _decimal(number)
        if value is not None:
            yield found.group(0).strip(), value, unit


def _annual_against_indicators(annual_goal: Any, rows: list[Mapping[str, Any]]) -> Iterable[dict[str, Any]]:
    quantified = [(r, str(r.get("unit") or "").strip(), _decimal(r.get("value"))) for r in rows
                  if _is_quantitative(r)]
    by_unit: dict[str, list[tuple[Mapping[str, Any], Decimal | None]]] = {}
    for row, unit, value in quantified:
        if unit:
            by_unit.setdefault(unit, []).append((row, value))
    if not by_unit:
        return
    units = sorted(set(by_unit) | LONGER_UNITS, key=len, reverse=True)
    for clause in CLAUSES.split(str(annual_goal or "")):
        for written, value, unit in _figures(clause, units):
            candidates = by_unit.get(unit, [])
            if not candidates:
                continue
            if any(target == value for _row, target in candidates):
                continue
            named = [c for c in candidates if str(c[0].get("name") or "").strip() and str(c[0]["name"]).strip() in clause]
            pick = named or (candidates if len(candidates) == 1 else [])
            for row, _target in pick[:1]:
                yield _warning("annual_goal", "annual_contradicts", written=written, name=str(row.get("name")),
                               operator=str(row.get("operator")), value=str(row.get("value")), unit=unit)


def _against_library(rows: list[Mapping[str, Any]], typical: Mapping[str, TypicalRange],
                     describe: Any) -> Iterable[dict[str, Any]]:
    for i, row in enumerate(rows):
        known = typical.get(str(row.get("name") or "").strip())
        value = _decimal(row.get("value"))
        if known is None or value is None or not _is_quantitative(row):
            continue
        unit = str(row.get("unit") or "").strip()
        if known.unit and unit and unit != known.unit:
            continue  # another unit: the range does not compare
        if (known.low is not None and value < known.low) or (known.high is not None and value > known.high):
            yield _warning(f"indicators.{i}.value", "outside_typical", {"range": describe(known)},
                           name=str(row.get("name")), value=str(row.get("value")), unit=unit,
                           low=_text(known.low), high=_text(known.high), range_unit=known.unit)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _shown(warning: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """The params as the msgid takes them, their own words translated too."""
    shown = dict(params)
    code = warning.get("code")
    if code in ("goal_missing", "goal_vague", "goal_short"):
        shown["title"] = gettext(FIELD_TITLES.get(str(warning.get("field")), GOAL_FIELDS["long_term_goal"]))
    if isinstance(params.get("missing"), list):
        shown["missing"] = gettext(LIST_SEPARATOR).join(gettext(str(p)) for p in params["missing"])
    if code == "unit_missing" and not params.get("name"):
        shown["name"] = gettext(ROW, row=params.get("row"))
    if code == "outside_typical":
        shown["range"] = _range_text(params)
    return shown


def _range_text(params: Mapping[str, Any]) -> str:
    """The library's range as stored with the warning, worded in the reader's language."""
    low, high = _decimal(params.get("low")), _decimal(params.get("high"))
    if low is None and high is None:
        raise ValueError("no range stored")
    return indicator_library.range_text(indicator_library.Typical(params.get("range_unit"), low, high))


def warnings(long_term_goal: Any, annual_goal: Any, indicators: Any,
             typical: Mapping[str, TypicalRange] | None = None, describe: Any = None,
             expected_outputs: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Every warning for this goal table, in the order of the form's fields. From the indicator library:
    `typical`, its ranges by indicator name (`describe(range) -> text` for the message), and
    `expected_outputs`, the output properties (二级指标) it offers indicators for."""
    found: list[dict[str, Any]] = []
    found.extend(_goal_text("long_term_goal", long_term_goal))
    found.extend(_goal_text("annual_goal", annual_goal))
    found.extend(_annual_against_indicators(annual_goal, _rows(indicators)))
    found.extend(_indicator_rows(_rows(indicators), ALWAYS_EXPECTED | frozenset(expected_outputs)))
    if typical:
        found.extend(_against_library(_rows(indicators), typical, describe or str))
    return found
