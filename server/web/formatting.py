"""Template filters and link helpers shared by the pages: county-local dates, money, task/instance links."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import url_for
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from server.clock import COUNTY_TZ
from server.web import web_bp


@web_bp.app_template_filter("local_date")
def local_date(value: datetime | None) -> str:
    return value.astimezone(COUNTY_TZ).strftime("%Y-%m-%d") if value else ""


@web_bp.app_template_filter("local_datetime")
def local_datetime(value: datetime | None) -> str:
    return value.astimezone(COUNTY_TZ).strftime("%Y-%m-%d %H:%M") if value else ""


@web_bp.app_template_filter("money")
def money(value: Decimal | float | None, unit: bool = False) -> str:
    """Yuan with thousands separators, as the county's forms print them; `unit` adds 元 where no column
    header says it."""
    if value is None:
        return ""
    shown = f"{Decimal(str(value)):,.2f}"
    return _("%(amount)s 元", amount=shown) if unit else shown


def _url(endpoint: str, fallback: str, **values: int) -> str:
    # The task and instance pages live in their own modules; until one is registered, link by path.
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return fallback


def task_url(task_id: int) -> str:
    return _url("web.task_page", f"/tasks/{task_id}", task_id=task_id)


def instance_url(instance_id: int) -> str:
    return _url("web.instance_page", f"/instances/{instance_id}", instance_id=instance_id)


@web_bp.app_context_processor
def _links() -> dict:
    return {"task_url": task_url, "instance_url": instance_url}
