"""Sending a due refund through the order's provider, for views, commands and the work after a
cancellation's commit: the one step of the money rules that commits by itself, because it runs
between two transactions.

The cancellation (or the late payment) is committed first with `refund_status='due'`; only then
is the provider asked, with nothing uncommitted that a failure could lose; then the answer is
committed.
"""

from __future__ import annotations

from flask import current_app

from shop.errors import ShopError
from shop.extensions import db
from shop.orders.models import Order
from shop.payments.registry import method_of


def settle_due_refund(order: Order | None) -> bool:
    """Ask the provider for a due refund and commit what it says (and send the shopper's mail).
    False when it is still due — the provider failed, or another process settled it a moment ago
    — with nothing lost: `flask shop retry-refunds`, staff's retry button or the provider's own
    notice (Stripe's `charge.refunded`) settle it later, with the same idempotency key."""
    if order is None:
        return False
    try:
        sent = method_of(order).send_refund(order)
    except ShopError as exc:
        current_app.logger.info("Refund of %s not sent here: %s", order.number, exc)
        sent = False
    if not sent:
        db.session.rollback()
        return False
    db.session.commit()
    return True
