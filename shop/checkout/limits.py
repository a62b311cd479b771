"""What one visitor may order and hold, and which ways to pay an amount allows.

Cash on delivery holds stock for nothing paid, so a stranger could tie up every unit with orders
no one will take. These rules (settings in the README) bound that:

- orders placed from one connection (IP address) an hour, counted in the rate-limit storage
  (Redis when REDIS_URL is set), and only for orders actually placed (after their commit);
- orders placed with one phone number an hour, counted in the orders table;
- unpaid cash-on-delivery orders still open (not shipped, delivered or cancelled) per phone number
  and per email: beyond it the shopper pays another way;
- a largest cash-on-delivery order, and Stripe's largest card payment;
- a largest quantity of one item for guests (logged-in shoppers keep the cart's own limit).

Each refusal raises a ShopError whose message the checkout page shows; the caller rolls back, so
nothing is reserved and no order is written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from limits import RateLimitItemPerHour
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import func, select

from shop import clock
from shop.errors import ShopError, ValidationError
from shop.extensions import db, limiter
from shop.mail.services import after_commit
from shop.money import format_vnd
from shop.orders.models import Order

# Stripe takes amounts of at most 8 digits in the currency's smallest unit; VND has none smaller.
STRIPE_MAX_AMOUNT_VND = 99_999_999
OPEN_STATUSES = ("pending_payment", "confirmed", "processing")
_IP_SCOPE = "checkout-orders-per-ip"


class OrderLimitReached(ShopError):
    """Too many orders from one connection or phone number: try again later."""

    status = 429
    code = "order_limit"

    def __init__(self, message=None, *, retry_after: float = 3600, field: str | None = None):
        super().__init__(message, field=field)
        self.retry_after = max(1, math.ceil(retry_after))

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


# Ways to pay ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentOption:
    method: str
    available: bool
    reason: object | None = None  # why not, when not available (lazy string)


def cod_max_vnd() -> int:
    return current_app.config.get("COD_MAX_ORDER_VND", 0)


def card_max_vnd() -> int:
    # A lower setting caps card orders; a higher one cannot pass Stripe's own limit.
    return min(current_app.config.get("STRIPE_MAX_AMOUNT_VND") or STRIPE_MAX_AMOUNT_VND, STRIPE_MAX_AMOUNT_VND)


def payment_options(methods: list[str], total_vnd: int | None) -> list[PaymentOption]:
    """Each of `methods`, whether an order of `total_vnd` may use it and, if not, why. With no
    total (not known yet) every method is available."""
    options = []
    for method in methods:
        reason = None
        if total_vnd is not None and method == "cod" and cod_max_vnd() and total_vnd > cod_max_vnd():
            reason = _l("Cash on delivery is offered for orders up to %(max)s.", max=format_vnd(cod_max_vnd()))
        elif total_vnd is not None and method == "stripe" and total_vnd > card_max_vnd():
            reason = _l(
                "Card payment is offered for orders up to %(max)s, the most Stripe accepts.",
                max=format_vnd(card_max_vnd()),
            )
        options.append(PaymentOption(method, reason is None, reason))
    return options


def check_payment(method: str, options: list[PaymentOption]) -> None:
    """Raises ValidationError (on the payment field) when `method` is not available."""
    chosen = next((o for o in options if o.method == method), None)
    if chosen is not None and not chosen.available:
        raise ValidationError(chosen.reason, field="payment_method")


# The cart -----------------------------------------------------------------------------------------


def check_guest_quantities(lines, *, guest: bool, locale: str) -> None:
    """Guests may order at most GUEST_MAX_LINE_QUANTITY of one item. Raises ValidationError."""
    most = current_app.config.get("GUEST_MAX_LINE_QUANTITY", 0)
    if not guest or not most:
        return
    for line in lines:
        if line.quantity > most:
            raise ValidationError(
                _l(
                    "Without an account you can order at most %(max)s of one item. Please lower the "
                    "quantity of %(product)s, or log in.",
                    max=most,
                    product=line.product.name(locale),
                )
            )


# Placing an order ---------------------------------------------------------------------------------


def _ip_limit() -> tuple[MovingWindowRateLimiter, RateLimitItemPerHour, str] | None:
    most = current_app.config.get("ORDER_LIMIT_PER_IP_PER_HOUR", 0)
    if most <= 0 or not has_request_context() or not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    ip = get_remote_address() or "unknown"
    return MovingWindowRateLimiter(limiter.storage), RateLimitItemPerHour(most), ip


def check_order(*, phone: str, email: str, payment_method: str, now: datetime | None = None) -> None:
    """May this visitor place one more order? `phone` and `email` as check_details normalised
    them. Counts the order towards the per-connection limit once it is committed.

    Raises OrderLimitReached (too many orders this hour from this connection or phone number) or
    ValidationError on the payment field (too many open cash-on-delivery orders)."""
    now = now or clock.now()
    cfg = current_app.config
    ip_limit = _ip_limit()
    if ip_limit is not None:
        strategy, item, ip = ip_limit
        if not strategy.test(item, _IP_SCOPE, ip):
            reset_at = strategy.get_window_stats(item, _IP_SCOPE, ip).reset_time
            raise OrderLimitReached(
                _l("Too many orders were placed from your connection in the last hour. Please try again later."),
                retry_after=reset_at - now.timestamp(),
            )

    per_phone = cfg.get("ORDER_LIMIT_PER_PHONE_PER_HOUR", 0)
    if per_phone > 0:
        since = now - timedelta(hours=1)
        recent = db.session.execute(
            select(func.count(), func.min(Order.created_at)).where(Order.phone == phone, Order.created_at >= since)
        ).one()
        if recent[0] >= per_phone:
            raise OrderLimitReached(
                _l("Too many orders from this phone number. Please try again later."),
                retry_after=(clock.aware(recent[1]) + timedelta(hours=1) - now).total_seconds(),
            )

    open_cod = cfg.get("OPEN_COD_ORDERS_PER_CONTACT", 0)
    if payment_method == "cod" and open_cod > 0:
        unpaid_cod = select(func.count()).where(
            Order.payment_method == "cod", Order.status.in_(OPEN_STATUSES), Order.paid_at.is_(None)
        )
        if (
            db.session.scalar(unpaid_cod.where(Order.phone == phone)) >= open_cod
            or db.session.scalar(unpaid_cod.where(Order.email == email)) >= open_cod
        ):
            raise ValidationError(
                _l(
                    "This phone number or email already has %(count)s cash-on-delivery orders waiting to be "
                    "shipped. Please choose another way to pay, or order again once they have been sent.",
                    count=open_cod,
                ),
                field="payment_method",
            )

    if ip_limit is not None:
        strategy, item, ip = ip_limit
        # Only an order that is really placed counts: the hit waits for the commit.
        after_commit(lambda: strategy.hit(item, _IP_SCOPE, ip))
