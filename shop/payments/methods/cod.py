"""Cash on delivery: the order is confirmed at once and the courier collects the money.

It holds stock for nothing paid, so it has limits (settings in the README): a largest order, and
a number of unpaid cash orders still open per phone number and per email, beyond which the
shopper pays another way."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from shop.extensions import db
from shop.money import format_vnd
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments.methods.base import PaymentMethod, Purchase


class CashOnDelivery(PaymentMethod):
    code = "cod"
    label = _l("Cash on delivery")
    confirmed_at_once = True

    @property
    def description(self) -> str:
        return str(_l("You pay the courier in cash when the order arrives."))

    def unavailable_reason(self, purchase: Purchase):
        cfg = current_app.config
        most = cfg.get("COD_MAX_ORDER_VND", 0)
        if purchase.total_vnd is not None and most and purchase.total_vnd > most:
            return _l("Cash on delivery is offered for orders up to %(max)s.", max=format_vnd(most))
        open_most = cfg.get("OPEN_COD_ORDERS_PER_CONTACT", 0)
        if open_most > 0 and (purchase.phone or purchase.email) and self._open_orders(purchase) >= open_most:
            return _l(
                "This phone number or email already has %(count)s cash-on-delivery orders waiting to be "
                "shipped. Please choose another way to pay, or order again once they have been sent.",
                count=open_most,
            )
        return None

    def _open_orders(self, purchase: Purchase) -> int:
        """The most unpaid cash orders still open for the buyer's phone number or for their email."""
        unpaid = select(func.count()).where(
            Order.payment_method == self.code, Order.status.in_(orders.HOLDS_STOCK), Order.paid_at.is_(None)
        )
        counts = [
            db.session.scalar(unpaid.where(column == value))
            for column, value in ((Order.phone, purchase.phone), (Order.email, purchase.email))
            if value
        ]
        return max(counts, default=0)

    def place(self, order: Order, *, now: datetime, actor: int | None) -> None:
        orders.transition(order, "confirmed", actor=actor, note="cash on delivery")
