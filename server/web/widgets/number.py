"""Numbers: integer, money (元, two decimals) and plain number, typed as text so a wrong entry is kept and named.

Posted numbers may carry thousands separators, full-width digits and a trailing 元; NaN, infinities, exponents
beyond MAX_DIGITS and very long input are refused with a field message.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

from server.web.widgets.base import KindOf, Schema, Widget
from server.web.widgets.schema import MONEY_MARK, is_money, number_text, schema_type

if TYPE_CHECKING:
    from server.web.form_render import Field

MAX_NUMBER_CHARS = 40
MAX_DIGITS = 18  # integer digits: far above any amount in 元, and "1e999999" never becomes a huge int
_SEPARATORS = str.maketrans("", "", ",， _\u00a0")


def parse_number(text: str, *, integer: bool) -> int | float:
    cleaned = unicodedata.normalize("NFKC", text).translate(_SEPARATORS)
    if cleaned.endswith(MONEY_MARK):
        cleaned = cleaned[:-1]
    if len(cleaned) > MAX_NUMBER_CHARS:
        raise ValueError(_("数字过长"))
    try:
        number = Decimal(cleaned)
    except InvalidOperation as err:
        raise ValueError(_("应为整数") if integer else _("应为数字")) from err
    if not number.is_finite():
        raise ValueError(_("应为数字"))
    if number.adjusted() >= MAX_DIGITS:
        raise ValueError(_("数字过大"))
    if number == number.to_integral_value():
        return int(number)
    if integer:
        raise ValueError(_("应为整数"))
    return float(number)


class Number(Widget):
    name = "number"
    template = "forms/widgets/number.html"
    step = "any"
    integer = False
    money = False

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        return schema_type(schema) == "number"

    def shown(self, value: Any, schema: Schema) -> Any:
        return number_text(value, money=self.money)

    def attrs(self, schema: Schema) -> dict[str, Any]:
        attrs: dict[str, Any] = {}
        for key, attr in (("minimum", "min"), ("maximum", "max")):
            if isinstance(schema.get(key), int | float) and not isinstance(schema.get(key), bool):
                attrs[attr] = number_text(schema[key])
        attrs["step"] = self.step
        return attrs

    def display(self, f: Field, value: Any) -> str:
        return number_text(value)

    def parse(self, text: str) -> Any:
        return parse_number(text, integer=self.integer)


class Integer(Number):
    name = "integer"
    step = "1"
    integer = True

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        return schema_type(schema) == "integer"


class Money(Number):
    name = "money"
    step = "0.01"
    money = True

    def matches(self, schema: Schema, ui: Schema, kind_of: KindOf) -> bool:
        return schema_type(schema) == "number" and is_money(schema, ui)

    def display(self, f: Field, value: Any) -> str:
        text = number_text(value, money=True)
        return f"{text} {MONEY_MARK}" if text else ""


INTEGER = Integer()
MONEY = Money()
NUMBER = Number()
