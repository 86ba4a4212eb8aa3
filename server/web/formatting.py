"""Template filters and link helpers shared by the pages: county-local dates, money, task/instance links."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import Flask, url_for
from flask_babel import gettext as _

from server.clock import COUNTY_TZ
from server.flows.goal_review.quality import message_of as goal_warning
from server.services import inbox
from server.services.attachments import human_size


def local_date(value: datetime | None) -> str:
    return value.astimezone(COUNTY_TZ).strftime("%Y-%m-%d") if value else ""


def local_datetime(value: datetime | None) -> str:
    return value.astimezone(COUNTY_TZ).strftime("%Y-%m-%d %H:%M") if value else ""


def money(value: Decimal | float | None, unit: bool = False) -> str:
    """Yuan with thousands separators, as the county's forms print them; `unit` adds 元 where no column
    header says it."""
    if value is None:
        return ""
    shown = f"{Decimal(str(value)):,.2f}"
    return _("%(amount)s 元", amount=shown) if unit else shown


def wan(value: Decimal | float | None) -> str:
    """Yuan as 万元 with two decimals, for lists (the exact 元 goes in a title: see the `amount` macro)."""
    if value is None:
        return ""
    return f"{Decimal(str(value)) / 10_000:,.2f}"


def plain_number(value: Decimal | float | int | str | None) -> str:
    """A weight, score or rate as people write it: 20 not 20.00, 87.5 not 87.50 (no exponent, no rounding)."""
    if value is None or value == "":
        return ""
    try:
        exact = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    if not exact.is_finite():
        return str(value)
    text = format(exact, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(value: Decimal | float | None) -> str:
    """A 0–1 ratio as a percentage with one decimal (0.8125 -> 81.3%)."""
    if value is None:
        return ""
    return f"{(Decimal(str(value)) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def task_url(task_id: int) -> str:
    return url_for("tasks.task_page", task_id=task_id)


def instance_url(instance_id: int) -> str:
    return url_for("instances.instance_page", instance_id=instance_id)


def _links() -> dict:
    return {"task_url": task_url, "instance_url": instance_url}


def count(n: int, cap: int | None = None) -> str:
    """A list total: "1,000+" past the inbox's counting cap (services.inbox.count_cap)."""
    cap = cap or inbox.COUNT_CAP
    return f"{cap:,}+" if n > cap else str(n)


def init_app(app: Flask) -> None:
    for name, show in (("local_date", local_date), ("local_datetime", local_datetime), ("money", money),
                       ("wan", wan), ("file_size", human_size), ("count", count),
                       ("plain_number", plain_number), ("percent", percent), ("goal_warning", goal_warning)):
        app.add_template_filter(show, name)
    app.context_processor(_links)
