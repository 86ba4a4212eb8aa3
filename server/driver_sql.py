"""Core statements run straight on the DB-API cursor of the session's connection: the task hot path.

SQLAlchemy's execution layer (execution context, result metadata, row objects) costs tens of microseconds a
statement, more than SQLite needs to run most of the hot path's. A DriverStatement is compiled by SQLAlchemy
once per dialect and set of parameter names; values go through the column types' own bind processors and
come back through their result processors, so a row reads exactly as SQLAlchemy would give it. It runs on the
connection the session already holds, so it shares the request's one transaction. Driver errors go through the
Connection's own error handling, exactly as a statement SQLAlchemy ran itself: they are raised as SQLAlchemy's
(OperationalError, IntegrityError, ...), and a lost connection is recognised as a disconnect, so the connection
is invalidated (rollback then succeeds) and the whole pool is recycled instead of each pooled connection failing
once after a database restart.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql import Executable


@dataclass
class _Plan:
    sql: str
    names: tuple[str, ...]  # parameters in the order the driver takes them
    positional: bool
    processors: tuple[Callable[[Any], Any] | None, ...]
    fixed: Mapping[str, Any]  # values written into the statement itself (e.g. `.values(status=...)`)
    row: type | None  # a namedtuple for statements that return rows
    columns: tuple[Any, ...]
    # Result processors; some drivers' depend on the type code the cursor reports, so they are made on first use.
    converters: tuple[Callable[[Any], Any] | None, ...] | None = None


class DriverStatement:
    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._plans: dict[tuple[str, frozenset[str]], _Plan] = {}
        self._lock = threading.Lock()

    def _plan(self, conn: Connection, keys: frozenset[str]) -> _Plan:
        dialect = conn.dialect
        cache_key = (dialect.name, keys)
        plan = self._plans.get(cache_key)
        if plan is not None:
            return plan
        compiled = self.statement.compile(dialect=dialect, column_keys=sorted(keys))
        binds = compiled.binds
        if any(bind.expanding for bind in binds.values()):
            raise ValueError("IN lists with expanding parameters are not supported on the driver path")
        names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(binds)
        columns = list(getattr(self.statement, "exported_columns", ()))  # a SELECT's columns, or RETURNING's
        plan = _Plan(
            sql=str(compiled),
            names=names,
            positional=compiled.positional,
            processors=tuple(binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names),
            fixed={name: bind.effective_value for name, bind in binds.items() if name not in keys},
            row=namedtuple("Row", [c.key for c in columns], rename=True) if columns else None,  # type: ignore[misc]
            columns=tuple(columns),
        )
        with self._lock:
            self._plans[cache_key] = plan
        return plan

    def _run(self, conn: Connection, params: Mapping[str, Any]) -> tuple[_Plan, Any]:
        plan = self._plan(conn, frozenset(params))
        values = []
        for name, process in zip(plan.names, plan.processors, strict=True):
            value = params[name] if name in params else plan.fixed[name]
            values.append(process(value) if process is not None else value)
        bound: Sequence[Any] | dict[str, Any] = values if plan.positional else dict(zip(plan.names, values, strict=True))
        cursor = conn.connection.cursor()
        try:
            cursor.execute(plan.sql, bound)
        except conn.dialect.loaded_dbapi.Error as err:
            # Raises the wrapped error; on a disconnect it invalidates this connection and the pool first.
            conn._handle_dbapi_exception(err, plan.sql, bound, cursor, None)
        return plan, cursor

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        """All rows, as namedtuples named by the statement's column keys (labels included)."""
        plan, cursor = self._run(conn, params)
        try:
            raw = cursor.fetchall()
            converters = plan.converters
            if converters is None:
                dialect = conn.dialect
                codes = [d[1] for d in cursor.description]
                converters = plan.converters = tuple(
                    c.type.dialect_impl(dialect).result_processor(dialect, code)
                    for c, code in zip(plan.columns, codes, strict=True)
                )
        finally:
            cursor.close()
        assert plan.row is not None, "rows() of a statement that returns none"
        return [
            plan.row._make([fn(v) if fn is not None else v for fn, v in zip(converters, r, strict=True)])
            for r in raw
        ]

    def first(self, conn: Connection, params: Mapping[str, Any]) -> Any | None:
        found = self.rows(conn, params)
        return found[0] if found else None

    def rowcount(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Run a write; how many rows it matched."""
        _plan, cursor = self._run(conn, params)
        try:
            return cursor.rowcount
        finally:
            cursor.close()
