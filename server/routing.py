"""URL converters shared by the API and the pages."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter


class RowIdConverter(IntegerConverter):
    """`<int:...>` for row ids: a number past the 32-bit id columns is simply not found (the database would raise on it)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's parameter name)
        kwargs.setdefault("max", 2**31 - 1)  # ids are 32-bit INTEGER columns
        super().__init__(map, *args, **kwargs)
