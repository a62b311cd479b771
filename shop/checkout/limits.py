"""What one visitor may order and hold.

An order holds stock, often for nothing paid yet, so a stranger could tie up every unit with
orders no one will take. These rules (settings in the README) bound that:

- orders placed from one connection (IP address) an hour, counted in the rate-limit storage
  (Redis when REDIS_URL is set), and only for orders actually placed (after their commit);
- orders placed with one phone number an hour, counted in the orders table;
- a largest quantity of one item for guests (logged-in shoppers keep the cart's own limit).

What a way to pay allows (a largest cash or card order, open cash orders per buyer) is the
method's own rule, in shop/payments/methods/.

Each refusal raises a ShopError whose message the checkout page shows; nothing is reserved and no
order is written.
"""

from __future__ import annotations

import math
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
from shop.orders.models import Order

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


def check_order(*, phone: str, now: datetime | None = None) -> None:
    """May this visitor place one more order? `phone` as check_details normalised it.

    Raises OrderLimitReached (too many orders this hour from this connection or phone number)."""
    now = now or clock.now()
    ip_limit = _ip_limit()
    if ip_limit is not None:
        strategy, item, ip = ip_limit
        if not strategy.test(item, _IP_SCOPE, ip):
            reset_at = strategy.get_window_stats(item, _IP_SCOPE, ip).reset_time
            raise OrderLimitReached(
                _l("Too many orders were placed from your connection in the last hour. Please try again later."),
                retry_after=reset_at - now.timestamp(),
            )

    per_phone = current_app.config.get("ORDER_LIMIT_PER_PHONE_PER_HOUR", 0)
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


def count_placed_order() -> None:
    """Count an order towards its connection's limit once it is committed (call it where the
    order is written: a refused or rolled-back order never counts)."""
    ip_limit = _ip_limit()
    if ip_limit is not None:
        strategy, item, ip = ip_limit
        after_commit(lambda: strategy.hit(item, _IP_SCOPE, ip))
