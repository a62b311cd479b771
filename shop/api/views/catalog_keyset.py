"""Keyset paging of the product list: a cursor holds the last product's sort key and id and a
digest of the query, and the next page is the products after it in the listing's order."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, and_, false, literal, or_

from shop.errors import ValidationError
from shop.extensions import db


def cursor_value(value):
    return value.isoformat() if isinstance(value, datetime) else value


def key_values(position: dict, keys: list[tuple], digest: str) -> list:
    """The sort key values a cursor holds, checked against the keys of this query. Raises
    ValidationError (field `cursor`) for a cursor of another query or one this API did not make."""
    values = position.get("after")
    if position.get("query") != digest:
        raise ValidationError(
            _l("This cursor belongs to another query: use it with the same filters and sort."), field="cursor"
        )
    if not isinstance(values, list) or len(values) != len(keys):
        raise ValidationError(_l("This cursor is not one this API gave."), field="cursor")
    try:
        return [_decoded(value, key.type) for value, (key, _) in zip(values, keys, strict=True)]
    except ValueError:
        raise ValidationError(_l("This cursor is not one this API gave."), field="cursor") from None


def _decoded(value, kind):
    """A sort key's value as a cursor holds it (JSON), as the database compares it. Raises
    ValueError for a value that cannot be one of this key's."""
    if value is None:
        return None
    if isinstance(kind, DateTime):
        if not isinstance(value, str):
            raise ValueError(value)
        return datetime.fromisoformat(value)
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise ValueError(value)
        return value
    if not isinstance(value, int) or isinstance(value, bool) or not -(2**63) <= value < 2**63:
        raise ValueError(value)
    return value


def after_key(keys: list[tuple], values: list):
    """SQL: the products after the one whose sort key is `values`, in the order of `keys`
    ((expression, descending) pairs, the last unique), where the database puts NULL: first when
    ascending on SQLite, last on PostgreSQL (and the other way round when descending)."""
    nulls_smallest = db.session.get_bind().dialect.name == "sqlite"
    alternatives = []
    for n, (key, descending) in enumerate(keys):
        same_before = [_same(k, v) for (k, _), v in zip(keys[:n], values[:n], strict=True)]
        alternatives.append(and_(*same_before, _beyond(key, values[n], descending, nulls_smallest)))
    return or_(*alternatives)


def _same(key, value):
    return key.is_(None) if value is None else key == literal(value, key.type)


def _beyond(key, value, descending: bool, nulls_smallest: bool):
    nulls_first = nulls_smallest != descending
    if value is None:
        return key.is_not(None) if nulls_first else false()
    value = literal(value, key.type)  # a bound value, booleans too
    beyond = key < value if descending else key > value
    return beyond if nulls_first else or_(beyond, key.is_(None))
