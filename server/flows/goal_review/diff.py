"""Two versions of a goal table side by side: which indicator rows were added, removed or changed, and which
cells changed. Pure (no database): the project page and the goal-adjustment review both feed it rows.

Rows are matched by their place in the table (一级, 二级, 三级指标 name); a name that appears twice under the
same 二级 is matched in order. A row whose name was edited reads as one removed and one added row — the
county's forms identify an indicator by its name, so that is what a reviewer needs to see.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

# The compared cells of an indicator row, in the goal table's column order (the key columns come first).
CELLS = ("operator", "value", "unit", "basis", "weight")
# The goal table's header fields compared besides the rows.
HEADER = ("long_term_goal", "annual_goal", "budget_amount", "contact")


class Change(enum.StrEnum):
    SAME = "same"
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


class Row(Protocol):
    level1: str
    level2: str
    name: str


@dataclass(frozen=True)
class RowDiff:
    key: tuple[str, str, str]  # (一级, 二级, 三级指标)
    change: Change
    old: dict[str, Any] | None  # the cells in version a (None: added)
    new: dict[str, Any] | None  # the cells in version b (None: removed)
    changed: frozenset[str]  # names of the cells that differ (only for CHANGED)


@dataclass(frozen=True)
class FieldDiff:
    field: str
    old: Any
    new: Any

    @property
    def changed(self) -> bool:
        return _norm(self.old) != _norm(self.new)


@dataclass(frozen=True)
class GoalDiff:
    header: list[FieldDiff]
    rows: list[RowDiff]

    def count(self, change: Change) -> int:
        return sum(1 for r in self.rows if r.change == change)

    @property
    def has_changes(self) -> bool:
        return any(r.change != Change.SAME for r in self.rows) or any(f.changed for f in self.header)


def _norm(value: Any) -> Any:
    """Equal meaning compares equal: '12' and Decimal('12.00'), None and '', surrounding spaces."""
    if value is None:
        return ""
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        try:
            return Decimal(str(value)).normalize()
        except InvalidOperation:
            return str(value)
    text = str(value).strip()
    try:
        return Decimal(text).normalize() if text else ""
    except InvalidOperation:
        return text


def _cells(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name, None) for name in CELLS}


def _key(row: Any) -> tuple[str, str, str]:
    return (str(row.level1 or "").strip(), str(row.level2 or "").strip(), str(row.name or "").strip())


def diff_rows(old_rows: Iterable[Any], new_rows: Iterable[Any]) -> list[RowDiff]:
    """Rows of b in b's order with each matched row of a beside it; rows only in a follow the b row that
    preceded them in a (so a removed row stays near where it was)."""
    old_list, new_list = list(old_rows), list(new_rows)
    pending: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, row in enumerate(old_list):
        pending[_key(row)].append(i)
    matched: dict[int, int] = {}  # index in new -> index in old
    for j, row in enumerate(new_list):
        if pending.get(key := _key(row)):
            matched[j] = pending[key].pop(0)
    used = set(matched.values())
    removed_after: dict[int, list[int]] = defaultdict(list)  # new index (-1: before all) -> removed old rows
    last_new_for_old = {i: j for j, i in matched.items()}
    anchor = -1
    for i in range(len(old_list)):
        if i in used:
            anchor = last_new_for_old[i]
        else:
            removed_after[anchor].append(i)

    out: list[RowDiff] = [_removed(old_list[i]) for i in removed_after.get(-1, [])]
    for j, row in enumerate(new_list):
        new = _cells(row)
        if j in matched:
            old = _cells(old_list[matched[j]])
            changed = frozenset(c for c in CELLS if _norm(old[c]) != _norm(new[c]))
            out.append(RowDiff(_key(row), Change.CHANGED if changed else Change.SAME, old, new, changed))
        else:
            out.append(RowDiff(_key(row), Change.ADDED, None, new, frozenset()))
        out.extend(_removed(old_list[i]) for i in removed_after.get(j, []))
    return out


def _removed(row: Any) -> RowDiff:
    return RowDiff(_key(row), Change.REMOVED, _cells(row), None, frozenset())


def diff_goals(old: Any, new: Any, fields: Sequence[str] = HEADER) -> GoalDiff:
    """Version `old` (a) against version `new` (b): any objects with the header fields and `indicators`."""
    header = [FieldDiff(f, getattr(old, f, None), getattr(new, f, None)) for f in fields]
    return GoalDiff(header, diff_rows(getattr(old, "indicators", ()), getattr(new, "indicators", ())))
