"""URL converters shared by the API and the pages."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter


class RowIdConverter(IntegerConverter):
    """`<int:...>` for row ids: a number past 64-bit range is simply not found (SQLite would raise on it)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's parameter name)
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)
