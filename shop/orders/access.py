"""Who is asking for an order, as the views of orders, checkout and payments all need it: the
orders this browser session placed, and the order a request may see or change. Not a view
module, so that those blueprints share it without importing each other's views."""

from __future__ import annotations

from flask import request, session
from flask_login import current_user

from shop.orders import services
from shop.orders.models import Order

SESSION_ORDERS = "orders"


def session_orders() -> list[str]:
    """Numbers of the orders placed in this browser session (how a guest sees their order)."""
    numbers = session.get(SESSION_ORDERS)
    return [n for n in numbers if isinstance(n, str)] if isinstance(numbers, list) else []


def remember_order(number: str) -> None:
    session[SESSION_ORDERS] = [*session_orders(), number][-20:]


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def viewable_order(number: str) -> Order:
    """The order if this request may see it (its shopper, this session, the mailed key in the
    link, staff). Raises OrderLinkExpired, NotFound."""
    return services.order_for_viewer(
        number,
        user_id=_user_id(),
        session_numbers=session_orders(),
        key=request.args.get("key"),
        is_admin=current_user.is_authenticated and current_user.is_admin,
    )


def own_order(number: str) -> Order:
    """For changes: the shopper's own order (by account or this browser session, not a mailed
    link alone — a forwarded email must not be able to cancel). Raises NotFound."""
    return services.order_for_viewer(number, user_id=_user_id(), session_numbers=session_orders(), key=None)


def is_own(order: Order) -> bool:
    """Whether the visitor placed this order (account or session), not merely holds its link."""
    user_id = _user_id()
    return (user_id is not None and order.user_id == user_id) or (
        order.user_id is None and order.number in session_orders()
    )
