"""Schemas every part of the API shares: the error shape, cursor pages, money and ids."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from http import HTTPStatus

import marshmallow as ma
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from shop import clock
from shop.errors import ValidationError

# The largest id a database integer holds: a larger one names nothing (404), never an error.
MAX_ID = 2**31 - 1


class ErrorDetailSchema(ma.Schema):
    field = ma.fields.String(
        allow_none=True, metadata={"description": "Where the problem is (`lines.0.quantity`, `cursor`…)."}
    )
    message = ma.fields.String(required=True)
    sku = ma.fields.String(metadata={"description": "The SKU the detail is about (stock calls only)."})
    current = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        metadata={
            "description": "The SKU's figures now, where a stock call was refused for it.",
            "example": {"on_hand": 130, "reserved": 4, "available": 126},
        },
    )


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Stable, for programs: `not_found`, `invalid`…"})
    message = ma.fields.String(required=True, metadata={"description": "For people, in the request's language."})
    details = ma.fields.List(ma.fields.Nested(ErrorDetailSchema), required=True)


class ErrorSchema(ma.Schema):
    """Every error the API answers, whatever its status."""

    class Meta:
        name = "Error"

    error = ma.fields.Nested(
        ErrorBodySchema,
        required=True,
        metadata={
            "example": {
                "code": "invalid",
                "message": "The request is not valid.",
                "details": [{"field": "lines.0.quantity", "message": "Must be greater than or equal to 1."}],
            }
        },
    )


class CursorArgs(ma.Schema):
    """Query arguments of every list: where to go on from, and how many."""

    cursor = ma.fields.String(
        load_default=None, metadata={"description": "The `next_cursor` of the previous page; omit for the first."}
    )
    limit = ma.fields.Integer(
        load_default=50, validate=ma.validate.Range(min=1, max=100), metadata={"description": "At most 100."}
    )


def page_schema(item_schema, name: str):
    """A `{"data": [...], "next_cursor": ...}` schema for lists of `item_schema`."""
    return type(
        name,
        (ma.Schema,),
        {
            "data": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "next_cursor": ma.fields.String(
                allow_none=True, required=True, metadata={"description": "null on the last page."}
            ),
            "Meta": type("Meta", (), {"name": name}),
        },
    )


def encode_cursor(position: dict) -> str:
    """An opaque cursor for `position` (the sort key of the last item given)."""
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict | None:
    """The position a cursor names; None for none. Raises ValidationError (field `cursor`) for
    anything this API did not make."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        position = None
    if not isinstance(position, dict):
        raise ValidationError(_l("This cursor is not one this API gave."), field="cursor")
    return position


def error_responses(bp, *codes: int):
    """Document that the decorated endpoint may answer these error statuses (each with the error
    shape; every endpoint also documents 400, 429 and a default)."""

    def decorator(view):
        for code in sorted({400, 429, *codes}, reverse=True):
            view = bp.alt_response(code, response=HTTPStatus(code).name)(view)
        return view

    return decorator


def cursor_id(cursor: str | None, *, key: str = "id") -> int | None:
    """The id a list's cursor names (the last row given, under `key`), or None for the first
    page. Raises ValidationError (field `cursor`) for a cursor this API did not make."""
    position = decode_cursor(cursor)
    if position is None:
        return None
    last = position.get(key)
    if not isinstance(last, int) or isinstance(last, bool) or not 0 <= last <= MAX_ID:
        raise ValidationError(_l("This cursor is not one this API gave."), field="cursor")
    return last


def request_locale() -> str:
    """The language of the request's answer (names, messages)."""
    return str(get_locale() or "vi")


def utc(moment: datetime | None) -> datetime | None:
    """An instant as the API gives it: aware, in UTC (SQLite hands back naive UTC)."""
    return None if moment is None else clock.aware(moment).astimezone(UTC)


def no_nul(text: str) -> None:
    """A validator: PostgreSQL refuses to store or even compare a NUL byte, and no SKU or note
    has one."""
    if "\x00" in text:
        raise ma.ValidationError(str(_l("This text contains a NUL character.")))
