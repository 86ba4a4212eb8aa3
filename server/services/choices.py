"""Choices a task form field takes from the database (`"ui:options": {"choices": "<name>"}` in a UI schema).

A form file cannot list what changes with the county (the registered third-party firms, the experts), so the
field names a source here instead: the task page shows the source's current entries as a <select>, the API's
task detail lists them, and completing the task refuses a value that is not among them for the submitting user
(a field message; 422 in the API). Each source says which roles may read it: its entries are another
organisation's names, so a user outside those roles gets none (403 when asked directly).

`"extra": [{"value": …, "label": …}]` beside `choices` puts fixed entries first (key monitoring's
"财政自行监控"); they are written in the form file, so an administrator words them without code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from server.db import db
from server.flows.evaluation.result import registered_firms
from server.models import Organisation, Role, User, UserRole
from server.services.errors import Forbidden, NotFound

MAX_EXTRA = 20  # fixed entries a form may put before a source's own


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Source:
    roles: frozenset[str]  # who may read the entries (and so choose among them)
    query: Callable[[User], list[Choice]]


def _firms(_actor: User) -> list[Choice]:
    """Third-party firms that can take a task: kind third party with an active expert account."""
    return [Choice(f.code, f.name) for f in registered_firms()]


def _experts(_actor: User) -> list[Choice]:
    """Active expert accounts by firm, labelled 姓名（机构）."""
    rows = db.session.execute(
        select(User.username, User.display_name, Organisation.name)
        .join(UserRole, UserRole.user_id == User.id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(UserRole.role == Role.EXPERT, User.active.is_(True))
        .order_by(Organisation.code, User.username)).tuples().all()
    return [Choice(username, f"{name}（{firm}）" if firm else name) for username, name, firm in rows]


FINANCE_OFFICE = frozenset({Role.PERFORMANCE_OFFICE.value, Role.ADMIN.value})
SOURCES: dict[str, Source] = {
    "third_party_firms": Source(FINANCE_OFFICE, _firms),
    "experts": Source(FINANCE_OFFICE, _experts),
}


def may_read(actor: User, name: str) -> bool:
    source = SOURCES.get(name)
    return source is not None and bool(source.roles & set(actor.roles))


def entries(actor: User, name: str) -> list[Choice]:
    """A source's current entries for this user: NotFound for an unknown name, Forbidden outside its roles."""
    if name not in SOURCES:
        raise NotFound(_("没有名为“%(name)s”的选项来源", name=name[:64]))
    if not may_read(actor, name):
        raise Forbidden(_("您无权读取这些选项"))
    return SOURCES[name].query(actor)


def field_source(ui: Any) -> tuple[str, list[Choice]] | None:
    """The source a field's UI schema names (a registered one) and the fixed entries put before it."""
    options = ui.get("ui:options") if isinstance(ui, dict) else None
    name = options.get("choices") if isinstance(options, dict) else None
    if not isinstance(name, str) or name not in SOURCES:
        return None
    extra = options.get("extra")
    fixed = [Choice(str(e["value"]), str(e.get("label") or e["value"])) for e in extra[:MAX_EXTRA]
             if isinstance(e, dict) and e.get("value") not in (None, "")] if isinstance(extra, list) else []
    return name, fixed


def _sources_in(ui: Any) -> Iterator[tuple[str, list[Choice]]]:
    if not isinstance(ui, dict):
        return
    if (found := field_source(ui)) is not None:
        yield found
    for key, sub in ui.items():
        if not key.startswith("ui:"):
            yield from _sources_in(sub)


def for_form(actor: User, ui: Any) -> dict[str, list[Choice]]:
    """Every source the form's fields name that this user may read, with its current entries (read once)."""
    return {name: SOURCES[name].query(actor) for name, _fixed in _sources_in(ui) if may_read(actor, name)}


def field_entries(ui: Any, loaded: dict[str, list[Choice]]) -> list[Choice] | None:
    """A field's entries: its fixed ones, then its source's (empty when the user may not read the source)."""
    found = field_source(ui)
    if found is None:
        return None
    name, fixed = found
    return fixed + loaded.get(name, [])


def _chosen(ui: Any, value: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    """(path, value, field UI schema) of every submitted value whose field takes choices, nested ones too."""
    if field_source(ui) is not None:
        yield path, value, ui
        return
    if not isinstance(ui, dict):
        return
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _chosen(ui.get(str(key)), sub, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _chosen(ui.get("items"), sub, f"{path}.{i}")


def refused(actor: User, ui: Any, data: dict[str, Any]) -> dict[str, str]:
    """Field messages for submitted values not among the field's current choices for this user."""
    found: dict[str, str] = {}
    loaded: dict[str, list[Choice]] | None = None
    for path, value, field_ui in _chosen(ui, data, ""):
        if value in (None, ""):
            continue  # `required` in the schema says whether it may be empty
        loaded = for_form(actor, ui) if loaded is None else loaded
        allowed = {c.value for c in field_entries(field_ui, loaded) or []}
        if not isinstance(value, str) or value not in allowed:
            found[path] = _("“%(value)s”不在可选范围内，请从列表中选择", value=str(value)[:64])
    return found
