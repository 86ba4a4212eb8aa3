"""Reading a list page's filters from the query string: each reader takes the raw text, returns the value or
None and records a message for the field when the text is garbage (out of range, unknown choice, NUL, too
long), so a page shows what it refused above the list and lists with the filters that made sense."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

MAX_TEXT = 100
MAX_PAGE = 100_000
WAN = Decimal(10_000)  # amounts are typed in 万元, kept in 元
MAX_WAN = Decimal(100_000_000)  # 1 万亿元: beyond any county budget
MAX_WAN_TEXT = f"{MAX_WAN:,}"
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class QueryReader:
    """Reads one query string; `errors` maps a parameter to what was wrong with it."""

    def __init__(self, args: Mapping[str, str]) -> None:
        self.args = args
        self.errors: dict[str, str] = {}

    def raw(self, name: str) -> str | None:
        value = self.args.get(name)
        if value is None or not value.strip():
            return None
        if "\x00" in value or len(value) > MAX_TEXT:
            self.errors[name] = _("参数无效")
            return None
        return value.strip()

    def text(self, name: str) -> str:
        return self.raw(name) or ""

    def integer(self, name: str, low: int, high: int, message: str | None = None) -> int | None:
        value = self.raw(name)
        if value is None:
            return None
        if not (value.isascii() and value.lstrip("-").isdigit() and len(value) <= 12) \
                or not low <= int(value) <= high:
            self.errors[name] = message or _("应为 %(low)s 至 %(high)s 之间的整数", low=low, high=high)
            return None
        return int(value)

    def choice(self, name: str, choices: Iterable[str]) -> str | None:
        value = self.raw(name)
        if value is not None and value not in set(choices):
            self.errors[name] = _("不是可选的值")
            return None
        return value

    def wan(self, name: str) -> Decimal | None:
        """An amount typed in 万元, as 元."""
        value = self.raw(name)
        if value is None:
            return None
        try:
            amount = Decimal(value.replace(",", ""))
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or not 0 <= amount <= MAX_WAN:
            self.errors[name] = _("金额应为 0 至 %(max)s 万元之间的数", max=MAX_WAN_TEXT)
            return None
        return (amount * WAN).quantize(Decimal("0.01"))

    def month(self, name: str) -> tuple[int, int] | None:
        """A reporting month written YYYY-MM."""
        value = self.raw(name)
        if value is None:
            return None
        found = _MONTH.match(value) if value.isascii() else None
        if found is None or not (2000 <= int(found[1]) <= 2100 and 1 <= int(found[2]) <= 12):
            self.errors[name] = _("月份应写作 年-月，如 2026-03")
            return None
        return int(found[1]), int(found[2])

    def page(self) -> int:
        return self.integer("page", 1, MAX_PAGE, _("页码应为 1 至 %(max)s 之间的整数", max=MAX_PAGE)) or 1
