"""Card payment on Stripe's hosted page: the order holds its stock until a deadline while the
shopper pays there; Stripe's webhook (or the shopper's return) confirms it, and a cancelled paid
order is refunded through Stripe after the commit.

Offered when STRIPE_SECRET_KEY is set, for orders up to STRIPE_MAX_AMOUNT_VND (never above what
Stripe accepts). The calls to Stripe are in shop/payments/stripe_checkout.py."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from shop.money import format_vnd
from shop.orders.models import Order
from shop.payments import stripe_checkout
from shop.payments.methods.base import PaymentMethod, Purchase
from shop.urls import external_url


def card_max_vnd() -> int:
    # A lower setting caps card orders; a higher one cannot pass Stripe's own limit.
    configured = current_app.config.get("STRIPE_MAX_AMOUNT_VND") or stripe_checkout.MAX_AMOUNT_VND
    return min(configured, stripe_checkout.MAX_AMOUNT_VND)


class StripeCard(PaymentMethod):
    code = "stripe"
    label = _l("Card (Stripe)")
    refunds_itself = True
    pays_online = True

    @property
    def description(self) -> str:
        return str(_l("Next you pay by card on Stripe's secure page."))

    def is_configured(self, config) -> bool:
        return bool(config.get("STRIPE_SECRET_KEY"))

    def unavailable_reason(self, purchase: Purchase):
        if purchase.total_vnd is not None and purchase.total_vnd > card_max_vnd():
            return _l(
                "Card payment is offered for orders up to %(max)s, the most Stripe accepts.",
                max=format_vnd(card_max_vnd()),
            )
        return None

    def hold_minutes(self, config) -> int:
        return config["ORDER_EXPIRY_MINUTES_STRIPE"]

    def payment_url(self, order: Order) -> str:
        # Stripe's addresses back to the shop are on SHOP_BASE_URL, whatever Host this request
        # carried; Stripe fills in {CHECKOUT_SESSION_ID}, so it must reach Stripe unescaped.
        back = external_url("payments.stripe_return", number=order.number)
        return stripe_checkout.start_checkout(
            order,
            success_url=back + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=external_url("orders.show", number=order.number),
        )

    def send_refund(self, order: Order) -> bool:
        return stripe_checkout.send_refund(order)

    def send_partial_refund(self, order: Order, *, amount_vnd: int, key: str) -> bool:
        return stripe_checkout.send_partial_refund(order, amount_vnd=amount_vnd, idempotency_key=key)
