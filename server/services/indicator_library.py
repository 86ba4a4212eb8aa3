"""The indicator library (指标库, seeds 001 and 003): the office keeps 共性 and 个性 indicators; goal tables pick
from them (a suggestion list on the indicator name) and the goal-quality checks warn when a value lies outside
the library's typical range.

Everyone signed in may read the library (units choose from it); only the performance office and
administrators change it, each change audited. Indicators are deactivated, never deleted: goal tables that
used one keep their own copy of its name and unit anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from server.db import db
from server.extensions import get_clock
from server.models import Indicator, Organisation, User
from server.models.indicator import COMMON, LEVELS, OPERATORS
from server.services import audit
from server.services.errors import Forbidden, NotFound, ValidationFailed
from server.services.people import STANDARD_SECTORS
from server.services.scope import COUNTY_WIDE_ROLES

QUALITATIVE = "定性"
MAX_SHOWN = 1000  # the library is a few hundred rows; a list longer than this is cut and says so
MAX_VALUE = Decimal("1e14")
MAX_QUERY = 100


@dataclass(frozen=True)
class LibraryQuery:
    q: str = ""
    level1: str = ""
    level2: str = ""
    sector: str | None = None  # None: every sector; "": 共性 only; else that sector's 个性 ones
    include_inactive: bool = False


@dataclass(frozen=True)
class Typical:
    """What the library says is usual for an indicator of this name."""

    unit: str | None
    low: Decimal | None
    high: Decimal | None


def may_edit(user: User) -> bool:
    return bool(set(user.roles) & set(COUNTY_WIDE_ROLES))


def _require_editor(user: User) -> None:
    if not may_edit(user):
        raise Forbidden(_("只有绩效管理办公室可以维护指标库"))


def known_sectors() -> list[str]:
    """The sectors an indicator may belong to: the standard list plus those the organisations use."""
    used = db.session.scalars(select(Organisation.sector).where(Organisation.sector.is_not(None)).distinct())
    return sorted(set(STANDARD_SECTORS) | {s for s in used if s}, key=lambda s: (s not in STANDARD_SECTORS, s))


def parse_query(args: Mapping[str, str]) -> LibraryQuery:
    level1 = args.get("level1", "")
    level2 = args.get("level2", "")
    sector = args.get("sector")
    return LibraryQuery(
        q=args.get("q", "").strip()[:MAX_QUERY],
        level1=level1 if level1 in LEVELS else "",
        level2=level2 if any(level2 in v for v in LEVELS.values()) else "",
        sector=None if sector in (None, "*") else ("" if sector == "common" else sector[:32]),
        include_inactive=args.get("inactive") == "1",
    )


def search(query: LibraryQuery) -> list[Indicator]:
    stmt = select(Indicator)
    if not query.include_inactive:
        stmt = stmt.where(Indicator.active.is_(True))
    if query.level1:
        stmt = stmt.where(Indicator.level1 == query.level1)
    if query.level2:
        stmt = stmt.where(Indicator.level2 == query.level2)
    if query.sector is not None:
        stmt = stmt.where(Indicator.sector == query.sector)
    if query.q:
        pattern = "%" + query.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Indicator.name.ilike(pattern, escape="\\"), Indicator.note.ilike(pattern, escape="\\")))
    rows = db.session.scalars(stmt.order_by(Indicator.sector, Indicator.level1, Indicator.level2, Indicator.name)
                              .limit(MAX_SHOWN + 1)).all()
    return sorted(rows, key=_shown_order)


def _shown_order(row: Indicator) -> tuple:
    levels = list(LEVELS)
    level2s = [v for vs in LEVELS.values() for v in vs]
    return (row.sector != COMMON, row.sector, levels.index(row.level1) if row.level1 in levels else 9,
            level2s.index(row.level2) if row.level2 in level2s else 99, row.name)


def get(indicator_id: int) -> Indicator:
    row = db.session.get(Indicator, indicator_id)
    if row is None:
        raise NotFound(_("指标不存在"))
    return row


# ---------------------------------------------------------------- changes


def _decimal(raw: Any, field: str, fields: dict[str, str]) -> Decimal | None:
    text = str(raw if raw is not None else "").strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        fields[field] = _("请填写数字")
        return None
    if not value.is_finite() or abs(value) >= MAX_VALUE:
        fields[field] = _("数值超出范围")
        return None
    return value


def _clean(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    fields: dict[str, str] = {}

    def text(key: str, limit: int) -> str:
        value = data.get(key)
        value = str(value).strip() if isinstance(value, str | int | float) else ""
        if len(value) > limit:
            fields[key] = _("不超过 %(n)s 个字", n=limit)
        return value[:limit]

    level1, level2, name = text("level1", 16), text("level2", 16), text("name", 100)
    operator, unit, note, sector = text("operator", 4), text("unit", 20), text("note", 200), text("sector", 32)
    if level1 not in LEVELS:
        fields["level1"] = _("请选择一级指标：%(names)s", names="、".join(LEVELS))
    elif level2 not in LEVELS[level1]:
        fields["level2"] = _("“%(level1)s”下的二级指标为：%(names)s", level1=level1, names="、".join(LEVELS[level1]))
    if len(name) < 2:
        fields.setdefault("name", _("请填写三级指标名称（至少 2 个字）"))
    if operator not in OPERATORS:
        fields["operator"] = _("请选择计算符号：%(names)s", names=" ".join(OPERATORS))
    if sector and sector not in known_sectors():
        fields["sector"] = _("未知的领域；可选：%(names)s", names="、".join(known_sectors()))
    low = _decimal(data.get("typical_min"), "typical_min", fields)
    high = _decimal(data.get("typical_max"), "typical_max", fields)
    if operator == QUALITATIVE:
        if low is not None or high is not None:
            fields["typical_min"] = _("定性指标没有数值范围")
        unit = ""
    else:
        if operator in OPERATORS and not unit:
            fields.setdefault("unit", _("定量指标须填写计量单位"))
        if low is not None and high is not None and low > high:
            fields["typical_max"] = _("常见范围的上限不能小于下限")
    values = {"level1": level1, "level2": level2, "name": name, "operator": operator, "unit": unit or None,
              "note": note or None, "sector": sector or COMMON, "typical_min": low, "typical_max": high}
    return values, fields


def save(actor: User, data: Mapping[str, Any], indicator_id: int | None = None) -> Indicator:
    """Add an indicator or change one; ValidationFailed by field, nothing saved."""
    _require_editor(actor)
    row = get(indicator_id) if indicator_id is not None else None
    values, fields = _clean(data)
    if not fields:
        clash = db.session.scalar(select(Indicator.id).where(
            Indicator.sector == values["sector"], Indicator.level2 == values["level2"],
            func.lower(Indicator.name) == values["name"].lower(),
            Indicator.id != (row.id if row is not None else -1)))
        if clash is not None:
            fields["name"] = _("该领域的“%(level2)s”下已有同名指标", level2=values["level2"])
    if fields:
        raise ValidationFailed(_("指标未保存，请按提示更正"), fields=fields)
    before = _summary(row) if row is not None else None
    if row is None:
        row = Indicator(active=True)
        db.session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_by_id = actor.id
    row.updated_at = get_clock().now()
    db.session.flush()
    audit.record("indicator_save", actor=actor, data={"id": row.id, "before": before, "after": _summary(row)})
    db.session.commit()
    return row


def set_active(actor: User, indicator_id: int, active: bool) -> Indicator:
    _require_editor(actor)
    row = get(indicator_id)
    if row.active != active:
        row.active = active
        row.updated_by_id = actor.id
        row.updated_at = get_clock().now()
        audit.record("indicator_activate" if active else "indicator_deactivate", actor=actor,
                     data={"id": row.id, "name": row.name, "sector": row.sector})
        db.session.commit()
    return row


def _summary(row: Indicator) -> dict[str, Any]:
    return {"sector": row.sector, "level1": row.level1, "level2": row.level2, "name": row.name,
            "operator": row.operator, "unit": row.unit, "note": row.note,
            "typical_min": str(row.typical_min) if row.typical_min is not None else None,
            "typical_max": str(row.typical_max) if row.typical_max is not None else None}


# ---------------------------------------------------------------- what goal tables use


def _for_sector(sector: str | None):
    sectors = [COMMON] + ([sector] if sector else [])
    return and_(Indicator.active.is_(True), Indicator.sector.in_(sectors))


def for_goal_table(sector: str | None) -> list[Indicator]:
    """The 共性 indicators and the project's sector's 个性 ones, in the goal table's order."""
    return sorted(db.session.scalars(select(Indicator).where(_for_sector(sector))), key=_shown_order)


def typical_ranges(sector: str | None) -> dict[str, Typical]:
    """Indicator name -> its typical range, for the goal-quality check (a sector's own entry wins)."""
    found: dict[str, Typical] = {}
    rows = db.session.execute(
        select(Indicator.name, Indicator.unit, Indicator.typical_min, Indicator.typical_max, Indicator.sector)
        .where(_for_sector(sector), Indicator.operator != QUALITATIVE)
        .order_by(Indicator.sector))  # "" (共性) first, so a sector's own range replaces it
    for name, unit, low, high, _sector in rows:
        if low is not None or high is not None:
            found[name] = Typical(unit, low, high)
    return found


def output_properties(sector: str | None) -> frozenset[str]:
    """The output properties (数量/质量/时效/成本) the library offers indicators for in this sector."""
    return frozenset(db.session.scalars(
        select(Indicator.level2).where(_for_sector(sector), Indicator.level1 == "产出").distinct()))


def range_text(typical: Typical) -> str:
    unit = typical.unit or ""
    low = _plain(typical.low) if typical.low is not None else None
    high = _plain(typical.high) if typical.high is not None else None
    if low is not None and high is not None:
        return f"{low}–{high}{unit}"
    if low is not None:
        shown = f"{low}{unit}"
        return _("不低于 %(v)s", v=shown)
    shown = f"{high}{unit}"
    return _("不高于 %(v)s", v=shown)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def export_xlsx(query: LibraryQuery):
    """The filtered library as .xlsx, in the page's order."""
    from server.services.xlsx_export import Column, stream_xlsx

    columns = (Column(_("类别"), 10), Column(_("领域"), 10), Column(_("一级指标"), 10), Column(_("二级指标"), 14),
               Column(_("三级指标"), 30), Column(_("计算符号"), 8), Column(_("计量单位"), 10),
               Column(_("常见范围下限"), 12), Column(_("常见范围上限"), 12), Column(_("指标解释"), 40),
               Column(_("状态"), 8))
    rows = ((_("个性") if r.sector else _("共性"), r.sector or "", r.level1, r.level2, r.name, r.operator,
             r.unit or "", r.typical_min, r.typical_max, r.note or "", _("在用") if r.active else _("已停用"))
            for r in search(query))
    return stream_xlsx(_("指标库"), columns, rows)
