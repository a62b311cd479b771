"""Sending the shopper to pay online, right after placing or from the order page's button: the
other step of the money rules, beside refunds.py, that commits by itself, because it runs between
two transactions — the provider is asked only once the order is committed, and what it answered
(its session) is committed then."""

from __future__ import annotations

from flask import flash, url_for

from shop.errors import ShopError
from shop.extensions import db
from shop.orders.models import Order
from shop.payments.registry import method_of


def payment_page(order: Order) -> str | None:
    """Where the shopper pays `order`: the provider's page, or None when the way it is paid has
    nothing to pay online. If the provider does not answer, the order page, with why: the order
    is kept, holding its items, and its page offers to try again. Never a second order or a
    second session for one attempt."""
    try:
        url = method_of(order).payment_url(order)
    except ShopError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return url_for("orders.show", number=order.number)
    if url is not None:
        db.session.commit()
    return url
