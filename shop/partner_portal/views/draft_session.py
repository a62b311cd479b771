"""The order a partner's member is putting together (the draft: quantities per pack), kept in
the session for the partner acted for, and what "order again" changed, kept to be shown once.
Shared by the quick order, the CSV upload and the orders' pages; the prices and rules are
shop.wholesale's."""

from __future__ import annotations

from flask import g, session
from flask_babel import get_locale

from shop.wholesale.drafts import Draft
from shop.wholesale.reorder import Change

DRAFT = "partner_order_draft"
CHANGES = "partner_order_changes"
# At most this many "order again" changes are kept to show (the rest are counted).
CHANGES_KEPT = 20


def locale() -> str:
    return str(get_locale() or "vi")


def current_draft() -> Draft:
    kept = session.get(DRAFT)
    if not isinstance(kept, dict) or kept.get("p") != g.partner.id:
        return Draft()
    return Draft.decode(kept.get("d"))


def keep_draft(draft: Draft) -> None:
    if draft.quantities or draft.typed:
        session[DRAFT] = {"p": g.partner.id, "d": draft.encode()}
    else:
        session.pop(DRAFT, None)


def keep_changes(changes: list[Change]) -> None:
    session[CHANGES] = {
        "p": g.partner.id,
        "c": [change.as_dict() for change in changes[:CHANGES_KEPT]],
        "more": max(len(changes) - CHANGES_KEPT, 0),
    }


def take_changes() -> tuple[list[str], int]:
    """The changes "order again" found, worded once (then forgotten)."""
    kept = session.pop(CHANGES, None)
    if not isinstance(kept, dict) or kept.get("p") != g.partner.id:
        return [], 0
    changes = [Change.from_dict(data) for data in kept.get("c") or () if isinstance(data, dict)]
    return [change.message() for change in changes if change], int(kept.get("more") or 0)
