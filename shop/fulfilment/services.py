"""Shipments: an order split per producer, each producer packing and shipping its own lines, and
the order's state following them. Flushes only; views commit.

Rules, in one place:

- Placing an order makes one shipment per producer of its lines (`create_shipments`).
- A producer sees a shipment once the order is confirmed (paid, or cash on delivery), never
  while it waits for its money: the order's move to "confirmed" (`orders.order_moved`) releases
  its shipments to their producers, who are mailed once (`Shipment.notified_at`).
- A shipment moves open → packed → shipped (carrier, and a tracking number but for own delivery)
  → delivered, each move a guarded UPDATE by the state it was read in, so two clicks cannot both
  move it. The stock of its lines leaves the shelf when it ships (the ledger says which order).
- The order follows its shipments: being prepared once one is packed or has left, shipped when
  every one not cancelled has left, delivered when every one not cancelled is delivered. The
  shopper is mailed when a shipment leaves and when it arrives.
- Staff's order buttons move every shipment still behind (`advance_order`): one rule.
- A producer may cancel its shipment before it leaves: its stock goes back through the ledger,
  the shopper is told, and for a paid order a refund of its lines is due (`shipment_cancelled`
  lets payments send it). The order's last shipment cancels the whole order (orders.cancel).

Orders never import this module: it hears them through `order_moved` and answers
`lines_settled`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import joinedload

from shop import clock
from shop.accounts.models import ProducerMember, User
from shop.errors import ConflictError, NotFound, ValidationError
from shop.extensions import db
from shop.fulfilment.models import CARRIERS, SHIPMENT_STATUSES, Shipment
from shop.inventory.services import release_stock, ship_stock
from shop.mail.content import LineForMail
from shop.mail.services import queue_mail
from shop.models_base import utcnow
from shop.orders import services as orders
from shop.orders.models import Order
from shop.producers.onboarding import commission_of
from shop.urls import external_url

STATUS_LABELS = {
    "open": _l("To pack"),
    "packed": _l("Packed"),
    "shipped": _l("Shipped"),
    "delivered": _l("Delivered"),
    "cancelled": _l("Cancelled"),
}
CARRIER_LABELS = {
    "ghn": _l("GHN (Giao Hàng Nhanh)"),
    "ghtk": _l("GHTK (Giao Hàng Tiết Kiệm)"),
    "viettel_post": _l("Viettel Post"),
    "vnpost": _l("VNPost"),
    "ahamove": _l("Ahamove"),
    "own": _l("Own delivery"),
}
assert set(CARRIER_LABELS) == set(CARRIERS) and set(STATUS_LABELS) == set(SHIPMENT_STATUSES)

# Every legal move of a shipment (cancelled: by its producer before it leaves, or with the order).
MOVES: dict[str, frozenset[str]] = {
    "open": frozenset({"packed", "cancelled"}),
    "packed": frozenset({"shipped", "cancelled"}),
    "shipped": frozenset({"delivered"}),
    "delivered": frozenset(),
    "cancelled": frozenset(),
}
# Waiting for its producer: to pack, or packed and not yet handed to a carrier.
WAITING = ("open", "packed")
# Gone from the producer: its stock left the shelf.
LEFT = ("shipped", "delivered")
# The producer still has the parcel to hand over or on its way: the shopper's contact and
# address are shown for these only.
TO_SHIP = ("open", "packed", "shipped")
ORDER_STEPS = ("confirmed", "processing", "shipped", "delivered")
TRACKING_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/-]{2,59}")
MAX_REASON = 300
PAGE_SIZE = 20

_signals = Namespace()
# Sent inside the transaction in which a producer cancelled its part of an order that goes on
# (the order's other shipments stay): the sender is the shipment, its `refund_vnd` due when the
# order was paid. Payments subscribes (it sits above): a receiver that sends that money back
# itself after the commit returns True; otherwise the refund waits for staff.
shipment_cancelled = _signals.signal("shipment-cancelled")
# Sent inside the transaction once a shipment is released to its producer (its order confirmed):
# the sender is the shipment. Webhooks subscribe (integrations sits above).
shipment_released = _signals.signal("shipment-released")
# Sent inside the transaction of every move of a shipment, once it is in its new state: the
# sender is the shipment, with `previous` (its state before).
shipment_moved = _signals.signal("shipment-moved")


class IllegalMove(ConflictError):
    code = "illegal_shipment_move"

    def __init__(self, shipment: Shipment, to: str):
        super().__init__(
            _l(
                "This shipment cannot go from “%(current)s” to “%(target)s”.",
                current=STATUS_LABELS.get(shipment.status, shipment.status),
                target=STATUS_LABELS.get(to, to),
            )
        )
        self.current, self.target = shipment.status, to


def status_label(status: str):
    return STATUS_LABELS.get(status, status)


def carrier_label(carrier: str | None):
    return CARRIER_LABELS.get(carrier, carrier) if carrier else ""


# Making the shipments ------------------------------------------------------------------------


def create_shipments(order: Order) -> list[Shipment]:
    """One open shipment per producer of the order's lines, with the value of that producer's
    lines, for producers that have none yet (so it can be called again). Flushes."""
    subtotals: dict[int, int] = {}
    for line in order.lines:
        subtotals[line.producer_id] = subtotals.get(line.producer_id, 0) + line.line_total_vnd
    have = set(db.session.scalars(select(Shipment.producer_id).where(Shipment.order_id == order.id)))
    made = [
        Shipment(
            order_id=order.id,
            producer_id=producer_id,
            status="open",
            subtotal_vnd=subtotal,
            refund_vnd=0,
            created_at=order.created_at,
        )
        for producer_id, subtotal in sorted(subtotals.items())
        if producer_id not in have
    ]
    db.session.add_all(made)
    db.session.flush()
    return made


def shipments_of(order: Order) -> list[Shipment]:
    """The order's shipments, by producer name."""
    return list(
        db.session.scalars(
            select(Shipment)
            .where(Shipment.order_id == order.id)
            .options(joinedload(Shipment.producer))
            .order_by(Shipment.id)
        )
    )


def amount_to_collect(order: Order) -> int:
    """What the shopper still pays for the order: its total less the lines of shipments their
    producers cancelled (a cash order's courier collects this; the shipping fee stays)."""
    cancelled = db.session.scalar(
        select(func.coalesce(func.sum(Shipment.subtotal_vnd), 0)).where(
            Shipment.order_id == order.id, Shipment.status == "cancelled"
        )
    )
    return order.total_vnd - int(cancelled) if order.status not in ("cancelled", "refunded") else order.total_vnd


def amount_to_refund(order: Order) -> int:
    """What goes back to the shopper when the whole order's money does: its total less the parts
    already sent back for shipments their producers cancelled (so nothing is refunded twice)."""
    sent = db.session.scalar(
        select(func.coalesce(func.sum(Shipment.refund_vnd), 0)).where(
            Shipment.order_id == order.id, Shipment.refund_status == "sent"
        )
    )
    return order.total_vnd - int(sent)


def _items(shipment: Shipment) -> list[tuple[int, int]]:
    return [(line.variant_id, line.quantity) for line in shipment.lines if line.variant_id is not None]


# What orders ask and tell ----------------------------------------------------------------------


@orders.lines_settled.connect
def _settled_lines(order: Order) -> list[int]:
    """Lines whose stock the order no longer holds: those of shipments cancelled on their own
    (their stock went back then) or gone (it left the shelf)."""
    producers = set(
        db.session.scalars(
            select(Shipment.producer_id).where(Shipment.order_id == order.id, Shipment.status.in_(("cancelled", *LEFT)))
        )
    )
    return [line.id for line in order.lines if line.producer_id in producers]


@orders.order_moved.connect
def _follow_order(order: Order, *, previous: str, actor: int | None = None) -> None:
    if order.status == "confirmed":
        release_to_producers(order)
    elif order.status in ("cancelled", "refunded") and previous in orders.HOLDS_STOCK:
        _close_with_order(order)


def release_to_producers(order: Order, *, now: datetime | None = None) -> list[Shipment]:
    """The confirmed order's shipments become the producers' to prepare: each producer's owners
    and staff are mailed, once per shipment (notified_at). Returns the shipments released now."""
    now = now or utcnow()
    create_shipments(order)  # an order made before shipments existed, to be safe
    released = []
    for shipment in shipments_of(order):
        if shipment.notified_at is not None or shipment.status != "open":
            continue
        moved = db.session.execute(
            update(Shipment)
            .where(Shipment.id == shipment.id, Shipment.notified_at.is_(None))
            .values(notified_at=now)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            continue  # released a moment ago by another process: its mail went then
        shipment.notified_at = now
        _mail_producer(shipment, "shipment_ready")
        shipment_released.send(shipment)
        released.append(shipment)
    db.session.flush()
    return released


def _close_with_order(order: Order) -> None:
    """The order ended before shipping (cancelled, expired, refunded): its shipments still
    waiting close with it. Their stock goes back with the order's (orders moves it); a producer
    who had it to prepare is told."""
    now = utcnow()
    for shipment in shipments_of(order):
        if shipment.status not in WAITING:
            continue
        _guarded(shipment, "cancelled", cancelled_at=now)
        if shipment.notified_at is not None:
            _mail_producer(shipment, "shipment_withdrawn")
    db.session.flush()


def _members(producer_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(ProducerMember, ProducerMember.user_id == User.id)
            .where(ProducerMember.producer_id == producer_id)
            .order_by(User.id)
        )
    )


def _mail_lines(shipment: Shipment) -> tuple[LineForMail, ...]:
    return tuple(
        LineForMail(
            quantity=line.quantity,
            line_total_vnd=line.line_total_vnd,
            product_name_vi=line.product_name_vi,
            product_name_en=line.product_name_en,
            variant_name_vi=line.variant_name_vi,
            variant_name_en=line.variant_name_en,
        )
        for line in shipment.lines
    )


def _mail_producer(shipment: Shipment, template: str) -> None:
    """Tell every owner and staff member of the shipment's producer (in their language). What
    the mail says is the shop's own: the order number, the lines, a link to the portal."""
    members = _members(shipment.producer_id)
    if not members:
        return
    url = external_url("producers.shipments_show", shipment_id=shipment.id)
    lines = _mail_lines(shipment)
    for user in members:
        if getattr(user, "is_active", True) is False:
            continue
        queue_mail(
            to=user.email,
            template=template,
            locale=user.locale or "vi",
            number=shipment.order.number,
            producer_name=shipment.producer.name,
            lines=lines,
            subtotal_vnd=shipment.subtotal_vnd,
            shipment_url=url,
        )


def _mail_shopper(order: Order, template: str, **context) -> None:
    orders.send_order_mail(order, template, **context)


# Moves -----------------------------------------------------------------------------------------


def _guarded(shipment: Shipment, to: str, **values) -> None:
    """Move the shipment if the table allows it, by an UPDATE guarded by the state it was read
    in: of two clicks (or a producer and staff) only the first moves it."""
    if to not in MOVES.get(shipment.status, ()):
        raise IllegalMove(shipment, to)
    moved = db.session.execute(
        update(Shipment)
        .where(Shipment.id == shipment.id, Shipment.status == shipment.status)
        .values(status=to, **values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise ConflictError(_l("This shipment was changed meanwhile. Please reload the page."))
    previous, shipment.status = shipment.status, to
    for key, value in values.items():
        setattr(shipment, key, value)
    db.session.flush()
    shipment_moved.send(shipment, previous=previous)


def _check_released(shipment: Shipment) -> None:
    if shipment.notified_at is None or shipment.order.status not in ORDER_STEPS:
        raise ConflictError(_l("This order is not confirmed: its shipments wait until it is."))


def _check_tracking(carrier: str | None, tracking_number: str | None) -> tuple[str, str | None]:
    carrier = (carrier or "").strip()
    if carrier not in CARRIERS:
        raise ValidationError(_l("Choose the carrier."), field="carrier")
    tracking = " ".join((tracking_number or "").split()) or None
    if tracking is None:
        if carrier != "own":
            raise ValidationError(_l("Enter the carrier's tracking number."), field="tracking_number")
        return carrier, None
    if not TRACKING_NUMBER.fullmatch(tracking):
        raise ValidationError(
            _l("A tracking number has 3 to 60 letters, digits, spaces, dots, dashes or slashes."),
            field="tracking_number",
        )
    return carrier, tracking


def pack(shipment: Shipment, *, actor: int | None = None, now: datetime | None = None) -> None:
    """The producer packed the shipment. Raises IllegalMove, ConflictError."""
    _check_released(shipment)
    _guarded(shipment, "packed", packed_at=now or utcnow())
    follow_shipments(shipment.order, actor=actor, now=now)


def ship(
    shipment: Shipment,
    *,
    carrier: str | None,
    tracking_number: str | None,
    actor: int | None = None,
    now: datetime | None = None,
) -> None:
    """The shipment left with `carrier` (a tracking number is needed but for own delivery): its
    lines' stock leaves the shelf, the order follows, the shopper is told how to track it.
    Raises ValidationError, IllegalMove, ConflictError."""
    _check_released(shipment)
    carrier, tracking = _check_tracking(carrier, tracking_number)
    now = now or utcnow()
    _ship(shipment, carrier=carrier, tracking=tracking, actor=actor, now=now)
    steps = follow_shipments(shipment.order, actor=actor, now=now)
    _mail_shopper(shipment.order, "shipment_shipped", shipment=_for_mail(shipment), all_shipped="shipped" in steps)


def _ship(shipment: Shipment, *, carrier: str | None, tracking: str | None, actor: int | None, now: datetime):
    _guarded(
        shipment,
        "shipped",
        carrier=carrier,
        tracking_number=tracking,
        shipped_at=now,
        packed_at=shipment.packed_at or now,
    )
    ship_stock(_items(shipment), order_id=shipment.order_id, actor=actor)
    order = shipment.order
    # The first parcel out: from now on the order can no longer be cancelled as a whole.
    order.shipped_at = order.shipped_at or now


def deliver(shipment: Shipment, *, actor: int | None = None, now: datetime | None = None) -> None:
    """The shipment reached the shopper. The producer's commission rate in force now is kept
    with it for the statements. Raises IllegalMove, ConflictError."""
    now = now or utcnow()
    _deliver(shipment, now=now)
    steps = follow_shipments(shipment.order, actor=actor, now=now)
    _mail_shopper(
        shipment.order, "shipment_delivered", shipment=_for_mail(shipment), all_delivered="delivered" in steps
    )


def _deliver(shipment: Shipment, *, now: datetime) -> None:
    # The one rule for the rate (the producer's own, else the shop's default) lives with producers.
    _guarded(shipment, "delivered", delivered_at=now, commission_bp=commission_of(shipment.producer))


def cancel_shipment(shipment: Shipment, *, reason: str, actor: int | None = None, now: datetime | None = None) -> bool:
    """The producer cannot send its lines: the shipment is cancelled before it leaves, their
    stock goes back through the ledger and the shopper is told. For a paid order the value of
    its lines is a refund due on the shipment (payments sends it, or staff do). The order's last
    shipment cancels the whole order through orders.cancel (its refund, its mail). Returns True
    when the refund follows by itself after the commit. Raises ValidationError, IllegalMove,
    ConflictError."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_l("Say why you cancel this shipment."), field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError(_l("Keep the reason under %(max)s characters.", max=MAX_REASON), field="reason")
    _check_released(shipment)
    if shipment.status not in WAITING:
        raise IllegalMove(shipment, "cancelled")
    now = now or utcnow()
    order = shipment.order
    others = [s for s in shipments_of(order) if s.id != shipment.id and s.status != "cancelled"]
    _guarded(shipment, "cancelled", cancelled_at=now, cancel_reason=reason)
    release_stock(_items(shipment), order_id=order.id, note="shipment cancelled")
    if not others:
        # The order's last shipment: the whole order ends (its refund, its mail). Refunds still
        # due on shipments cancelled before are part of the order's refund now (a provider
        # refunds what is left of the payment).
        for other in shipments_of(order):
            if other.id != shipment.id and other.refund_status == "due":
                other.refund_status, other.refund_vnd = None, 0
        return orders.cancel(order, reason="producer", actor=actor, now=now)
    if order.paid_at is not None and shipment.subtotal_vnd > 0:
        shipment.refund_vnd = shipment.subtotal_vnd
        shipment.refund_status = "due"
    db.session.flush()
    refund_follows = any(reply is True for _, reply in shipment_cancelled.send(shipment))
    _mail_shopper(order, "shipment_cancelled", shipment=_for_mail(shipment), refund_follows=refund_follows)
    follow_shipments(order, actor=actor, now=now)
    return refund_follows


def mark_refund_sent(shipment: Shipment) -> bool:
    """The refund due on a cancelled shipment went back (staff sent a transfer, or the provider
    refunded it). False if it was not due any more (sent a moment ago)."""
    moved = db.session.execute(
        update(Shipment)
        .where(Shipment.id == shipment.id, Shipment.refund_status == "due")
        .values(refund_status="sent")
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return False
    shipment.refund_status = "sent"
    db.session.flush()
    return True


def shipment_refunds_due() -> list[Shipment]:
    """Cancelled shipments whose money must still go back to the shopper, oldest first."""
    return list(
        db.session.scalars(
            select(Shipment)
            .where(Shipment.refund_status == "due")
            .options(joinedload(Shipment.order), joinedload(Shipment.producer))
            .order_by(Shipment.id)
        )
    )


# The order follows -----------------------------------------------------------------------------


def order_target(shipments: list[Shipment]) -> str | None:
    """The state the order's shipments put it in, or None when they ask for nothing (all waiting
    to be packed, or all cancelled)."""
    active = [s.status for s in shipments if s.status != "cancelled"]
    if not active:
        return None
    if all(status == "delivered" for status in active):
        return "delivered"
    if all(status in LEFT for status in active):
        return "shipped"
    if any(status != "open" for status in active):
        return "processing"
    return None


def follow_shipments(order: Order, *, actor: int | None = None, now: datetime | None = None) -> list[str]:
    """Move the order on to where its shipments are (through orders' one table of moves, a step
    at a time). Returns the states it went to."""
    target = order_target(shipments_of(order))
    steps: list[str] = []
    if target is None or order.status not in ORDER_STEPS:
        return steps
    while ORDER_STEPS.index(order.status) < ORDER_STEPS.index(target):
        # processing may be skipped (confirmed → shipped); shipped never is.
        after = ORDER_STEPS[ORDER_STEPS.index(order.status) + 1]
        step = target if after == "processing" and target != "processing" else after
        orders.advance(order, step, actor=actor, now=now)
        steps.append(step)
    return steps


def advance_order(order: Order, to: str, *, actor: int | None = None, now: datetime | None = None) -> None:
    """Staff move an order on as a whole: every shipment still behind moves with it (packed;
    shipped, its stock leaving; delivered), then the order follows. The shopper gets one mail.
    Raises IllegalTransition, ConflictError."""
    if to not in orders.staff_moves(order):
        raise orders.IllegalTransition(order, to)
    now = now or utcnow()
    create_shipments(order)
    for shipment in shipments_of(order):
        if shipment.status == "open":
            _guarded(shipment, "packed", packed_at=now)
        if shipment.status == "packed" and to in ("shipped", "delivered"):
            _ship(shipment, carrier=None, tracking=None, actor=actor, now=now)
        if shipment.status == "shipped" and to == "delivered":
            _deliver(shipment, now=now)
    follow_shipments(order, actor=actor, now=now)
    if order.status in ORDER_STEPS and ORDER_STEPS.index(order.status) < ORDER_STEPS.index(to):
        orders.advance(order, to, actor=actor, now=now)  # no shipment asked for it (none left)
    if to == "shipped":
        _mail_shopper(order, "order_shipped")
    elif to == "delivered":
        _mail_shopper(order, "shipment_delivered", shipment=None, all_delivered=True)


# What the producer sees ------------------------------------------------------------------------


@dataclass(frozen=True)
class ShipmentForMail:
    """The part of a shipment the shopper's mail shows: who sends it, how, what is in it."""

    producer_name: str
    carrier: str | None
    carrier_label: str
    tracking_number: str | None
    lines: tuple[LineForMail, ...]
    subtotal_vnd: int
    refund_vnd: int


def _for_mail(shipment: Shipment) -> ShipmentForMail:
    return ShipmentForMail(
        producer_name=shipment.producer.name,
        carrier=shipment.carrier,
        carrier_label=str(carrier_label(shipment.carrier)),
        tracking_number=shipment.tracking_number,
        lines=_mail_lines(shipment),
        subtotal_vnd=shipment.subtotal_vnd,
        refund_vnd=shipment.refund_vnd,
    )


def _visible(producer_id: int):
    # Released to the producer (its order confirmed); never while the order waits for its money.
    return select(Shipment).where(Shipment.producer_id == producer_id, Shipment.notified_at.is_not(None))


def shipment_for_producer(shipment_id: int, producer_id: int) -> Shipment:
    """The producer's shipment, once released to it. Raises NotFound for any other (another
    producer's, or one whose order still waits for its payment), the same either way."""
    shipment = db.session.scalar(
        _visible(producer_id)
        .where(Shipment.id == shipment_id)
        .options(joinedload(Shipment.order).selectinload(Order.lines), joinedload(Shipment.producer))
    )
    if shipment is None:
        raise NotFound(_l("We could not find that shipment."))
    return shipment


@dataclass(frozen=True)
class ShipmentFilter:
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class ShipmentPage:
    shipments: list[Shipment]
    page: int
    pages: int
    total: int


def _vn_midnight(day: date) -> datetime:
    # In UTC: SQLite compares the stored UTC text and would drop the offset of a Vietnam time.
    return datetime.combine(day, time(), tzinfo=clock.VN).astimezone(UTC)


def _filtered(producer_id: int, f: ShipmentFilter):
    query = _visible(producer_id)
    if f.status:
        query = query.where(Shipment.status == f.status)
    if f.date_from:
        query = query.where(Shipment.created_at >= _vn_midnight(f.date_from))
    if f.date_to:
        query = query.where(Shipment.created_at < _vn_midnight(f.date_to + timedelta(days=1)))
    return query


def shipments_page(producer_id: int, f: ShipmentFilter, *, page: int = 1, per_page: int = PAGE_SIZE) -> ShipmentPage:
    """The producer's shipments, newest first, filtered by state and by the day (in Vietnam)
    their order was placed."""
    query = _filtered(producer_id, f)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = db.session.scalars(
        query.options(joinedload(Shipment.order).selectinload(Order.lines))
        .order_by(Shipment.created_at.desc(), Shipment.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return ShipmentPage(list(rows), page, pages, total)


def shipments_after(
    producer_id: int, f: ShipmentFilter, *, after: tuple[datetime, int] | None = None, limit: int = PAGE_SIZE
) -> list[Shipment]:
    """The producer's shipments as `shipments_page` filters them, newest first, at most `limit`
    of those after `after` (the created_at and id of the last one given: keyset paging)."""
    query = _filtered(producer_id, f)
    if after is not None:
        created_at, shipment_id = after
        query = query.where(
            or_(Shipment.created_at < created_at, and_(Shipment.created_at == created_at, Shipment.id < shipment_id))
        )
    return list(
        db.session.scalars(
            query.options(joinedload(Shipment.order).selectinload(Order.lines), joinedload(Shipment.producer))
            .order_by(Shipment.created_at.desc(), Shipment.id.desc())
            .limit(limit)
        )
    )


def waiting_counts(producer_id: int) -> dict[str, int]:
    """How many of the producer's shipments are to pack and packed."""
    rows = db.session.execute(
        select(Shipment.status, func.count())
        .where(
            Shipment.producer_id == producer_id,
            Shipment.notified_at.is_not(None),
            Shipment.status.in_(WAITING),
        )
        .group_by(Shipment.status)
    ).all()
    counts = {status: 0 for status in WAITING}
    counts.update({status: int(n) for status, n in rows})
    return counts


def oldest_waiting(producer_id: int, *, limit: int = 5) -> list[Shipment]:
    """The producer's waiting shipments, oldest first (the ones to do first)."""
    return list(
        db.session.scalars(
            _visible(producer_id)
            .where(Shipment.status.in_(WAITING))
            .options(joinedload(Shipment.order))
            .order_by(Shipment.created_at, Shipment.id)
            .limit(limit)
        )
    )


def next_moves(shipment: Shipment) -> list[str]:
    """What the producer can do next with the shipment, in order."""
    if shipment.order.status not in ORDER_STEPS:
        return []
    return [to for to in ("packed", "shipped", "delivered", "cancelled") if to in MOVES[shipment.status]]


def shows_contact(shipment: Shipment) -> bool:
    """Whether the producer is shown the shopper's name, phone and address: only while it has
    the shipment to hand over or on its way."""
    return shipment.status in TO_SHIP
