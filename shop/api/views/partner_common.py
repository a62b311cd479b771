"""What the restaurant partners' endpoints share: the partner the key acts for, times of day and
delivery windows as "06:00", the lines a program sends, and errors from the services named by
the API's field names (`lines.2.quantity` rather than the pages' `lines-2-quantity`)."""

from __future__ import annotations

import re

import marshmallow as ma
from flask import g
from flask_babel import lazy_gettext as _l

from shop import clock
from shop.api.schemas import cursor_id, encode_cursor, utc  # noqa: F401 (the partners' modules import them here)
from shop.api.schemas import request_locale as locale  # noqa: F401
from shop.errors import ShopError, ValidationError
from shop.extensions import db
from shop.integrations.keys import describe as key_label  # noqa: F401
from shop.partners.models import Partner
from shop.wholesale.delivery import Window
from shop.wholesale.ordering import MAX_QUANTITY

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")


def current_partner() -> Partner:
    """The partner the request's key acts for (`requires_key` has checked it is one's)."""
    return db.session.get(Partner, g.partner_id)


def time_of_day(minutes: int) -> str:
    return clock.format_minutes(minutes)


def minutes_of(text: str) -> int:
    hours, _, minutes = text.partition(":")
    return int(hours) * 60 + int(minutes)


def window_out(start_minute: int | None, end_minute: int | None) -> dict | None:
    if start_minute is None or end_minute is None:
        return None
    return {"start": time_of_day(start_minute), "end": time_of_day(end_minute)}


# Schemas ---------------------------------------------------------------------------------------


class TimeOfDay(ma.fields.String):
    """A time of day "HH:MM" (Vietnam time), 00:00 to 24:00. The pattern is also in the
    description, so clients (and schemathesis) know the form."""

    def __init__(self, *args, **kwargs):
        # Documents the form; _deserialize refuses with the translated message first.
        kwargs.setdefault("validate", ma.validate.Regexp(_TIME.pattern))
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not _TIME.match(text):
            raise ma.ValidationError(str(_l("Enter a time as HH:MM, e.g. 06:00.")))
        return text


class PartnerWindowSchema(ma.Schema):
    """A delivery window, Vietnam time."""

    start = TimeOfDay(required=True, metadata={"description": "From (HH:MM).", "example": "06:00"})
    end = TimeOfDay(required=True, metadata={"description": "Until (HH:MM), after `start`.", "example": "08:00"})

    @ma.validates_schema
    def _in_order(self, data, **kwargs):
        if "start" in data and "end" in data and minutes_of(data["end"]) <= minutes_of(data["start"]):
            raise ma.ValidationError(str(_l("The window must end after it starts.")), "end")

    @ma.post_load
    def _window(self, data, **kwargs) -> Window:
        return Window(minutes_of(data["start"]), minutes_of(data["end"]))


class PartnerLineInSchema(ma.Schema):
    """One line a program asks for: a pack by its SKU, and how many."""

    sku = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=40), metadata={"example": "XOI-PT-HOP10"}
    )
    quantity = ma.fields.Integer(
        required=True,
        strict=True,
        validate=ma.validate.Range(min=1, max=MAX_QUANTITY),
        metadata={"description": "Units, within the pack's quantity rules for partners.", "example": 20},
    )


class PartnerWindowOutSchema(ma.Schema):
    start = ma.fields.String(required=True, metadata={"example": "06:00"})
    end = ma.fields.String(required=True, metadata={"example": "08:00"})


class PartnerRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 3})
    name = ma.fields.String(required=True, metadata={"example": "Chi nhánh Tây Hồ"})


# Errors ----------------------------------------------------------------------------------------

_FORM_LINE = re.compile(r"^lines-(\d+)-(sku|quantity)$")


def renamed(exc: ShopError, names: dict[str, str] | None = None) -> ShopError:
    """`exc` with its field named as the API names it: the pages' `lines-2-sku` is `lines.2.sku`,
    and `names` renames others (a service's `day` is the body's `date`)."""
    field = exc.field
    if field:
        match = _FORM_LINE.match(field)
        if match:
            exc.field = f"lines.{match.group(1)}.{match.group(2)}"
        elif names and field in names:
            exc.field = names[field]
    return exc


def unknown_sku(index: int, sku: str) -> ValidationError:
    return ValidationError(_l("No product for sale has the SKU %(sku)s.", sku=sku), field=f"lines.{index}.sku")


def twice(index: int, sku: str) -> ValidationError:
    return ValidationError(_l("%(sku)s is on two lines: enter it once.", sku=sku), field=f"lines.{index}.sku")


def page(rows: list, limit: int, dump) -> dict:
    """A list's answer from up to `limit` + 1 rows read: the first `limit` dumped, and a cursor
    after the last of them when there were more."""
    more = len(rows) > limit
    rows = rows[:limit]
    return {"data": [dump(row) for row in rows], "next_cursor": encode_cursor({"id": rows[-1].id}) if more else None}
