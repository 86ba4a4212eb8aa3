"""Quality checks on a goal table (绩效目标申报表): the defects seed 004 (翁源) finds in units' goals.

They warn, they do not refuse: the unit sees them before it submits (and may submit anyway), the reviewers
see the same list, and it is stored with the goal version. Hard errors — a missing unit on a quantitative
indicator, weights not summing to 100 — are the form's job (JSON Schema + `x-rules`), but a goal table that
reaches the operators by another path is checked here too.

    warnings(long_term_goal, annual_goal, indicators) -> [{"field": "annual_goal", "message": "..."}]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

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
SATISFACTION = "服务对象满意度"

GOAL_FIELDS = {"long_term_goal": "中长期目标", "annual_goal": "年度目标"}


def _goal_text(field: str, text: Any) -> Iterable[dict[str, str]]:
    title = GOAL_FIELDS[field]
    body = str(text or "").strip()
    if not body:
        yield {"field": field, "message": f"未填写{title}"}
        return
    found = [p for p in VAGUE_PHRASES if p in body]
    if found:
        yield {
            "field": field,
            "message": f"{title}表述空泛（“{found[0]}”），把工作本身当成了目标；"
            "请写明为达到什么目的、做什么事、做了有什么效果",
        }
    elif len(body) < MIN_GOAL_CHARS:
        yield {"field": field, "message": f"{title}过于简单（不足 {MIN_GOAL_CHARS} 字），请写明产出和效果"}


def _rows(indicators: Any) -> list[Mapping[str, Any]]:
    return [r for r in indicators if isinstance(r, Mapping)] if isinstance(indicators, list) else []


def _is_quantitative(row: Mapping[str, Any]) -> bool:
    return str(row.get("operator") or "") not in ("", QUALITATIVE)


def _indicator_rows(rows: list[Mapping[str, Any]]) -> Iterable[dict[str, str]]:
    if not any(r.get("level1") == OUTPUT and _is_quantitative(r) for r in rows):
        yield {"field": "indicators", "message": "缺少量化的产出指标：产出指标应有数量、质量、时效或成本的具体数值"}
    if not any(r.get("level1") == BENEFIT for r in rows):
        yield {"field": "indicators", "message": "缺少效益指标：应说明经济、社会、生态效益或可持续影响"}
    if not any(r.get("level2") == SATISFACTION for r in rows):
        yield {"field": "indicators", "message": "缺少服务对象满意度指标：应对受益群体开展满意度调查"}
    for i, row in enumerate(rows):
        if _is_quantitative(row) and not str(row.get("unit") or "").strip():
            name = str(row.get("name") or f"第 {i + 1} 行")
            yield {"field": f"indicators.{i}.unit", "message": f"指标“{name}”有指标值但没有计量单位"}


def warnings(long_term_goal: Any, annual_goal: Any, indicators: Any) -> list[dict[str, str]]:
    """Every warning for this goal table, in the order of the form's fields."""
    found: list[dict[str, str]] = []
    found.extend(_goal_text("long_term_goal", long_term_goal))
    found.extend(_goal_text("annual_goal", annual_goal))
    found.extend(_indicator_rows(_rows(indicators)))
    return found
