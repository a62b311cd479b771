"""The catalog pages' hot reads, sent through the driver's cursor.

A catalog page runs one or two SELECTs that are built once (the cards by id, the product page's
statement, a search's matches, the catalog's version). Through `Connection.execute` each run
still built an execution context, asked the driver for the result's description (psycopg makes
a Column object per column on every call) and wrapped every row: about 0.1 ms of CPU a
statement on PostgreSQL, as much as the server spent running the cards' statement, on pages
whose whole cost is ~2.5 ms. `rows` sends the statement's SQL, compiled once per dialect,
through the driver's cursor and returns its rows as plain tuples.

Only where the driver gives what SQLAlchemy would: a statement whose compiled form has no
processor for a parameter or a column (on PostgreSQL, psycopg turns dates, integers, text and
booleans into Python values itself). Otherwise — on SQLite, where a date is text that the
column's type parses — the statement goes through `Connection.execute` as any other. Either
way the engine's `before_cursor_execute` and `after_cursor_execute` listeners see the statement (the guard that a GET
never writes, the tests' statement counters) and a driver error comes out as SQLAlchemy's."""

from __future__ import annotations

import threading
from typing import Any, NamedTuple

from sqlalchemy import Executable
from sqlalchemy.exc import InvalidRequestError

from shop.extensions import db


class _Compiled(NamedTuple):
    sql: str | None  # None: run through Connection.execute (see the module's docstring)
    defaults: dict[str, Any]  # the values the statement carries itself (a LIMIT 1, an id = 1)


_compiled: dict[tuple[Executable, str], _Compiled] = {}
_lock = threading.Lock()
# Statements are kept by identity: one built anew for each call would fill this up. Past this
# many, a new statement is compiled for its call and not kept.
KEPT = 512


def rows(statement: Executable, params: dict[str, Any] | None = None) -> list[tuple]:
    """All rows of `statement` (a SELECT built once and kept, not one made per call: each
    statement is compiled once per dialect and kept) on the request's database connection."""
    connection = db.session.connection()
    compiled = _compile(statement, connection.dialect)
    if compiled.sql is None:
        return [tuple(row) for row in connection.execute(statement, params or {})]
    values = {**compiled.defaults, **params} if params else compiled.defaults
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        for listener in connection.dispatch.before_cursor_execute:
            listener(connection, cursor, compiled.sql, values, None, False)
        cursor.execute(compiled.sql, values)
        for listener in connection.dispatch.after_cursor_execute:
            listener(connection, cursor, compiled.sql, values, None, False)
        return cursor.fetchall()
    except connection.dialect.loaded_dbapi.Error as error:
        # As Connection.execute reports it: wrapped in SQLAlchemy's exception, and a
        # connection the error broke is dropped rather than handed to the next request.
        connection._handle_dbapi_exception(error, compiled.sql, values, cursor, None)
        raise  # not reached: the call above raises
    finally:
        cursor.close()


def one(statement: Executable, params: dict[str, Any] | None = None) -> tuple:
    """The one row of `statement` (see rows)."""
    (row,) = rows(statement, params)
    return row


def scalar(statement: Executable, params: dict[str, Any] | None = None) -> Any:
    """The first column of the first row, or None without rows (see rows)."""
    found = rows(statement, params)
    return found[0][0] if found else None


def _compile(statement: Executable, dialect) -> _Compiled:
    key = (statement, dialect.name)
    compiled = _compiled.get(key)
    if compiled is None:
        compiled = _made(statement, dialect)
        if len(_compiled) < KEPT:
            with _lock:
                _compiled[key] = compiled
    return compiled


def _made(statement: Executable, dialect) -> _Compiled:
    if dialect.paramstyle != "pyformat":  # SQLite's qmark: the values' order is SQLAlchemy's business
        return _Compiled(None, {})
    made = statement.compile(dialect=dialect)
    # Values rendered into the SQL (aggregate_strings' separator) are fixed by the
    # statement itself: rendered once. An expanding IN, which a call fills, is not lean.
    fixed = not made.post_compile_params and all(p.value is not None for p in made.literal_execute_params)
    if made.literal_execute_params and fixed:
        try:
            made = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        except InvalidRequestError:  # a parameter without a value at all: rendered per call
            return _Compiled(None, {})
    processed = bool(made._bind_processors) or any(
        column.type._cached_result_processor(dialect, None) for column in made._result_columns
    )
    direct = fixed and not processed
    defaults = {name: value for name, value in made.params.items() if value is not None}
    return _Compiled(made.string if direct else None, defaults)
