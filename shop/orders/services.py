"""Order rules: the one table of state moves, numbers people can read out, who may see an
order (and the dated links mailed for that), expiry of unpaid orders and cancellation. Flushes
only; views commit.

Orders sit below payments: they never ask how an order is paid. What payments must act on (a
cancelled order whose money goes back) is announced by the `order_cancelled` signal."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from blinker import Namespace
from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from shop import clock
from shop.errors import ConflictError, NotFound, ShopError
from shop.extensions import db
from shop.inventory.services import release_stock, releases_overdue_holds
from shop.mail.services import queue_mail
from shop.models_base import utcnow
from shop.orders.models import Order, OrderEvent
from shop.urls import external_url

# Every legal move. Anything else raises IllegalTransition.
TRANSITIONS: dict[str, frozenset[str]] = {
    "pending_payment": frozenset({"confirmed", "cancelled"}),
    "confirmed": frozenset({"processing", "shipped", "cancelled", "refunded"}),
    "processing": frozenset({"shipped", "cancelled", "refunded"}),
    "shipped": frozenset({"delivered"}),
    "delivered": frozenset(),
    # A cancelled order that had been paid becomes refunded once the money is back.
    "cancelled": frozenset({"refunded"}),
    "refunded": frozenset(),
}
HOLDS_STOCK = frozenset({"pending_payment", "confirmed", "processing"})

_signals = Namespace()
# Sent inside the transaction that cancels an order, once its state and stock have moved and a
# paid order is left "refund due": the sender is the order. Payments subscribes (orders never
# imports it): a receiver that sends the money back itself after the commit returns True, and the
# cancellation mail then waits to go out with the refund it can announce.
order_cancelled = _signals.signal("order-cancelled")
# Sent inside the transaction of every state move, once the order is in its new state: the
# sender is the order, with `previous` (its state before) and `actor`. Fulfilment subscribes
# (orders never imports it): an order that becomes "confirmed" (paid, or cash on delivery) is
# ready for its producers; one that ends before shipping closes its shipments.
order_moved = _signals.signal("order-moved")
# Asked before an order gives back the stock it holds (a cancellation, a refund of a live
# order): each receiver returns the ids of lines whose stock the order no longer holds — a
# producer's part cancelled on its own (its stock already went back) or shipped (it left).
# Fulfilment answers; without an answer every line still holds its stock.
lines_settled = _signals.signal("lines-settled")

STATUS_LABELS = {
    "pending_payment": _l("Waiting for payment"),
    "confirmed": _l("Confirmed"),
    "processing": _l("Being prepared"),
    "shipped": _l("Shipped"),
    "delivered": _l("Delivered"),
    "cancelled": _l("Cancelled"),
    "refunded": _l("Refunded"),
}
DELIVERY_LABELS = {
    "standard": _l("Standard delivery"),
    "same_day": _l("Same-day delivery in Hà Nội"),
    "pickup": _l("Pickup at the producer"),
    "scheduled": _l("Scheduled delivery to a restaurant partner"),
}


def delivery_when(order) -> str | None:
    """A scheduled order's delivery date and window in the reader's language ("Thứ Ba, 1 tháng 12,
    2026, 06:00–08:00"); None for an order without a delivery date."""
    if order.delivery_date is None:
        return None
    day = format_date(order.delivery_date, "full")
    window = clock.format_window(order.window_start_minute, order.window_end_minute)
    return f"{day}, {window}" if window else day


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


ORDER_NUMBER = re.compile(r"OCOP-\d{4}-\d{4,10}")


def is_order_number(text: str) -> bool:
    """Whether `text` has the shape of an order number (anything else is not looked up)."""
    return bool(ORDER_NUMBER.fullmatch(text or ""))


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
    previous, order.status = order.status, to
    db.session.flush()
    order_moved.send(order, previous=previous, actor=actor)


def stock_items(order: Order) -> list[tuple[int, int]]:
    return [(line.variant_id, line.quantity) for line in order.lines if line.variant_id is not None]


def held_stock_items(order: Order) -> list[tuple[int, int]]:
    """The (variant, quantity) items the order still holds on the shelf: its lines but those
    whose stock went back or left with a shipment of their own (see `lines_settled`)."""
    settled: set[int] = set()
    for _, reply in lines_settled.send(order):
        settled.update(reply or ())
    return [
        (line.variant_id, line.quantity)
        for line in order.lines
        if line.variant_id is not None and line.id not in settled
    ]


def order_url(order: Order) -> str:
    """The order's page with a dated access key, as mailed to the shopper (works for guests for
    ORDER_LINK_DAYS). On SHOP_BASE_URL, whatever Host the request that sends the mail carried."""
    return external_url("orders.show", number=order.number, key=access_key(order))


def send_order_mail(order: Order, template: str, **context) -> int:
    mail = queue_mail(
        to=order.email, template=template, locale=order.locale, order=order, order_url=order_url(order), **context
    )
    return mail.id


@releases_overdue_holds
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


def cancel(order: Order, *, reason: str, actor: int | None = None, now: datetime | None = None) -> bool:
    """Cancel an order that has not shipped and give back the stock it held, once (the guarded
    state move makes a second cancel fail before any stock moves). A paid order is left with
    `refund_status='due'` in the same change, so money owed back is never forgotten: the way it
    was paid sends it back after the commit (a card refund) or staff do (a bank transfer).
    Returns True when the refund follows by itself after the commit (the shopper's mail goes with
    it), False when the cancellation mail is queued here. Raises IllegalTransition,
    ConflictError."""
    if not order.can_cancel:
        raise IllegalTransition(order, "cancelled")
    held = held_stock_items(order)  # asked before the move closes the order's shipments
    transition(order, "cancelled", actor=actor, note=reason)
    release_stock(held, order_id=order.id, note=reason)
    order.cancelled_at = now or utcnow()
    order.cancel_reason = reason
    if order.paid_at is not None:
        order.refund_status = "due"
    refund_follows = any(reply is True for _, reply in order_cancelled.send(order))
    if not refund_follows:
        send_order_mail(order, "order_cancelled")
    db.session.flush()
    return refund_follows


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
    order: Order,
    *,
    actor: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
    notify: bool | None = None,
) -> bool:
    """The money went back to the shopper: the order is refunded and no refund is due any more.
    From a live order this also gives its stock back. The shopper is mailed when the order was
    live, or when `notify` says so (a card refund whose cancellation mail waited for it). False
    if it was already refunded. Raises IllegalTransition, ConflictError."""
    if order.status == "refunded":
        return False
    held = order.status in HOLDS_STOCK
    items = held_stock_items(order) if held else []  # asked before the move closes its shipments
    transition(order, "refunded", actor=actor, note=note or "refunded")
    order.refund_status = "sent"
    if held:
        release_stock(items, order_id=order.id, note="refunded")
        order.cancelled_at = order.cancelled_at or now or utcnow()
        order.cancel_reason = order.cancel_reason or "refunded"
    if notify is None:
        notify = held
    if notify:
        send_order_mail(order, "order_cancelled")
    db.session.flush()
    return True


def advance(order: Order, to: str, *, actor: int | None = None, now: datetime | None = None) -> None:
    """The order's own step as its shipments go (shop/fulfilment calls it; staff's buttons go
    through the shipments too, `fulfilment.services.advance_order`): being prepared, shipped,
    delivered, with their dates. The stock leaves, and the shopper is told, per shipment.
    Raises IllegalTransition, ConflictError."""
    if to not in ("processing", "shipped", "delivered"):
        raise IllegalTransition(order, to)
    transition(order, to, actor=actor)
    now = now or utcnow()
    if to == "shipped":
        order.shipped_at = order.shipped_at or now
    elif to == "delivered":
        order.delivered_at = now
        if order.paid_at is None:
            # Only an order paid on delivery (cash to the courier, at a pickup) is confirmed
            # unpaid: every other one waits for its money. Handing it over collected it.
            order.paid_at = now
    db.session.flush()


def refunds_due() -> list[Order]:
    """Orders whose money must still go back to the shopper, oldest first."""
    return list(db.session.scalars(select(Order).where(Order.refund_status == "due").order_by(Order.id)))


# Who may see an order -------------------------------------------------------------------------


class OrderLinkExpired(ShopError):
    """A genuine order link, too old to open the order: the shopper can ask for a fresh one."""

    status = 410
    code = "order_link_expired"
    default_message = _l("This order link has expired.")


class _ClockSigner(TimestampSigner):
    # The link's date comes from the shop's clock, like every other date here.
    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="order-link", signer=_ClockSigner)


def link_max_age_seconds() -> int:
    return current_app.config["ORDER_LINK_DAYS"] * 24 * 3600


def access_key(order: Order) -> str:
    """The key in the link mailed to the shopper: lets a guest open this order and no other, for
    ORDER_LINK_DAYS from when it was made."""
    return _serializer().dumps([order.id, order.checkout_token[:8]])


def _key_names(order: Order, payload) -> bool:
    try:
        order_id, token_start = payload
    except (ValueError, TypeError):
        return False
    return order_id == order.id and token_start == order.checkout_token[:8]


def _key_state(order: Order, key: str | None) -> str:
    """What `key` does for this order: "valid", "expired" (this order's genuine key, too old) or
    "bad" (anything else)."""
    if not key:
        return "bad"
    serializer = _serializer()
    try:
        payload = serializer.loads(key, max_age=link_max_age_seconds())
    except SignatureExpired as exc:
        try:
            payload = serializer.load_payload(exc.payload)
        except BadData:
            return "bad"
        return "expired" if _key_names(order, payload) else "bad"
    except BadData:
        return "bad"
    return "valid" if _key_names(order, payload) else "bad"


def order_for_viewer(
    number: str, *, user_id: int | None, session_numbers: list[str], key: str | None, is_admin: bool = False
) -> Order:
    """The order if this visitor may see it: its shopper, the browser session that placed it, a
    valid mailed key, or shop staff. Raises OrderLinkExpired for this order's own key past its
    time, and for anyone else the same NotFound as for an unknown number."""
    order = (
        db.session.scalar(
            select(Order).where(Order.number == number).options(selectinload(Order.lines), selectinload(Order.events))
        )
        if is_order_number(number)
        else None
    )
    if order is None:
        raise NotFound(_l("We could not find that order."))
    if (
        is_admin
        or (user_id is not None and order.user_id == user_id)
        or (order.user_id is None and number in session_numbers)
    ):
        return order
    state = _key_state(order, key)
    if state == "valid":
        return order
    if state == "expired":
        raise OrderLinkExpired()
    raise NotFound(_l("We could not find that order."))


def _same_email(a: str, b: str) -> bool:
    def fold(text: str) -> str:
        return unicodedata.normalize("NFKC", text or "").strip().casefold()

    return bool(fold(a)) and fold(a) == fold(b)


def send_order_link(number: str, email: str) -> int | None:
    """Mail a fresh link to an order, to the order's own address, if `number` and `email` name
    the same order; otherwise do nothing. Returns the queued mail's id or None: callers must
    answer the same either way, so that the form tells no one which orders exist."""
    number = (number or "").strip().upper()
    order = db.session.scalar(select(Order).where(Order.number == number)) if number else None
    if order is None or not _same_email(order.email, email):
        return None
    mail = queue_mail(
        to=order.email,
        template="order_link",
        locale=order.locale,
        order=order,
        order_url=order_url(order),
        days=current_app.config["ORDER_LINK_DAYS"],
    )
    return mail.id


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
    if not is_order_number(number):
        raise NotFound(_l("We could not find that order."))
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
