"""The goal-table diff: which rows were added, removed or changed and which cells, between two versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from server.flows.goal_review.diff import Change, diff_goals, diff_rows


@dataclass
class Ind:
    name: str
    value: str = "10"
    weight: Decimal = Decimal("10.00")
    level1: str = "产出"
    level2: str = "数量"
    operator: str = "≥"
    unit: str | None = "所"
    basis: str | None = "计划标准"


@dataclass
class Goal:
    indicators: list[Ind] = field(default_factory=list)
    annual_goal: str | None = "完成改造"
    long_term_goal: str | None = None
    budget_amount: Decimal | None = Decimal("100.00")
    contact: str | None = None


def test_identical_tables_have_no_changes():
    rows = [Ind("改造校舍"), Ind("满意度", level1="满意度", level2="服务对象满意度", operator="≥", value="90", unit="%")]
    diff = diff_goals(Goal(rows), Goal(list(rows)))
    assert [r.change for r in diff.rows] == [Change.SAME, Change.SAME]
    assert not diff.has_changes


def test_changed_cells_are_named_and_equal_numbers_are_not_changes():
    old = [Ind("改造校舍", value="10", weight=Decimal("20.00")), Ind("验收合格率", value="100", unit="%")]
    new = [Ind("改造校舍", value="8", weight=Decimal("20")), Ind("验收合格率", value="100.0", unit="%")]
    rows = diff_rows(old, new)
    assert rows[0].change == Change.CHANGED and rows[0].changed == {"value"}
    assert rows[0].old["value"] == "10" and rows[0].new["value"] == "8"
    assert rows[1].change == Change.SAME  # 100 and 100.0 mean the same


def test_added_and_removed_rows_stay_where_they_were():
    old = [Ind("甲"), Ind("乙"), Ind("丙")]
    new = [Ind("甲"), Ind("丙"), Ind("丁")]
    rows = diff_rows(old, new)
    assert [(r.key[2], r.change) for r in rows] == [
        ("甲", Change.SAME), ("乙", Change.REMOVED), ("丙", Change.SAME), ("丁", Change.ADDED)]
    assert rows[1].new is None and rows[3].old is None


def test_a_removed_first_row_and_duplicate_names_are_matched_in_order():
    old = [Ind("首"), Ind("同名", value="1"), Ind("同名", value="2")]
    new = [Ind("同名", value="1"), Ind("同名", value="3")]
    rows = diff_rows(old, new)
    assert [(r.key[2], r.change) for r in rows] == [
        ("首", Change.REMOVED), ("同名", Change.SAME), ("同名", Change.CHANGED)]


def test_the_same_name_under_another_level_is_another_indicator():
    rows = diff_rows([Ind("达标率", level2="质量")], [Ind("达标率", level2="时效")])
    assert sorted(r.change for r in rows) == [Change.ADDED, Change.REMOVED]


def test_header_fields_and_empty_tables():
    diff = diff_goals(Goal([], annual_goal="甲"), Goal([Ind("新")], annual_goal="乙 "))
    changed = {f.field for f in diff.header if f.changed}
    assert changed == {"annual_goal"}
    assert diff.count(Change.ADDED) == 1 and diff.has_changes
    assert diff_goals(Goal([]), Goal([])).rows == []
