"""Warnings about numeric ranges in a rule table, where the entries are plain comparisons (`>= 90`,
`80 <= ? < 90`, `60`, `-`): rules of a UNIQUE table whose conditions overlap (SpiffWorkflow then silently takes
the first), values between the bands that no rule covers, and FIRST rules an earlier rule already covers.
Entries that are not plain comparisons are left alone: a warning is only given when it is certain."""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

from flask_babel import gettext as _

from server.engine.decision_tables import MAX_CELL_CHARS, Table

ANY = "any"
_UNPARSABLE = (SyntaxError, ValueError, RecursionError, MemoryError)


@dataclass(frozen=True)
class Interval:
    lo: float = -math.inf
    lo_in: bool = False
    hi: float = math.inf
    hi_in: bool = False

    @property
    def empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_in and self.hi_in))

    def meet(self, other: Interval) -> Interval:
        lo, lo_in = max((self.lo, not self.lo_in), (other.lo, not other.lo_in))
        hi, hi_in = min((self.hi, self.hi_in), (other.hi, other.hi_in))
        return Interval(lo, not lo_in, hi, hi_in)

    def covers(self, other: Interval) -> bool:
        return self.meet(other) == other

    def text(self) -> str:
        if self.lo == self.hi:
            return _("等于 %(v)s", v=_num(self.lo))
        parts = []
        if self.lo != -math.inf:
            parts.append(("≥ " if self.lo_in else "> ") + _num(self.lo))
        if self.hi != math.inf:
            parts.append(("≤ " if self.hi_in else "< ") + _num(self.hi))
        return (" " + _("且") + " ").join(parts)


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _number(node: ast.expr) -> float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _number(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        try:
            return float(node.value)
        except OverflowError:
            return None
    return None


_BOUND = {ast.Gt: (False, True), ast.GtE: (True, True), ast.Lt: (False, False), ast.LtE: (True, False)}
_FLIP = {ast.Gt: ast.Lt, ast.GtE: ast.LtE, ast.Lt: ast.Gt, ast.LtE: ast.GtE, ast.Eq: ast.Eq}


def interval(text: str) -> Interval | str | None:
    """ANY for `-`, an Interval for a plain comparison with numbers, None for anything else."""
    stripped = text.strip()
    if stripped in ("", "-"):
        return ANY
    if len(stripped) > MAX_CELL_CHARS:
        return None
    try:
        if "?" in stripped:
            node = ast.parse(stripped.replace("?", "v"), mode="eval").body
        else:
            try:
                alone = _number(ast.parse(stripped, mode="eval").body)
            except _UNPARSABLE:
                alone = None
            if alone is not None:
                return Interval(alone, True, alone, True)
            node = ast.parse(f"v {stripped}", mode="eval").body
    except _UNPARSABLE:
        return None
    if not isinstance(node, ast.Compare):
        return None
    result = Interval()
    operands = [node.left, *node.comparators]
    for left, op, right in zip(operands, node.ops, operands[1:], strict=False):
        if isinstance(left, ast.Name) and left.id == "v" and (value := _number(right)) is not None:
            kind = type(op)
        elif isinstance(right, ast.Name) and right.id == "v" and (value := _number(left)) is not None:
            kind = _FLIP.get(type(op), type(op))
        else:
            return None
        if kind is ast.Eq:
            bound = Interval(value, True, value, True)
        elif kind in _BOUND:
            closed, lower = _BOUND[kind]
            bound = Interval(value, closed) if lower else Interval(hi=value, hi_in=closed)
        else:
            return None
        result = result.meet(bound)
    return result


def _literal(text: str) -> object:
    if len(text) > MAX_CELL_CHARS:
        return ("text", text)
    try:
        return ("literal", ast.literal_eval(text.strip()))
    except (*_UNPARSABLE, TypeError):
        return ("text", " ".join(text.split()))


def _overlap(a: str, b: str) -> bool | None:
    """True: some value meets both entries; False: none does; None: cannot tell."""
    ia, ib = interval(a), interval(b)
    if ia == ANY or ib == ANY:
        return True
    if isinstance(ia, Interval) and isinstance(ib, Interval):
        return not ia.meet(ib).empty
    la, lb = _literal(a), _literal(b)
    if la == lb:
        return True
    if la[0] == "literal" and lb[0] == "literal":
        return False
    return None


def _gaps(bands: list[Interval]) -> list[Interval]:
    """The values between the lowest and highest bound that no band covers."""
    ordered = sorted(bands, key=lambda i: (i.lo, not i.lo_in))
    gaps = []
    reach, reach_in = ordered[0].hi, ordered[0].hi_in
    for band in ordered[1:]:
        if band.lo > reach or (band.lo == reach and not (band.lo_in or reach_in)):
            gaps.append(Interval(reach, not reach_in, band.lo, not band.lo_in))
        if (band.hi, band.hi_in) > (reach, reach_in):
            reach, reach_in = band.hi, band.hi_in
    return gaps


def warnings(table: Table) -> list[str]:
    found: list[str] = []
    rules = table.rules
    if table.hit_policy == "UNIQUE":
        for i, a in enumerate(rules):
            for j in range(i + 1, len(rules)):
                b = rules[j]
                answers = [_overlap(x, y) for x, y in zip(a.inputs, b.inputs, strict=False)]
                if answers and all(answers):
                    found.append(_("第 %(a)s 条和第 %(b)s 条规则的条件重叠：命中策略为“唯一”时同一输入只能符合一条规则"
                                   "（引擎会取第一条）", a=i + 1, b=j + 1))
    for column, source in enumerate(table.inputs):
        groups: dict[tuple[str, ...], list[tuple[int, Interval | str | None]]] = {}
        for row, rule in enumerate(rules):
            if column >= len(rule.inputs):
                continue
            others = tuple(" ".join(t.split()) for k, t in enumerate(rule.inputs) if k != column)
            groups.setdefault(others, []).append((row, interval(rule.inputs[column])))
        for members in groups.values():
            if len(members) < 2 or any(v is None for _row, v in members):
                continue
            members = [(row, Interval() if v == ANY else v) for row, v in members]
            for gap in _gaps([v for _row, v in members if isinstance(v, Interval)]):
                found.append(_("%(input)s %(range)s 时没有规则符合（第 %(rows)s 条规则之间有缺口）",
                               input=source.label or source.text, range=gap.text(),
                               rows="、".join(str(r + 1) for r, _v in members)))
            if table.hit_policy == "FIRST":
                for n, (row, band) in enumerate(members):
                    earlier = next((r for r, b in members[:n] if isinstance(b, Interval)
                                    and isinstance(band, Interval) and b.covers(band)), None)
                    if earlier is not None:
                        found.append(_("第 %(row)s 条规则不会被命中：排在前面的第 %(earlier)s 条规则已包含它的条件",
                                       row=row + 1, earlier=earlier + 1))
    return found
