"""API for producers' shipments (keys in role `producer`): list and read their own, and mark them
packed, shipped or delivered through shop.fulfilment, as from the portal (the order follows, the
shopper is mailed)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import marshmallow as ma
from flask import g
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from shop import audit, clock
from shop.api.auth import requires_key
from shop.api.schemas import (
    MAX_ID,
    CursorArgs,
    decode_cursor,
    encode_cursor,
    error_responses,
    page_schema,
    request_locale,
    utc,
)
from shop.errors import ValidationError
from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.fulfilment.models import CARRIERS, SHIPMENT_STATUSES, Shipment
from shop.integrations.keys import describe as key_note

bp = Blueprint(
    "api_producer_shipments",
    __name__,
    description="Producers: your shipments, packed, shipped and delivered. Needs a key in role `producer`.",
)

# What the audit log compares before and after a move (as the portal's shipment page does).
AUDITED = ("status", "carrier", "tracking_number")
# The moves this API makes (a shipment is cancelled on the portal, with a reason for the shopper).
API_MOVES = ("packed", "shipped", "delivered")


# --- Shipments ----------------------------------------------------------------------------------


class ProducerShipmentWindowSchema(ma.Schema):
    start = ma.fields.String(required=True, metadata={"description": "HH:MM, Vietnam time.", "example": "06:00"})
    end = ma.fields.String(required=True, metadata={"description": "HH:MM, Vietnam time.", "example": "08:00"})


class ProducerShipmentDeliverySchema(ma.Schema):
    method = ma.fields.String(
        required=True,
        metadata={
            "description": "`standard`, `same_day` (deliver on the day ordered), `pickup` (at your place) or "
            "`scheduled` (a restaurant partner's date and window).",
            "example": "scheduled",
        },
    )
    date = ma.fields.Date(
        required=True, allow_none=True, metadata={"description": "Deliver on (scheduled).", "example": "2026-12-01"}
    )
    window = ma.fields.Nested(ProducerShipmentWindowSchema, required=True, allow_none=True)


class ProducerShipmentAddressSchema(ma.Schema):
    street = ma.fields.String(required=True, allow_none=True, metadata={"example": "12 Đặng Thai Mai"})
    ward = ma.fields.String(required=True, allow_none=True, metadata={"example": "Phường Tây Hồ"})
    province = ma.fields.String(required=True, allow_none=True, metadata={"example": "Thành phố Hà Nội"})


class ProducerShipmentRecipientSchema(ma.Schema):
    name = ma.fields.String(required=True, metadata={"example": "Nguyễn Thị Lan"})
    phone = ma.fields.String(required=True, metadata={"example": "0912 345 678"})
    address = ma.fields.Nested(
        ProducerShipmentAddressSchema, required=True, allow_none=True, metadata={"description": "null for a pickup."}
    )


class ProducerShipmentLineSchema(ma.Schema):
    sku = ma.fields.String(required=True, metadata={"example": "XPT-500G"})
    name = ma.fields.String(
        required=True, metadata={"description": "The product, as ordered.", "example": "Xôi Phú Thượng"}
    )
    variant = ma.fields.String(required=True, metadata={"description": "The pack, as ordered.", "example": "Hộp 500 g"})
    quantity = ma.fields.Integer(required=True, metadata={"example": 2})
    line_total_vnd = ma.fields.Integer(required=True, metadata={"example": 70000})


class ProducerShipmentSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 55})
    order_number = ma.fields.String(required=True, metadata={"example": "OCOP-2026-000123"})
    status = ma.fields.String(
        required=True,
        metadata={
            "description": "`open` (to pack), `packed`, `shipped`, `delivered` or `cancelled`.",
            "example": "open",
        },
    )
    next_moves = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={
            "description": "What this API can move it to now (`packed`, `shipped`, `delivered`).",
            "example": ["packed"],
        },
    )
    delivery = ma.fields.Nested(ProducerShipmentDeliverySchema, required=True)
    po_number = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "A partner's purchase order.", "example": None}
    )
    delivery_note = ma.fields.String(required=True, allow_none=True, metadata={"example": "Gọi trước 30 phút"})
    recipient = ma.fields.Nested(
        ProducerShipmentRecipientSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Shown only while you have the shipment to send or on its way; else null."},
    )
    lines = ma.fields.List(
        ma.fields.Nested(ProducerShipmentLineSchema),
        required=True,
        metadata={"description": "Your lines of the order."},
    )
    subtotal_vnd = ma.fields.Integer(
        required=True, metadata={"description": "The value of your lines.", "example": 70000}
    )
    carrier = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "One of " + ", ".join(CARRIERS), "example": None}
    )
    tracking_number = ma.fields.String(required=True, allow_none=True, metadata={"example": None})
    cancel_reason = ma.fields.String(required=True, allow_none=True, metadata={"example": None})
    created_at = ma.fields.DateTime(
        required=True, metadata={"description": "When the order was placed.", "example": "2026-11-30T02:00:00+00:00"}
    )
    packed_at = ma.fields.DateTime(required=True, allow_none=True, metadata={"example": None})
    shipped_at = ma.fields.DateTime(required=True, allow_none=True, metadata={"example": None})
    delivered_at = ma.fields.DateTime(required=True, allow_none=True, metadata={"example": None})
    cancelled_at = ma.fields.DateTime(required=True, allow_none=True, metadata={"example": None})


ProducerShipmentPageSchema = page_schema(ProducerShipmentSchema, "ProducerShipmentPage")

_SHIPMENT_EXAMPLE = {
    "id": 55,
    "order_number": "OCOP-2026-000123",
    "status": "open",
    "next_moves": ["packed"],
    "delivery": {"method": "standard", "date": None, "window": None},
    "po_number": None,
    "delivery_note": "Gọi trước 30 phút",
    "recipient": {
        "name": "Nguyễn Thị Lan",
        "phone": "0912 345 678",
        "address": {"street": "12 Đặng Thai Mai", "ward": "Phường Tây Hồ", "province": "Thành phố Hà Nội"},
    },
    "lines": [
        {"sku": "XPT-500G", "name": "Xôi Phú Thượng", "variant": "Hộp 500 g", "quantity": 2, "line_total_vnd": 70000}
    ],
    "subtotal_vnd": 70000,
    "carrier": None,
    "tracking_number": None,
    "cancel_reason": None,
    "created_at": "2026-11-30T02:00:00+00:00",
    "packed_at": None,
    "shipped_at": None,
    "delivered_at": None,
    "cancelled_at": None,
}


_DAYS = ma.validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31), error=_l("Enter a date from 2000 to 2099."))


class ShipmentArgs(CursorArgs):
    status = ma.fields.String(
        load_default=None,
        validate=ma.validate.OneOf(SHIPMENT_STATUSES, error=_l("Choose a status from the list.")),
        metadata={"description": "Keeps shipments in this state.", "example": "open"},
    )
    date_from = ma.fields.Date(
        load_default=None,
        validate=_DAYS,
        metadata={"description": "Ordered on this day (Vietnam) or later, YYYY-MM-DD.", "example": "2026-11-01"},
    )
    date_to = ma.fields.Date(
        load_default=None,
        validate=_DAYS,
        metadata={"description": "Ordered on this day (Vietnam) or earlier, YYYY-MM-DD.", "example": "2026-11-30"},
    )

    @ma.validates_schema
    def _dates_in_order(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ma.ValidationError(str(_l("The start date is after the end date.")), field_name="date_from")


class ShipmentShipSchema(ma.Schema):
    carrier = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(CARRIERS, error=_l("Choose the carrier.")),
        metadata={"description": "Who carries it (`own`: your own delivery).", "example": "ghn"},
    )
    tracking_number = ma.fields.String(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "The carrier's tracking number (3 to 60 letters, digits, spaces, dots, dashes or "
            "slashes); may be left out for your own delivery.",
            "example": "GHN123456VN",
        },
    )


def _shipment_out(shipment: Shipment, locale: str) -> dict:
    order = shipment.order
    recipient = None
    if fulfilment.shows_contact(shipment):
        address = None
        if order.delivery_method != "pickup":
            address = {"street": order.street, "ward": order.ward_name, "province": order.province_name}
        recipient = {"name": order.contact_name, "phone": order.phone, "address": address}
    window = None
    if order.window_start_minute is not None and order.window_end_minute is not None:
        window = {
            "start": clock.format_minutes(order.window_start_minute),
            "end": clock.format_minutes(order.window_end_minute),
        }
    return {
        "id": shipment.id,
        "order_number": order.number,
        "status": shipment.status,
        "next_moves": [to for to in fulfilment.next_moves(shipment) if to in API_MOVES],
        "delivery": {"method": order.delivery_method, "date": order.delivery_date, "window": window},
        "po_number": order.po_number,
        "delivery_note": order.delivery_note,
        "recipient": recipient,
        "lines": [
            {
                "sku": line.sku,
                "name": line.product_name(locale),
                "variant": line.variant_name(locale),
                "quantity": line.quantity,
                "line_total_vnd": line.line_total_vnd,
            }
            for line in shipment.lines
        ],
        "subtotal_vnd": shipment.subtotal_vnd,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "cancel_reason": shipment.cancel_reason,
        "created_at": utc(shipment.created_at),
        "packed_at": utc(shipment.packed_at),
        "shipped_at": utc(shipment.shipped_at),
        "delivered_at": utc(shipment.delivered_at),
        "cancelled_at": utc(shipment.cancelled_at),
    }


def _shipment_position(cursor: str | None) -> tuple[datetime, int] | None:
    position = decode_cursor(cursor)
    if position is None:
        return None
    created_at, shipment_id = position.get("created_at"), position.get("id")
    try:
        if not isinstance(shipment_id, int) or isinstance(shipment_id, bool) or not 0 <= shipment_id <= MAX_ID:
            raise ValueError
        moment = datetime.fromisoformat(created_at)
    except (TypeError, ValueError):
        raise ValidationError(_l("This cursor is not one this API gave."), field="cursor") from None
    return clock.aware(moment).astimezone(UTC), shipment_id


@bp.route("/shipments")
@requires_key(bp, "producer")
@bp.arguments(ShipmentArgs, location="query")
@bp.response(200, ProducerShipmentPageSchema, example={"data": [_SHIPMENT_EXAMPLE], "next_cursor": None})
@error_responses(bp, 422)
def shipments(args):
    """Your shipments, newest first

    One per order with your lines, once the order is confirmed (paid, or cash on delivery), as
    the portal's shipments page shows them. Filter by `status` and by the day the order was
    placed (`date_from`, `date_to`, Vietnam days); page with `cursor`."""
    limit = args["limit"]
    f = fulfilment.ShipmentFilter(status=args["status"], date_from=args["date_from"], date_to=args["date_to"])
    rows = fulfilment.shipments_after(g.producer_id, f, after=_shipment_position(args["cursor"]), limit=limit + 1)
    page, more = rows[:limit], len(rows) > limit
    locale = request_locale()
    next_cursor = None
    if more:
        last = page[-1]
        next_cursor = encode_cursor({"created_at": utc(last.created_at).isoformat(), "id": last.id})
    return {"data": [_shipment_out(s, locale) for s in page], "next_cursor": next_cursor}


@bp.route(f"/shipments/<int(max={MAX_ID}):shipment_id>")
@requires_key(bp, "producer")
@bp.response(200, ProducerShipmentSchema, example=_SHIPMENT_EXAMPLE)
@error_responses(bp, 404)
def shipment(shipment_id: int):
    """One of your shipments

    Another producer's shipment, or one whose order still waits for its payment, is not found."""
    return _shipment_out(fulfilment.shipment_for_producer(shipment_id, g.producer_id), request_locale())


def _move(shipment_id: int, action: str, work) -> dict:
    """Do `work` (a fulfilment move) on the producer's shipment, record it in the audit log with
    the key's name, commit once. A refusal raises (the request's transaction is rolled back)."""
    shipment = fulfilment.shipment_for_producer(shipment_id, g.producer_id)
    before = audit.snapshot(shipment, AUDITED)
    work(shipment)
    audit.record(
        f"shipment.{action}",
        "shipment",
        shipment.id,
        actor=None,
        producer_id=g.producer_id,
        before=before,
        after=audit.snapshot(shipment, AUDITED),
        note=f"order {shipment.order.number}; {key_note(g.api_key)}",
    )
    out = _shipment_out(shipment, request_locale())
    db.session.commit()
    return out


@bp.route(f"/shipments/<int(max={MAX_ID}):shipment_id>/pack", methods=["POST"])
@requires_key(bp, "producer")
@bp.response(200, ProducerShipmentSchema, example={**_SHIPMENT_EXAMPLE, "status": "packed", "next_moves": ["shipped"]})
@error_responses(bp, 404, 409)
def shipment_pack(shipment_id: int):
    """Mark a shipment packed

    From `open`. The order moves on as from the portal; 409 with the reason for any other state."""
    return _move(shipment_id, "pack", lambda s: fulfilment.pack(s, actor=None))


@bp.route(f"/shipments/<int(max={MAX_ID}):shipment_id>/ship", methods=["POST"])
@requires_key(bp, "producer")
@bp.arguments(ShipmentShipSchema, example={"carrier": "ghn", "tracking_number": "GHN123456VN"})
@bp.response(
    200,
    ProducerShipmentSchema,
    example={
        **_SHIPMENT_EXAMPLE,
        "status": "shipped",
        "next_moves": ["delivered"],
        "carrier": "ghn",
        "tracking_number": "GHN123456VN",
    },
)
@error_responses(bp, 404, 409, 422)
def shipment_ship(body, shipment_id: int):
    """Mark a shipment shipped, with its carrier and tracking number

    From `packed`. Its stock leaves the shelf, the order moves on and the shopper is
    mailed how to track it, as from the portal. A tracking number is needed but for `own`
    delivery (422); 409 with the reason for a shipment that cannot ship now."""
    return _move(
        shipment_id,
        "ship",
        lambda s: fulfilment.ship(s, carrier=body["carrier"], tracking_number=body["tracking_number"], actor=None),
    )


@bp.route(f"/shipments/<int(max={MAX_ID}):shipment_id>/deliver", methods=["POST"])
@requires_key(bp, "producer")
@bp.response(200, ProducerShipmentSchema, example={**_SHIPMENT_EXAMPLE, "status": "delivered", "next_moves": []})
@error_responses(bp, 404, 409)
def shipment_deliver(shipment_id: int):
    """Mark a shipment delivered

    From `shipped`. The order follows (delivered once all its shipments are) and the shopper is
    mailed, as from the portal; 409 with the reason for any other state."""
    return _move(shipment_id, "deliver", lambda s: fulfilment.deliver(s, actor=None))
