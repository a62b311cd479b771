"""The hot reads sent through the driver's cursor (shop/reads.py): the same rows as
Connection.execute, seen by the engine's listeners, errors reported as SQLAlchemy reports them;
lean on PostgreSQL, through SQLAlchemy where a column's type must convert the driver's values."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import String, bindparam, cast, event, func, literal_column, select, text
from sqlalchemy.exc import DBAPIError

from shop import reads
from shop.catalog.models import Product, Variant
from shop.extensions import db
from tests.support.builders import make_product

pytestmark = pytest.mark.both_databases

# Built once, as the shop's statements are: a LIMIT and a separator the statement fixes itself,
# a required date and a parameter with a default.
PRODUCTS = (
    select(Product.id, Product.name_vi, func.aggregate_strings(cast(Variant.sku, String), " "))
    .join(Variant, Variant.product_id == Product.id)
    .where(Product.name_vi.like(bindparam("pattern", "%")))
    .group_by(Product.id, Product.name_vi)
    .order_by(Product.id)
    .limit(10)
)
VALID_UNTIL = select(Product.star_valid_until, Product.featured).where(Product.id == bindparam("id"))


@pytest.fixture
def seen(app):
    """(statement, whether SQLAlchemy ran it with an execution context, "done" once it ran) for
    each statement."""
    found = []

    def record(conn, cursor, statement, parameters, context, executemany):
        found.append((statement, context is not None))

    def done(conn, cursor, statement, parameters, context, executemany):
        assert found[-1][0] == statement  # after the statement the listeners saw before it
        found[-1] = (statement, context is not None, "done")

    event.listen(db.engine, "before_cursor_execute", record)
    event.listen(db.engine, "after_cursor_execute", done)
    yield found
    event.remove(db.engine, "before_cursor_execute", record)
    event.remove(db.engine, "after_cursor_execute", done)


def test_rows_are_what_connection_execute_gives(app, backend, seen):
    make_product("Xôi Phú Thượng")
    make_product("Chè sen Quảng An")
    seen.clear()
    expected = [tuple(row) for row in db.session.connection().execute(PRODUCTS, {"pattern": "%"})]
    assert len(expected) == 2
    assert reads.rows(PRODUCTS) == expected  # the default of `pattern`
    assert reads.rows(PRODUCTS, {"pattern": "Chè%"}) == expected[1:]
    assert reads.one(PRODUCTS, {"pattern": "Xôi%"}) == expected[0]
    assert reads.scalar(PRODUCTS, {"pattern": "nothing%"}) is None
    with pytest.raises(ValueError):
        reads.one(PRODUCTS)  # two rows
    # Every statement was seen by the engine's listeners (the GET guard, statement counters):
    # PostgreSQL's through the driver's cursor, SQLite's through SQLAlchemy.
    assert len(seen) == 6
    assert all(with_context == (backend == "sqlite") for _, with_context, _ in seen[1:])
    assert all(entry[2:] == ("done",) for entry in seen)  # after_cursor_execute's listeners too


def test_a_value_the_column_type_converts_goes_through_sqlalchemy(app, backend, seen):
    product = make_product("Xôi Phú Thượng")
    # On SQLite a date is text and a boolean 0 or 1, which the columns' types convert.
    valid_until = reads.one(VALID_UNTIL, {"id": product.id})
    assert valid_until == (product.star_valid_until, False)
    assert isinstance(valid_until[0], date)
    assert seen[-1][1] == (backend == "sqlite")


def test_a_driver_error_comes_as_sqlalchemys(app, backend):
    broken = select(literal_column("1")).where(text("no_such_column = 1"))
    with pytest.raises(DBAPIError) as raised:
        reads.rows(broken)
    assert "no_such_column" in str(raised.value)
    db.session.rollback()
    assert reads.scalar(select(literal_column("2"))) == 2  # the connection goes on


def test_a_listener_that_refuses_stops_the_statement(app):
    def refuse(conn, cursor, statement, *args):
        raise RuntimeError("refused")

    event.listen(db.engine, "before_cursor_execute", refuse)
    try:
        with pytest.raises(RuntimeError, match="refused"):
            reads.rows(select(literal_column("3")))
    finally:
        event.remove(db.engine, "before_cursor_execute", refuse)
