"""Builders for the API's tests: a key for an organisation, and the headers that present it."""

from __future__ import annotations

from shop.extensions import db
from shop.integrations import keys


def api_key(*, producer=None, partner=None, role: str | None = None, name: str = "Test program", by=None):
    """A live key for `producer` or `partner` (role: "producer" for a producer, "ordering" for a
    partner unless told). Returns (key, secret). Commits."""
    if role is None:
        role = "producer" if producer is not None else "ordering"
    key, secret = keys.create_key(
        name=name,
        role=role,
        by=by,
        producer_id=producer.id if producer is not None else None,
        partner_id=partner.id if partner is not None else None,
    )
    db.session.commit()
    return key, secret


def bearer(secret: str, **headers) -> dict[str, str]:
    """Request headers that authenticate with `secret` (plus any others given)."""
    return {"Authorization": f"Bearer {secret}", **headers}
