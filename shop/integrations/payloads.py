"""What a webhook event's `data` holds: a snapshot, at the time of the event, of the object it is
about, shaped like the API's objects and limited to what its receiver may see. A producer is told
about its own part of an order (its shipment and lines, their value), never another producer's
lines or prices; a partner about its own orders and invoices. No event carries a person's phone
number or street address: a program that needs them asks the API, which checks who asks.

Every value is plain JSON: money in whole đồng (`*_vnd`), instants in ISO 8601 UTC, days as
YYYY-MM-DD. The component schemas in `shop/api/spec.py` describe these shapes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from shop import clock
from shop.fulfilment.models import Shipment
from shop.invoicing.models import Invoice
from shop.orders.models import Order, OrderLine


def instant(moment: datetime | None) -> str | None:
    """An instant as ISO 8601 UTC to the second ("2026-11-30T02:00:00Z")."""
    if moment is None:
        return None
    return clock.aware(moment).astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _window(order: Order) -> dict | None:
    if order.window_start_minute is None or order.window_end_minute is None:
        return None
    return {
        "start": clock.format_minutes(order.window_start_minute),
        "end": clock.format_minutes(order.window_end_minute),
    }


def line(line: OrderLine) -> dict:
    return {
        "sku": line.sku,
        "product_name": line.product_name_vi,
        "product_name_en": line.product_name_en,
        "variant_name": line.variant_name_vi,
        "variant_name_en": line.variant_name_en,
        "quantity": line.quantity,
        "unit_price_vnd": line.unit_price_vnd,
        "line_total_vnd": line.line_total_vnd,
        "vat_rate_bp": line.vat_rate_bp,
    }


def _order_head(order: Order) -> dict:
    return {
        "id": order.id,
        "number": order.number,
        "status": order.status,
        "placed_at": instant(order.created_at),
        "delivery_method": order.delivery_method,
        "delivery_date": day(order.delivery_date),
        "delivery_window": _window(order),
    }


def _cancellation(order: Order) -> dict:
    return {"cancelled_at": instant(order.cancelled_at), "cancel_reason": order.cancel_reason}


def order_for_partner(order: Order) -> dict:
    """A partner's whole order: every line, its totals, its purchase-order number and location."""
    return {
        **_order_head(order),
        "po_number": order.po_number,
        "location_id": order.partner_location_id,
        "payment_method": order.payment_method,
        "subtotal_vnd": order.subtotal_vnd,
        "shipping_vnd": order.shipping_vnd,
        "total_vnd": order.total_vnd,
        "lines": [line(x) for x in order.lines],
        **_cancellation(order),
    }


def order_for_producer(shipment: Shipment) -> dict:
    """A producer's part of an order: its shipment, and only its own lines and their value."""
    order = shipment.order
    lines = [line(x) for x in order.lines if x.producer_id == shipment.producer_id]
    return {
        **_order_head(order),
        "shipment_id": shipment.id,
        "subtotal_vnd": sum(x["line_total_vnd"] for x in lines),
        "lines": lines,
        **_cancellation(order),
    }


def shipment(shipment: Shipment, *, for_partner: bool = False) -> dict:
    """A shipment: one producer's lines of an order, with its carrier and tracking number."""
    order = shipment.order
    data = {
        "id": shipment.id,
        "order_id": order.id,
        "order_number": order.number,
        "producer_id": shipment.producer_id,
        "status": shipment.status,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "packed_at": instant(shipment.packed_at),
        "shipped_at": instant(shipment.shipped_at),
        "delivered_at": instant(shipment.delivered_at),
        "subtotal_vnd": shipment.subtotal_vnd,
        "lines": [line(x) for x in shipment.lines],
    }
    if for_partner:
        data["producer_name"] = shipment.producer.name
        data["po_number"] = order.po_number
    return data


def invoice(invoice: Invoice, *, order: Order | None = None, today: date | None = None) -> dict:
    """A partner's invoice: its totals, due date and what is still to pay."""
    data = {
        "id": invoice.id,
        "number": invoice.number,
        "order_id": invoice.order_id,
        "order_number": order.number if order is not None else None,
        "po_number": invoice.po_number,
        "status": invoice.status,
        "issued_on": day(invoice.issued_on),
        "due_on": day(invoice.due_on),
        "payment_terms": invoice.payment_terms,
        "net_vnd": invoice.net_vnd,
        "vat_vnd": invoice.vat_vnd,
        "total_vnd": invoice.total_vnd,
        "paid_vnd": invoice.paid_vnd,
        "outstanding_vnd": invoice.balance_vnd,
    }
    if today is not None:
        data["days_overdue"] = max(0, (today - invoice.due_on).days)
    return data


def variant(row) -> dict:
    """A variant's stock (a row with the variant's and its product's columns)."""
    return {
        "variant_id": row.id,
        "sku": row.sku,
        "product_id": row.product_id,
        "product_name": row.product_name,
        "variant_name": row.name_vi,
        "on_hand": row.on_hand,
        "reserved": row.reserved,
        "available": row.on_hand - row.reserved,
        "threshold": row.low_stock_threshold,
    }
