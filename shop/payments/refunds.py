"""Sending a due card refund, for views and commands: the one step of the money rules that
commits by itself, because it runs between two transactions.

The cancellation (or the late payment) is committed first with `refund_status='due'`; only then
is Stripe asked, with nothing uncommitted that a failure could lose; then the answer is committed.
"""

from __future__ import annotations

from flask import current_app

from shop.errors import ShopError
from shop.extensions import db
from shop.orders.models import Order
from shop.payments import services
from shop.web import commit_and_send


def settle_due_refund(order: Order) -> bool:
    """Ask Stripe for a due card refund and commit what it says (and send the shopper's mail).
    False when it is still due — Stripe failed, or another process settled it a moment ago —
    with nothing lost: `flask shop retry-refunds`, staff's retry button or Stripe's
    `charge.refunded` settle it later, with the same idempotency key."""
    try:
        sent = services.send_due_refund(order)
    except ShopError as exc:
        current_app.logger.info("Refund of %s not sent here: %s", order.number, exc)
        sent = False
    if not sent:
        db.session.rollback()
        return False
    commit_and_send()
    return True
