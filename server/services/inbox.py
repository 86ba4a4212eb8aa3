"""The task inbox: tab counts, the filtered and paginated list, and bulk claim — all from the indexed
human_tasks table, never from workflow state, with a fixed number of queries per page."""

from __future__ import annotations

import base64
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import and_, func, or_, select, true, tuple_, update
from sqlalchemy.sql.elements import ColumnElement

from server.clock import COUNTY_TZ
from server.db import db
from server.extensions import get_clock
from server.models import (
    HumanTask,
    InstanceStatus,
    Organisation,
    OrgKind,
    ProcessInstance,
    ProcessModel,
    Role,
    TaskStatus,
    User,
)
from server.services import audit
from server.services.scope import COUNTY_WIDE_ROLES, claimable_clause, offered_to

DUE_SOON = timedelta(days=3)
PAGE_SIZES = (20, 50, 100)
MAX_BULK = 100
MAX_QUERY = 100
MAX_INT = 2**31 - 1  # ids and page numbers beyond a 32-bit integer would make PostgreSQL refuse the query
# Past this many rows a list's total is shown as "1,000+" and its pages end there: counting a long history
# (a reviewer with 100,000 done tasks) on every page cost more than the page; older work is found by search
# and the date filters, whose totals are exact again once below the cap.
COUNT_CAP = 1000
# A search's matches are counted only this far: they are found by testing the text of the user's rows newest
# first, and a common word ("食堂") matches thousands of them.
SEARCH_COUNT_CAP = 100
# Trigram indexes need three characters; a one- or two-character search looks through the list's newest
# SHORT_SEARCH_WINDOW rows only (the page says so), or a word that matches nothing would read a whole history.
MIN_INDEXED_QUERY = 3
SHORT_SEARCH_WINDOW = 1000
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
MIN_YEAR, MAX_YEAR = 2000, 2100  # anything else is a typo (and 9999-12-31 + 1 day would overflow)


class Tab(enum.StrEnum):
    MINE = "mine"  # 我的待办
    CLAIMABLE = "claimable"  # 可认领
    DONE = "done"  # 已办


SORTS = {
    "newest": lazy_gettext("最新在前"),
    "oldest": lazy_gettext("最早在前"),
    "due": lazy_gettext("截止日期最近"),
    "amount": lazy_gettext("金额从高到低"),
    "project": lazy_gettext("项目名称"),
}
DUE_FILTERS = {"overdue": lazy_gettext("已逾期"), "soon": lazy_gettext("3 天内到期")}


@dataclass(frozen=True)
class InboxQuery:
    tab: Tab = Tab.MINE
    process_key: str = ""
    project: str = ""  # a project code, exactly
    organisation_id: int | None = None
    due: str = ""  # "", overdue, soon
    due_from: date | None = None
    due_to: date | None = None
    q: str = ""
    sort: str = "newest"
    page: int = 1
    per_page: int = PAGE_SIZES[0]
    after: tuple[datetime, int] | None = None  # keyset: rows after this (sort key, id), newest order (API)

    def args(self, **changes) -> dict[str, str | int]:
        """Query-string arguments for a link to this list with some changes (pagination, sorting)."""
        q = replace(self, **changes)
        values = {
            "view": q.tab.value, "flow": q.process_key, "project": q.project,
            "org": q.organisation_id or "", "due": q.due,
            "due_from": q.due_from.isoformat() if q.due_from else "",
            "due_to": q.due_to.isoformat() if q.due_to else "",
            "q": q.q, "sort": q.sort if q.sort != "newest" else "",
            "page": q.page if q.page > 1 else "", "per_page": q.per_page if q.per_page != PAGE_SIZES[0] else "",
        }
        return {k: v for k, v in values.items() if v not in ("", None)}


def parse_query(args: Mapping[str, str]) -> tuple[InboxQuery, dict[str, str]]:
    """Read the inbox's query string. Anything malformed is dropped (the default is used) and explained."""
    errors: dict[str, str] = {}

    def text(name: str, limit: int = MAX_QUERY) -> str:
        value = (args.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = _("输入过长，最多 %(n)s 个字符", n=limit)
            return ""
        if any(ord(c) < 32 or ord(c) == 127 for c in value):  # PostgreSQL refuses NUL in text outright
            errors[name] = _("包含无效的控制字符")
            return ""
        return value

    def choice(name: str, allowed, default: str, message: str) -> str:
        value = (args.get(name) or "").strip() or default
        if value not in allowed:
            errors[name] = message
            return default
        return value

    def positive(name: str, default: int) -> int:
        raw = (args.get(name) or "").strip()
        if not raw:
            return default
        # isascii: str.isdigit also accepts '²' and other digits int() refuses.
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 12) or not 1 <= int(raw) <= MAX_INT:
            errors[name] = _("必须是不大于 %(n)s 的正整数", n=MAX_INT)
            return default
        return int(raw)

    def day(name: str) -> date | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        try:
            if not DATE_RE.fullmatch(raw):
                raise ValueError(raw)
            value = date.fromisoformat(raw)
            if not MIN_YEAR <= value.year <= MAX_YEAR:
                raise ValueError(raw)
            return value
        except ValueError:
            errors[name] = _("日期格式应为 YYYY-MM-DD，例如 2026-03-31")
            return None

    tab = choice("view", {t.value for t in Tab}, Tab.MINE.value, _("未知的列表，已显示我的待办"))
    sort = choice("sort", SORTS, "newest", _("未知的排序方式，已按默认排序"))
    due = choice("due", {"", *DUE_FILTERS}, "", _("未知的到期筛选"))
    per_page = positive("per_page", PAGE_SIZES[0])
    if per_page > PAGE_SIZES[-1]:
        errors["per_page"] = _("每页最多 %(n)s 条", n=PAGE_SIZES[-1])
        per_page = PAGE_SIZES[-1]
    organisation_id = positive("org", 0) or None
    query = InboxQuery(
        tab=Tab(tab), process_key=text("flow", 64), project=text("project"), organisation_id=organisation_id,
        due=due, due_from=day("due_from"), due_to=day("due_to"), q=text("q"), sort=sort,
        page=positive("page", 1), per_page=per_page,
    )
    if query.due_from and query.due_to and query.due_from > query.due_to:
        errors["due_to"] = _("截止日期范围的结束日不能早于开始日")
        query = replace(query, due_to=None)
    return query, errors


# ---------------------------------------------------------------- the three tabs


def _tab_clause(user: User, tab: Tab) -> ColumnElement[bool]:
    if tab == Tab.MINE:
        return and_(HumanTask.assignee_id == user.id, HumanTask.status == TaskStatus.OPEN)
    if tab == Tab.CLAIMABLE:
        # Matches the partial ix_human_tasks_pool_* indexes: the status column compares by literal (its type).
        return and_(HumanTask.status == TaskStatus.OPEN, HumanTask.assignee_id.is_(None),
                    claimable_clause(user))
    return HumanTask.completed_by_id == user.id


def count_cap(query: InboxQuery | None) -> int:
    return SEARCH_COUNT_CAP if query is not None and query.q else COUNT_CAP


def _capped_count(*where: ColumnElement[bool], cap: int = COUNT_CAP):
    """count(*) of the rows `where` selects, reading at most cap + 1 of them."""
    return select(func.count()).select_from(select(HumanTask.id).where(*where).limit(cap + 1).subquery())


def _newest_key(tab: Tab):
    return HumanTask.completed_at if tab == Tab.DONE else HumanTask.created_at


@dataclass(frozen=True)
class Counts:
    mine: int = 0
    claimable: int = 0
    done: int = 0
    mine_overdue: int = 0
    mine_due_soon: int = 0
    claimable_overdue: int = 0
    listed: int | None = None  # the filtered list's total, when counts() was given the list's query


def counts(user: User, query: InboxQuery | None = None) -> Counts:
    """The three tab counts, the overdue / due-soon marks and (given the list's query) the list's total, in one
    query. Each tab is its own subquery so each uses its own index (the claimable pool's count is index-only);
    one scan over the union of the tabs would read every visible task row."""
    now = get_clock().now()
    mine, claimable, done = (_tab_clause(user, t) for t in Tab)
    overdue = HumanTask.due_at < now
    soon = and_(HumanTask.due_at >= now, HumanTask.due_at < now + DUE_SOON)
    parts = [
        select(func.count(), func.count().filter(overdue), func.count().filter(soon)).where(mine).subquery(),
        select(func.count(), func.count().filter(overdue)).where(claimable).subquery(),
        _capped_count(done).subquery(),
    ]
    where = _filters(user, query, now) if query is not None else []
    if len(where) > 1:  # filtered: count the list too; unfiltered, its total is its tab's count
        parts.append(_capped_count(*where, cap=count_cap(query)).subquery())
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.join(part, true())  # one row each: a cross join, said explicitly
    columns = [c for part in parts for c in part.c]
    row = [int(v or 0) for v in db.session.execute(select(*columns).select_from(joined)).one()]
    result = Counts(mine=row[0], mine_overdue=row[1], mine_due_soon=row[2], claimable=row[3],
                    claimable_overdue=row[4], done=row[5])
    if query is not None:
        listed = row[6] if len(where) > 1 else {Tab.MINE: result.mine, Tab.CLAIMABLE: result.claimable,
                                                Tab.DONE: result.done}[query.tab]
        result = replace(result, listed=listed)
    return result


# ---------------------------------------------------------------- the list


@dataclass(frozen=True)
class InboxRow:
    id: int
    title: str
    process_key: str
    instance_id: int
    project_name: str | None
    project_code: str | None
    amount: Decimal | None
    organisation: str
    assignee: str | None
    status: TaskStatus
    due_at: datetime | None
    created_at: datetime
    completed_at: datetime | None
    held: bool  # its instance is suspended by an administrator: shown, not workable until resumed
    overdue: bool
    due_soon: bool


@dataclass(frozen=True)
class InboxPage:
    query: InboxQuery
    rows: list[InboxRow]
    total: int  # past the list's cap (count_cap) cap + 1, meaning "more than cap"
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pages", _pages(self.total, self.query))

    @property
    def cap(self) -> int:
        return count_cap(self.query)

    @property
    def capped(self) -> bool:
        return self.total > self.cap

    @property
    def short_search(self) -> bool:
        """A one- or two-character search, which looks at the newest SHORT_SEARCH_WINDOW rows only."""
        return 0 < len(self.query.q) < MIN_INDEXED_QUERY

    @property
    def search_window(self) -> int:
        return SHORT_SEARCH_WINDOW


def _pages(total: int, query: InboxQuery) -> int:
    return max(1, -(-min(total, count_cap(query)) // query.per_page))


def _like(q: str) -> str:
    """A LIKE pattern matching q literally: % and _ typed by a user are characters, not wildcards."""
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=COUNTY_TZ)


def _filters(user: User, query: InboxQuery, now: datetime) -> list[ColumnElement[bool]]:
    where = [_tab_clause(user, query.tab)]
    if query.process_key:
        where.append(HumanTask.process_key == query.process_key)
    if query.project:
        where.append(HumanTask.project_code == query.project)
    if query.organisation_id:
        where.append(HumanTask.organisation_id == query.organisation_id)
    if query.due == "overdue":
        where.append(HumanTask.due_at < now)
    elif query.due == "soon":
        where.append(and_(HumanTask.due_at >= now, HumanTask.due_at < now + DUE_SOON))
    if query.due_from:
        where.append(HumanTask.due_at >= _day_start(query.due_from))
    if query.due_to:
        where.append(HumanTask.due_at < _day_start(query.due_to + timedelta(days=1)))
    if query.q and len(query.q) < MIN_INDEXED_QUERY:
        newest = _newest_key(query.tab)
        recent = select(HumanTask.id).where(where[0]).order_by(newest.desc(), HumanTask.id.desc())
        where.append(HumanTask.id.in_(recent.limit(SHORT_SEARCH_WINDOW).scalar_subquery()))
    if query.q:
        like = _like(query.q)
        columns = (HumanTask.project_name, HumanTask.project_code, HumanTask.title)
        if query.q.lower() == query.q.upper():
            # Nothing in q has case (digits, Chinese, punctuation): LIKE finds exactly what ILIKE finds, and is
            # several times cheaper, ILIKE case-folds every candidate row's text first.
            where.append(or_(*(c.like(like, escape="\\") for c in columns)))
        else:
            where.append(or_(*(c.ilike(like, escape="\\") for c in columns)))
    return where


def _order(query: InboxQuery) -> list:
    newest = HumanTask.completed_at.desc() if query.tab == Tab.DONE else HumanTask.created_at.desc()
    first = {
        "newest": newest,
        "oldest": HumanTask.created_at.asc(),
        "due": HumanTask.due_at.asc().nulls_last(),
        "amount": HumanTask.amount.desc().nulls_last(),
        "project": HumanTask.project_name.asc().nulls_last(),
    }[query.sort]
    return [first, HumanTask.id.desc()]


list_filters, list_order = _filters, _order  # the .xlsx export (inbox_export.py) lists what the page lists


def list_page(user: User, query: InboxQuery, total: int | None = None) -> InboxPage:
    """One page of a tab: a count (unless the caller already has it, see counts()) and a page query.

    The page query picks the page's ids first, from the scope indexes alone where it can, and only then reads
    and joins those rows: sorting or skipping thousands of joined rows is what made late pages slow."""
    now = get_clock().now()
    where = _filters(user, query, now)
    if total is None:
        total = db.session.scalar(_capped_count(*where, cap=count_cap(query))) or 0
    pages = _pages(total, query)
    query = replace(query, page=min(query.page, pages))  # a page past the end shows the last one
    order = _order(query)
    ids = (
        select(HumanTask.id).where(*where).order_by(*order)
        .limit(query.per_page).offset((query.page - 1) * query.per_page)
        .subquery("page_ids")
    )
    stmt = (
        select(
            HumanTask.id, HumanTask.title, HumanTask.process_key, HumanTask.instance_id, HumanTask.project_name,
            HumanTask.project_code, HumanTask.amount, Organisation.name, User.display_name, HumanTask.status,
            HumanTask.due_at, HumanTask.created_at, HumanTask.completed_at,
            (ProcessInstance.status == InstanceStatus.SUSPENDED).label("held"),
        )
        .select_from(ids)
        .join(HumanTask, HumanTask.id == ids.c.id)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .join(Organisation, Organisation.id == HumanTask.organisation_id)
        .outerjoin(User, User.id == HumanTask.assignee_id)
        .order_by(*order)
    )
    rows = []
    for r in db.session.execute(stmt):
        open_ = r.status == TaskStatus.OPEN and r.due_at is not None
        rows.append(InboxRow(
            *r[:-1], held=bool(r.held) and r.status == TaskStatus.OPEN,
            overdue=open_ and r.due_at < now, due_soon=open_ and now <= r.due_at < now + DUE_SOON,
        ))
    return InboxPage(query=query, rows=rows, total=total)


def cursor_after(task: HumanTask, tab: Tab) -> str:
    """The keyset cursor for the rows after `task` in its tab's newest-first order."""
    key = task.completed_at if tab == Tab.DONE else task.created_at
    return base64.urlsafe_b64encode(f"{key.isoformat()}~{task.id}".encode()).decode().rstrip("=")


def parse_cursor(text: str) -> tuple[datetime, int]:
    """A cursor from cursor_after; ValueError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        when, _sep, ident = raw.partition("~")
        at, row_id = datetime.fromisoformat(when), int(ident)
    except (ValueError, UnicodeDecodeError) as err:
        raise ValueError(text) from err
    if at.tzinfo is None or not 0 < row_id <= MAX_INT:
        raise ValueError(text)
    return at, row_id


def task_rows(user: User, query: InboxQuery) -> tuple[list[tuple[HumanTask, str | None]], int]:
    """The API's task list: the inbox's own filters and order, answered with the task rows themselves (the
    API shows each task's element id and role) and the assignee's username. A page past the end is empty.
    With `query.after` (newest order only) the page is the rows after that cursor instead of a page number.
    The total stops at count_cap(query) + 1."""
    where = _filters(user, query, get_clock().now())
    total = db.session.scalar(_capped_count(*where, cap=count_cap(query))) or 0
    stmt = (
        select(HumanTask, User.username)
        .outerjoin(User, User.id == HumanTask.assignee_id)
        .where(*where)
        .order_by(*_order(query))
        .limit(query.per_page)
    )
    if query.after is not None:  # keyset: the next rows straight from the index, however deep in the history
        stmt = stmt.where(tuple_(_newest_key(query.tab), HumanTask.id) < tuple_(*query.after))
    else:
        stmt = stmt.offset((query.page - 1) * query.per_page)
    return list(db.session.execute(stmt).tuples()), total


# ---------------------------------------------------------------- filter choices


def flow_choices() -> list[tuple[str, str]]:
    return [(k, n) for k, n in db.session.execute(select(ProcessModel.key, ProcessModel.name).order_by(ProcessModel.name))]


def organisation_choices(user: User) -> list[tuple[int, str]]:
    """Organisations whose tasks this user may be offered: the filter never lists anyone else's."""
    roles = user.roles
    org = user.organisation
    kinds = (OrgKind.DEPARTMENT, OrgKind.UNIT)
    if roles & set(COUNTY_WIDE_ROLES):
        where: ColumnElement[bool] = Organisation.kind.in_(kinds)
    else:
        clauses = []
        if Role.UNIT_STAFF in roles or Role.EXPERT in roles:
            clauses.append(Organisation.id == user.organisation_id)
        if Role.DEPT_REVIEWER in roles and org.kind == OrgKind.DEPARTMENT:
            clauses.append(or_(Organisation.id == org.id, Organisation.parent_id == org.id))
        if Role.FINANCE_SECTION in roles and user.sectors:
            clauses.append(and_(Organisation.kind.in_(kinds), Organisation.sector.in_(sorted(user.sectors))))
        if not clauses:
            return []
        where = or_(*clauses)
    stmt = select(Organisation.id, Organisation.name).where(where).order_by(Organisation.name)
    return [(i, n) for i, n in db.session.execute(stmt)]


# ---------------------------------------------------------------- bulk claim


class ClaimResult(enum.StrEnum):
    CLAIMED = "claimed"
    ALREADY_MINE = "already_mine"
    TAKEN = "taken"  # someone else holds it
    CLOSED = "closed"  # completed or cancelled meanwhile
    NOT_FOUND = "not_found"  # no such task, or not one this user may see


CLAIM_MESSAGES = {
    ClaimResult.CLAIMED: lazy_gettext("已认领"),
    ClaimResult.ALREADY_MINE: lazy_gettext("已在我的待办中"),
    ClaimResult.TAKEN: lazy_gettext("已被他人认领"),
    ClaimResult.CLOSED: lazy_gettext("任务已办结或已取消"),
    ClaimResult.NOT_FOUND: lazy_gettext("任务不存在或无权认领"),
}


@dataclass(frozen=True)
class BulkOutcome:
    task_id: int
    title: str | None
    result: ClaimResult


def bulk_claim(user: User, task_ids: list[int]) -> list[BulkOutcome]:
    """Claim several tasks in one transaction; each gets its own result, and a lost race is just 'taken'."""
    wanted = list(dict.fromkeys(task_ids))[:MAX_BULK]
    tasks = {t.id: t for t in db.session.scalars(select(HumanTask).where(HumanTask.id.in_(wanted)))}
    results: dict[int, ClaimResult] = {}
    eligible: list[int] = []
    for task_id in wanted:
        task = tasks.get(task_id)
        mine = task is not None and task.assignee_id == user.id
        if task is None or not (mine or offered_to(user, task)):
            results[task_id] = ClaimResult.NOT_FOUND  # never say more about a task outside the user's scope
        elif task.status != TaskStatus.OPEN:
            results[task_id] = ClaimResult.CLOSED
        elif mine:
            results[task_id] = ClaimResult.ALREADY_MINE
        elif task.assignee_id is not None:
            results[task_id] = ClaimResult.TAKEN
        else:
            eligible.append(task_id)
    if eligible:
        # Conditional update: a task claimed by someone else since we read it is left alone.
        claimed = set(db.session.scalars(
            update(HumanTask)
            .where(HumanTask.id.in_(eligible), HumanTask.assignee_id.is_(None), HumanTask.status == TaskStatus.OPEN)
            .values(assignee_id=user.id)
            .returning(HumanTask.id)
            .execution_options(synchronize_session=False)
        ))
        for task_id in eligible:
            results[task_id] = ClaimResult.CLAIMED if task_id in claimed else ClaimResult.TAKEN
            if task_id in claimed:
                task = tasks[task_id]
                audit.append("claim", actor_id=user.id, instance_id=task.instance_id, task=task)
    db.session.commit()
    return [BulkOutcome(i, tasks[i].title if i in tasks and results[i] != ClaimResult.NOT_FOUND else None, results[i])
            for i in wanted]
