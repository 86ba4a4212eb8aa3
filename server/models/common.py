"""Column types and helpers shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, literal_column
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Wall-clock default for bookkeeping columns; workflow time goes through server.clock instead."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def value_enum(enum_cls: type[enum.Enum], length: int = 32, *, inline: bool = False) -> Enum:
    """Store an enum by its value ("running"), the same string the API shows, not by member name.
    `inline`: compare it by literal in SQL (see _InlineEnum)."""
    return (_InlineEnum if inline else Enum)(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class _InlineEnum(Enum):
    """An enum column whose `== member` and `!= member` put the value into the SQL text instead of binding it.

    Meant for a column that a partial index's WHERE names (human_tasks.status): SQLite re-prepares a statement
    on every run when a bound value is compared with such a column, since the value might make the index usable.
    A literal lets both SQLite and PostgreSQL plan it once. Enum values are fixed identifiers, so quoting is safe.
    """

    cache_ok = True

    class comparator_factory(Enum.Comparator):
        def operate(self, op, *other, **kwargs):
            if op in (operators.eq, operators.ne) and len(other) == 1 and isinstance(other[0], enum.Enum):
                value = str(other[0].value)
                if not value.isidentifier():
                    raise ValueError(f"enum value {value!r} is not safe to inline")
                return op(self.expr, literal_column(f"'{value}'"))
            return super().operate(op, *other, **kwargs)
