"""What the producers' API modules share (keys in role `producer`): how a program acting through a
key is named in the ledger and the audit log, the request's language, UTC times, and the largest id.

Everything goes through the services the portal uses: `shop.inventory` (the compare-and-set of
the stock page, the guarded updates, the ledger with reason `api`) and `shop.fulfilment` (the
shipment's moves, the order following them, the shopper's mail). A program acting through a key
is no person: the ledger and the audit log keep no user for it, and name the key in their note
instead (the key's creator may have left the organisation since)."""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from shop import clock
from shop.integrations.models import ApiKey

# The largest id a database integer holds: a larger one names nothing (404), never an error.
MAX_ID = 2**31 - 1


def no_nul(text: str) -> None:
    # PostgreSQL refuses to store or even compare a NUL byte; no SKU or note has one.
    if "\x00" in text:
        raise ma.ValidationError(str(_l("This text contains a NUL character.")))


def request_locale() -> str:
    return str(get_locale() or "vi")


def utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else clock.aware(moment).astimezone(UTC)


def key_note(key: ApiKey, note: str | None = None) -> str:
    """How the ledger and the audit log name a program acting through `key` (data, not words of
    a page), with the note the call sent."""
    label = f"API key #{key.id} “{key.name}”"
    return f"{label} — {note}" if note else label
