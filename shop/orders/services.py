"""Order rules: the one table of state moves, numbers people can read out, who may see an
order, expiry of unpaid orders and cancellation. Flushes only; views commit."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from shop.errors import ConflictError, NotFound
from shop.extensions import db
from shop.inventory.services import release_stock, ship_stock
from shop.mail.services import queue_mail
from shop.models_base import utcnow
from shop.orders.models import Order, OrderEvent

# Every legal move. Anything else raises IllegalTransition.
TRANSITIONS: dict[str, frozenset[str]] = {
    "pending_payment": frozenset({"confirmed", "cancelled"}),
    "confirmed": frozenset({"processing", "shipped", "cancelled", "refunded"}),
    "processing": frozenset({"shipped", "cancelled", "refunded"}),
    "shipped": frozenset({"delivered"}),
    "delivered": frozenset(),
    # A cancelled order that had been paid by bank transfer becomes refunded once the money is back.
    "cancelled": frozenset({"refunded"}),
    "refunded": frozenset(),
}
HOLDS_STOCK = frozenset({"pending_payment", "confirmed", "processing"})
CANCELLABLE = frozenset({"pending_payment", "confirmed", "processing"})

STATUS_LABELS = {
    "pending_payment": _l("Waiting for payment"),
    "confirmed": _l("Confirmed"),
    "processing": _l("Being prepared"),
    "shipped": _l("Shipped"),
    "delivered": _l("Delivered"),
    "cancelled": _l("Cancelled"),
    "refunded": _l("Refunded"),
}
PAYMENT_LABELS = {
    "cod": _l("Cash on delivery"),
    "vietqr": _l("Bank transfer (VietQR)"),
    "stripe": _l("Card (Stripe)"),
}
DELIVERY_LABELS = {
    "standard": _l("Standard delivery"),
    "same_day": _l("Same-day delivery in Hà Nội"),
    "pickup": _l("Pickup at the producer"),
}


class IllegalTransition(ConflictError):
    code = "illegal_transition"

    def __init__(self, order: Order, to: str):
        super().__init__(
            _l(
                "Order %(number)s cannot go from “%(current)s” to “%(target)s”.",
                number=order.number,
                current=STATUS_LABELS.get(order.status, order.status),
                target=STATUS_LABELS.get(to, to),
            )
        )
        self.current, self.target = order.status, to


def status_label(status: str):
    return STATUS_LABELS.get(status, status)


def format_number(order_id: int, placed: datetime) -> str:
    """OCOP-2611-0042: year and month placed, then the order's id (4 digits or more), short
    enough to read out on the phone and unique without a counter to keep."""
    return f"OCOP-{placed:%y%m}-{order_id:04d}"


def transition(order: Order, to: str, *, actor: int | None = None, note: str | None = None) -> None:
    """Move an order to `to` if the table allows it. The UPDATE is guarded by the state the order
    was read in, so two concurrent moves (a webhook and a click) cannot both happen."""
    if to not in TRANSITIONS.get(order.status, ()):
        raise IllegalTransition(order, to)
    moved = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status == order.status)
        .values(status=to)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise ConflictError(_l("This order was changed meanwhile. Please reload the page."))
    db.session.add(
        OrderEvent(order_id=order.id, from_status=order.status, to_status=to, actor_user_id=actor, note=note)
    )
    order.status = to
    db.session.flush()


def stock_items(order: Order) -> list[tuple[int, int]]:
    return [(line.variant_id, line.quantity) for line in order.lines if line.variant_id is not None]


def order_url(order: Order) -> str:
    """The order's page with its access key, as mailed to the shopper (works for guests)."""

    def build():
        return url_for("orders.show", number=order.number, key=access_key(order), _external=True)

    if has_request_context():
        return build()
    # From a command (expire-orders): no request to take the host from.
    with current_app.test_request_context(base_url=current_app.config["SHOP_BASE_URL"]):
        return build()


def send_order_mail(order: Order, template: str, **context) -> int:
    mail = queue_mail(
        to=order.email, template=template, locale=order.locale, order=order, order_url=order_url(order), **context
    )
    return mail.id


def expire_due_orders(now: datetime | None = None) -> list[int]:
    """Cancel unpaid orders past their time and give their stock back. Runs whenever stock is
    read for a sale (cart, checkout), so a forgotten cron job cannot hold stock for ever; `flask
    shop expire-orders` does the same on a schedule. Returns the ids of the orders expired."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Order)
        .where(Order.status == "pending_payment", Order.expires_at.is_not(None), Order.expires_at < now)
        .options(selectinload(Order.lines))
        .order_by(Order.id)
    ).all()
    expired = []
    for order in due:
        try:
            cancel(order, reason="expired", now=now)
        except ConflictError:
            continue  # another process expired or paid it a moment ago
        expired.append(order.id)
    return expired


def cancel(order: Order, *, reason: str, actor: int | None = None, now: datetime | None = None) -> None:
    """Cancel an order that has not shipped and give back the stock it held, once (the guarded
    state move makes a second cancel fail before any stock moves). Refunding a card payment is
    payments' job; it calls `mark_refunded` instead."""
    if order.status not in CANCELLABLE:
        raise IllegalTransition(order, "cancelled")
    transition(order, "cancelled", actor=actor, note=reason)
    release_stock(stock_items(order), order_id=order.id, note=reason)
    order.cancelled_at = now or utcnow()
    order.cancel_reason = reason
    send_order_mail(order, "order_cancelled")
    db.session.flush()


def mark_paid(order: Order, *, actor: int | None = None, note: str | None = None, now: datetime | None = None) -> bool:
    """Record the payment of an unpaid order, which confirms it. False if it was already paid
    (a repeated webhook, a return page after the webhook): nothing changes then."""
    if order.paid_at is not None and order.status != "pending_payment":
        return False
    transition(order, "confirmed", actor=actor, note=note or "paid")
    order.paid_at = now or utcnow()
    order.expires_at = None
    send_order_mail(order, "payment_received")
    db.session.flush()
    return True


def mark_refunded(
    order: Order, *, actor: int | None = None, note: str | None = None, now: datetime | None = None
) -> bool:
    """The money went back to the shopper. From a live order this also gives its stock back.
    False if it was already refunded."""
    if order.status == "refunded":
        return False
    held = order.status in HOLDS_STOCK
    transition(order, "refunded", actor=actor, note=note or "refunded")
    if held:
        release_stock(stock_items(order), order_id=order.id, note="refunded")
        order.cancelled_at = order.cancelled_at or now or utcnow()
        order.cancel_reason = order.cancel_reason or "refunded"
        send_order_mail(order, "order_cancelled")
    db.session.flush()
    return True


def advance(order: Order, to: str, *, actor: int | None = None, now: datetime | None = None) -> None:
    """Shop staff move a confirmed order on: being prepared, shipped (the stock leaves), delivered."""
    if to not in ("processing", "shipped", "delivered"):
        raise IllegalTransition(order, to)
    transition(order, to, actor=actor)
    now = now or utcnow()
    if to == "shipped":
        ship_stock(stock_items(order), order_id=order.id, actor=actor)
        order.shipped_at = now
        send_order_mail(order, "order_shipped")
    elif to == "delivered":
        order.delivered_at = now
        if order.payment_method == "cod" and order.paid_at is None:
            order.paid_at = now  # the courier collected the cash
    db.session.flush()


def can_cancel(order: Order) -> bool:
    return order.status in CANCELLABLE


def refund_due(order: Order) -> bool:
    """A cancelled bank-transfer order whose money must still be sent back by hand."""
    return order.status == "cancelled" and order.paid_at is not None and order.payment_method != "stripe"


# Who may see an order -------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="order-access")


def access_key(order: Order) -> str:
    """The key in the link mailed to the shopper: lets a guest open this order and no other."""
    return _serializer().dumps([order.id, order.checkout_token[:8]])


def _key_matches(order: Order, key: str | None) -> bool:
    if not key:
        return False
    try:
        order_id, token_start = _serializer().loads(key)
    except (BadSignature, ValueError, TypeError):
        return False
    return order_id == order.id and token_start == order.checkout_token[:8]


def order_for_viewer(
    number: str, *, user_id: int | None, session_numbers: list[str], key: str | None, is_admin: bool = False
) -> Order:
    """The order if this visitor may see it: its shopper, the browser session that placed it, a
    valid mailed key, or shop staff. Anyone else gets the same 404 as for an unknown number."""
    order = db.session.scalar(
        select(Order).where(Order.number == number).options(selectinload(Order.lines), selectinload(Order.events))
    )
    if order is None:
        raise NotFound(_l("We could not find that order."))
    allowed = (
        is_admin
        or (user_id is not None and order.user_id == user_id)
        or (order.user_id is None and number in session_numbers)
        or _key_matches(order, key)
    )
    if not allowed:
        raise NotFound(_l("We could not find that order."))
    return order


def orders_of(user_id: int, *, limit: int = 50) -> list[Order]:
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.user_id == user_id)
            .options(selectinload(Order.lines))
            .order_by(Order.id.desc())
            .limit(limit)
        )
    )


def order_by_number(number: str) -> Order:
    order = db.session.scalar(select(Order).where(Order.number == number).options(selectinload(Order.lines)))
    if order is None:
        raise NotFound(_l("We could not find that order."))
    return order


def recent_orders(*, status: str | None = None, limit: int = 100) -> list[Order]:
    query = select(Order).options(selectinload(Order.lines)).order_by(Order.id.desc()).limit(limit)
    if status:
        query = query.where(Order.status == status)
    return list(db.session.scalars(query))


def staff_moves(order: Order) -> list[str]:
    """The forward moves shop staff can make from the order's state, in order."""
    return [s for s in ("processing", "shipped", "delivered") if s in TRANSITIONS.get(order.status, ())]
