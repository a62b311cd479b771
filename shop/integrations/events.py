"""Where webhook events come from: receivers of the domain's signals, each recording an event in
the transaction of the change it reports (so a change that rolls back records nothing). The
packages below never import this one; `webhooks.init_app` connects these receivers once.

- order.created: to each producer when its part of an order is released to it (the order
  confirmed: paid, or cash on delivery; what its portal shows from then on), with its own lines
  only; to a partner when it places an order.
- order.cancelled: to the partner of a partner order; to each producer whose shipment had been
  released and was still waiting (cancelled with the order).
- shipment.shipped, shipment.delivered: to the shipment's producer, and to the partner of a
  partner order.
- invoice.issued: to the partner. invoice.overdue: `record_overdue_invoices`, daily.
- stock.low: to the producer when what can be sold of a variant falls from above its warning
  level to or below it (not again while it stays below).

An event that happens once for one organisation (all but stock.low) is recorded under a
deterministic event id, so that it is recorded at most once whatever calls it twice.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from shop.catalog.models import Product, Variant
from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.fulfilment.models import Shipment
from shop.integrations import payloads
from shop.integrations.models import WebhookEndpoint, WebhookEvent
from shop.integrations.webhooks import one_time_event_id, record_event
from shop.inventory import services as inventory
from shop.invoicing import services as invoicing
from shop.invoicing.models import Invoice
from shop.orders import services as orders
from shop.orders.models import Order
from shop.wholesale import ordering

_connected = False


def connect() -> None:
    """Subscribe the receivers below to the domain's signals (once per process; blinker keeps
    a receiver once however often it is connected)."""
    global _connected
    if _connected:
        return
    ordering.partner_order_placed.connect(_partner_order_placed)
    fulfilment.shipment_released.connect(_shipment_released)
    orders.order_cancelled.connect(_order_cancelled)
    orders.order_moved.connect(_order_moved)
    fulfilment.shipment_moved.connect(_shipment_moved)
    invoicing.invoice_issued.connect(_invoice_issued)
    inventory.stock_changed.connect(_stock_changed)
    _connected = True


# Orders -----------------------------------------------------------------------------------------


def _partner_order_placed(order: Order, **_) -> None:
    record_event(
        "order.created",
        partner_id=order.partner_id,
        data=lambda: payloads.order_for_partner(order),
        event_id=one_time_event_id("order.created", order.id, "partner", order.partner_id),
    )


def _shipment_released(shipment: Shipment, **_) -> None:
    record_event(
        "order.created",
        producer_id=shipment.producer_id,
        data=lambda: payloads.order_for_producer(shipment),
        event_id=one_time_event_id("order.created", shipment.order_id, "producer", shipment.producer_id),
    )


def _order_cancelled(order: Order, **_) -> None:
    _tell_cancelled(order)


def _order_moved(order: Order, *, previous: str, **_) -> None:
    # A live order refunded (the money went back before it shipped) ends like a cancellation;
    # `orders.cancel` itself is heard through `order_cancelled`, once its reason is set.
    if order.status == "refunded" and previous in orders.HOLDS_STOCK:
        _tell_cancelled(order)


def _tell_cancelled(order: Order) -> None:
    if order.partner_id is not None:
        record_event(
            "order.cancelled",
            partner_id=order.partner_id,
            data=lambda: payloads.order_for_partner(order),
            event_id=one_time_event_id("order.cancelled", order.id, "partner", order.partner_id),
        )
    for shipment in fulfilment.shipments_of(order):
        # Released to its producer and waiting, or closed with the order (a shipment its
        # producer cancelled on its own earlier has a reason of its own, and was told then).
        closed_with_order = shipment.status == "cancelled" and shipment.cancel_reason is None
        if shipment.notified_at is None or not (shipment.status in fulfilment.WAITING or closed_with_order):
            continue
        record_event(
            "order.cancelled",
            producer_id=shipment.producer_id,
            data=lambda shipment=shipment: payloads.order_for_producer(shipment),
            event_id=one_time_event_id("order.cancelled", order.id, "producer", shipment.producer_id),
        )


# Shipments --------------------------------------------------------------------------------------

_SHIPMENT_EVENTS = {"shipped": "shipment.shipped", "delivered": "shipment.delivered"}


def _shipment_moved(shipment: Shipment, *, previous: str, **_) -> None:
    event_type = _SHIPMENT_EVENTS.get(shipment.status)
    if event_type is None:
        return
    record_event(
        event_type,
        producer_id=shipment.producer_id,
        data=lambda: payloads.shipment(shipment),
        event_id=one_time_event_id(event_type, shipment.id, "producer", shipment.producer_id),
    )
    partner_id = shipment.order.partner_id
    if partner_id is not None:
        record_event(
            event_type,
            partner_id=partner_id,
            data=lambda: payloads.shipment(shipment, for_partner=True),
            event_id=one_time_event_id(event_type, shipment.id, "partner", partner_id),
        )


# Invoices ---------------------------------------------------------------------------------------


def _invoice_issued(invoice: Invoice, *, order: Order, **_) -> None:
    record_event(
        "invoice.issued",
        partner_id=invoice.partner_id,
        data=lambda: payloads.invoice(invoice, order=order),
        event_id=one_time_event_id("invoice.issued", invoice.id, "partner", invoice.partner_id),
    )


def _listening_partners(event_type: str) -> list[int]:
    rows = db.session.execute(
        select(WebhookEndpoint.partner_id, WebhookEndpoint.events).where(
            WebhookEndpoint.partner_id.is_not(None), WebhookEndpoint.active.is_(True)
        )
    )
    return sorted({partner_id for partner_id, events in rows if event_type in (events or ())})


def record_overdue_invoices(*, today: date) -> int:
    """`invoice.overdue`, once per invoice: open, past its due date (Vietnam's day) and not paid
    in full, for partners with an active endpoint that listens. Returns how many were recorded."""
    partners = _listening_partners("invoice.overdue")
    if not partners:
        return 0
    recorded = 0
    for start in range(0, len(partners), 500):
        invoices = db.session.scalars(
            select(Invoice)
            .where(
                Invoice.partner_id.in_(partners[start : start + 500]),
                Invoice.status == "open",
                Invoice.due_on < today,
                Invoice.paid_vnd < Invoice.total_vnd,
            )
            .order_by(Invoice.id)
        ).all()
        ids = {i.id: one_time_event_id("invoice.overdue", i.id, "partner", i.partner_id) for i in invoices}
        told = (
            set(db.session.scalars(select(WebhookEvent.event_id).where(WebhookEvent.event_id.in_(list(ids.values())))))
            if ids
            else set()
        )
        for invoice in invoices:
            if ids[invoice.id] in told:
                continue
            order = db.session.get(Order, invoice.order_id)
            event = record_event(
                "invoice.overdue",
                partner_id=invoice.partner_id,
                data=lambda invoice=invoice, order=order: payloads.invoice(invoice, order=order, today=today),
                event_id=ids[invoice.id],
            )
            recorded += event is not None
    return recorded


# Stock ------------------------------------------------------------------------------------------


_STOCK_LISTENERS = "shop.webhooks.stock_listeners"


def _stock_listeners() -> frozenset[int]:
    """The producers with an active endpoint that chose stock.low, read once per transaction:
    stock moves line by line (an order of 500 lines reserves 500 times), and most producers
    listen to nothing."""
    session = db.session()
    transaction = session.get_transaction()
    cached = session.info.get(_STOCK_LISTENERS)
    if cached is not None and transaction is not None and cached[0] is transaction:
        return cached[1]
    rows = session.execute(
        select(WebhookEndpoint.producer_id, WebhookEndpoint.events).where(
            WebhookEndpoint.producer_id.is_not(None), WebhookEndpoint.active.is_(True)
        )
    )
    listeners = frozenset(producer_id for producer_id, events in rows if "stock.low" in (events or ()))
    session.info[_STOCK_LISTENERS] = (session.get_transaction(), listeners)
    return listeners


def _stock_changed(_sender, *, changes: dict[int, int], **_) -> None:
    """stock.low for each variant whose available stock went from above its threshold to it or
    below in this change."""
    fallen = {variant_id: -change for variant_id, change in changes.items() if change < 0}
    if not fallen:
        return
    listeners = _stock_listeners()
    if not listeners:
        return
    ids = sorted(fallen)
    for start in range(0, len(ids), 500):
        rows = db.session.execute(
            select(
                Variant.id,
                Variant.sku,
                Variant.name_vi,
                Variant.on_hand,
                Variant.reserved,
                Variant.low_stock_threshold,
                Variant.product_id,
                Product.name_vi.label("product_name"),
                Product.producer_id,
            )
            .join(Product, Product.id == Variant.product_id)
            .where(
                Variant.id.in_(ids[start : start + 500]),
                Variant.low_stock_threshold.is_not(None),
                Product.producer_id.in_(sorted(listeners)),
            )
        ).all()
        for row in rows:
            available = row.on_hand - row.reserved
            before = available + fallen[row.id]
            if before > row.low_stock_threshold >= available:
                record_event("stock.low", producer_id=row.producer_id, data=payloads.variant(row))
