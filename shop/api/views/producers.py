"""API for producers (keys in role `producer`): their own variants with stock, stock set or
adjusted for many SKUs in one call (all or nothing), and their shipments, packed, shipped and
delivered as from the portal.

Everything goes through the services the portal uses: `shop.inventory` (the compare-and-set of
the stock page, the guarded updates, the ledger with reason `api`) and `shop.fulfilment` (the
shipment's moves, the order following them, the shopper's mail). A program acting through a key
is no person: the ledger and the audit log keep no user for it, and name the key in their note
instead (the key's creator may have left the organisation since)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import marshmallow as ma
from flask import g
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from shop import audit, clock
from shop.api.auth import requires_key
from shop.api.schemas import CursorArgs, decode_cursor, encode_cursor, error_responses, page_schema
from shop.errors import NotFound, ValidationError
from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.fulfilment.models import CARRIERS, SHIPMENT_STATUSES, Shipment
from shop.integrations.models import ApiKey
from shop.inventory import bulk
from shop.inventory import services as stock
from shop.inventory.services import MAX_STOCK

bp = Blueprint(
    "api_producers",
    __name__,
    description="Producers: your variants and their stock, and your shipments. Needs a key in role `producer`.",
)

MAX_ITEMS = 1000
# The largest id a database integer holds: a larger one names nothing (404), never an error.
MAX_ID = 2**31 - 1
NOTE_MAX = 100
# What the audit log compares before and after a move (as the portal's shipment page does).
AUDITED = ("status", "carrier", "tracking_number")
# The moves this API makes (a shipment is cancelled on the portal, with a reason for the shopper).
API_MOVES = ("packed", "shipped", "delivered")


def _no_nul(text: str) -> None:
    # PostgreSQL refuses to store or even compare a NUL byte; no SKU or note has one.
    if "\x00" in text:
        raise ma.ValidationError(str(_l("This text contains a NUL character.")))


def _locale() -> str:
    return str(get_locale() or "vi")


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else clock.aware(moment).astimezone(UTC)


def _key_note(key: ApiKey, note: str | None = None) -> str:
    """How the ledger and the audit log name a program acting through `key` (data, not words of
    a page), with the note the call sent."""
    label = f"API key #{key.id} “{key.name}”"
    return f"{label} — {note}" if note else label


# --- Variants -----------------------------------------------------------------------------------


class ProducerVariantProductSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 12})
    name = ma.fields.String(
        required=True, metadata={"description": "In the request's language.", "example": "Xôi Phú Thượng"}
    )


class ProducerVariantSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 31})
    sku = ma.fields.String(required=True, metadata={"example": "XPT-500G"})
    product = ma.fields.Nested(ProducerVariantProductSchema, required=True)
    name = ma.fields.String(
        required=True,
        metadata={"description": "The pack or size, in the request's language.", "example": "Hộp 500 g"},
    )
    weight_g = ma.fields.Integer(required=True, allow_none=True, metadata={"example": 500})
    price_vnd = ma.fields.Integer(
        required=True, metadata={"description": "Retail price, in đồng (VAT included).", "example": 35000}
    )
    on_hand = ma.fields.Integer(required=True, metadata={"description": "Physically there.", "example": 120})
    reserved = ma.fields.Integer(
        required=True, metadata={"description": "Held by orders not yet shipped.", "example": 4}
    )
    available = ma.fields.Integer(
        required=True, metadata={"description": "What can still be sold: on_hand - reserved.", "example": 116}
    )
    low_stock_threshold = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Warn at this many available or fewer; null: never.", "example": 10},
    )
    low = ma.fields.Boolean(
        required=True, metadata={"description": "`available` is at or below the threshold.", "example": False}
    )
    published = ma.fields.Boolean(
        required=True, metadata={"description": "Its product is on sale in the shop.", "example": True}
    )


ProducerVariantPageSchema = page_schema(ProducerVariantSchema, "ProducerVariantPage")


class VariantArgs(CursorArgs):
    q = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(max=100, error=_l("At most %(max)d characters.", max=100)),
        metadata={"description": "Keeps variants whose SKU, name or product's name contains it.", "example": "xôi"},
    )
    sku = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(max=40, error=_l("At most %(max)d characters.", max=40)),
        metadata={"description": "Keeps the variant with exactly this SKU.", "example": "XPT-500G"},
    )
    low_stock = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "`true`: only variants at or below their low-stock threshold.", "example": True},
    )


def _variant_out(variant, low: bool, locale: str) -> dict:
    return {
        "id": variant.id,
        "sku": variant.sku,
        "product": {"id": variant.product.id, "name": variant.product.name(locale)},
        "name": variant.name(locale),
        "weight_g": variant.weight_g,
        "price_vnd": variant.price_vnd,
        "on_hand": variant.on_hand,
        "reserved": variant.reserved,
        "available": variant.available,
        "low_stock_threshold": variant.low_stock_threshold,
        "low": low,
        "published": variant.product.status == "published",
    }


def _after_id(cursor: str | None) -> int | None:
    position = decode_cursor(cursor)
    if position is None:
        return None
    after = position.get("id")
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= MAX_ID:
        raise ValidationError(_l("This cursor is not one this API gave."), field="cursor")
    return after


_VARIANT_EXAMPLE = {
    "id": 31,
    "sku": "XPT-500G",
    "product": {"id": 12, "name": "Xôi Phú Thượng"},
    "name": "Hộp 500 g",
    "weight_g": 500,
    "price_vnd": 35000,
    "on_hand": 120,
    "reserved": 4,
    "available": 116,
    "low_stock_threshold": 10,
    "low": False,
    "published": True,
}


@bp.route("/variants")
@requires_key(bp, "producer")
@bp.arguments(VariantArgs, location="query")
@bp.response(200, ProducerVariantPageSchema, example={"data": [_VARIANT_EXAMPLE], "next_cursor": None})
@error_responses(bp, 422)
def variants(args):
    """Your variants with their stock

    Every pack of your products but archived ones, by id, with what is on hand, what orders hold
    and what can still be sold. Filter with `q`, `sku` or `low_stock=true`; page with `cursor`."""
    limit = args["limit"]
    rows = stock.variants_by_id(
        g.producer_id,
        q=args["q"],
        sku=args["sku"],
        low_only=args["low_stock"],
        after_id=_after_id(args["cursor"]),
        limit=limit + 1,
    )
    locale = _locale()
    page = rows[:limit]
    more = len(rows) > limit
    return {
        "data": [_variant_out(variant, low, locale) for variant, low in page],
        "next_cursor": encode_cursor({"id": page[-1][0].id}) if more else None,
    }


@bp.route("/variants/<sku>")
@requires_key(bp, "producer")
@bp.response(200, ProducerVariantSchema, example=_VARIANT_EXAMPLE)
@error_responses(bp, 404)
def variant(sku: str):
    """One of your variants, by SKU

    Another producer's SKU is not found, as one that does not exist."""
    rows = stock.variants_by_id(g.producer_id, sku=sku, limit=1)
    if not rows:
        raise NotFound(_l("None of your variants has the SKU %(sku)s.", sku=sku[:60]))
    return _variant_out(*rows[0], _locale())


# --- Stock --------------------------------------------------------------------------------------


class StockItemSchema(ma.Schema):
    sku = ma.fields.String(
        required=True,
        validate=[ma.validate.Length(min=1, max=40, error=_l("A SKU has 1 to 40 characters.")), _no_nul],
        metadata={"description": "One of your SKUs.", "example": "XPT-500G"},
    )
    on_hand = ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(
            min=0, max=MAX_STOCK, error=_l("Stock must be a whole number from 0 to %(max)s.", max=MAX_STOCK)
        ),
        metadata={"description": "Set what is on hand to this (after a count).", "example": 120},
    )
    expected_on_hand = ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(
            min=0, max=MAX_STOCK, error=_l("Stock must be a whole number from 0 to %(max)s.", max=MAX_STOCK)
        ),
        metadata={
            "description": "With `on_hand`: set it only if it is still this figure (the one your system "
            "last read); otherwise the whole call is refused with 409 `stock_changed`.",
            "example": 100,
        },
    )
    adjust = ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(
            min=-MAX_STOCK,
            max=MAX_STOCK,
            error=_l("Enter an amount from -%(max)s to %(max)s.", max=MAX_STOCK),
        ),
        metadata={"description": "Add this to what is on hand (negative: take away); not 0.", "example": -3},
    )

    @ma.validates_schema
    def _one_change(self, data, **kwargs):
        if ("on_hand" in data) == ("adjust" in data):
            raise ma.ValidationError(str(_l("Send either on_hand or adjust.")), field_name="on_hand")
        if "expected_on_hand" in data and "on_hand" not in data:
            raise ma.ValidationError(str(_l("expected_on_hand goes with on_hand.")), field_name="expected_on_hand")
        if data.get("adjust") == 0:
            raise ma.ValidationError(str(_l("Enter an amount other than 0.")), field_name="adjust")


class StockUpdateSchema(ma.Schema):
    items = ma.fields.List(
        ma.fields.Nested(StockItemSchema),
        required=True,
        validate=ma.validate.Length(min=1, max=MAX_ITEMS, error=_l("Send from 1 to %(max)s items.", max=MAX_ITEMS)),
        metadata={"description": f"1 to {MAX_ITEMS} SKUs, each named once."},
    )
    note = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=[ma.validate.Length(max=NOTE_MAX, error=_l("At most %(max)d characters.", max=NOTE_MAX)), _no_nul],
        metadata={"description": "Kept in the stock ledger with the key's name.", "example": "nightly sync"},
    )


class StockFigureSchema(ma.Schema):
    sku = ma.fields.String(required=True, metadata={"example": "XPT-500G"})
    on_hand = ma.fields.Integer(required=True, metadata={"example": 120})
    reserved = ma.fields.Integer(required=True, metadata={"example": 4})
    available = ma.fields.Integer(required=True, metadata={"example": 116})


class StockResultSchema(ma.Schema):
    data = ma.fields.List(
        ma.fields.Nested(StockFigureSchema), required=True, metadata={"description": "In the order of the items sent."}
    )


@bp.route("/stock", methods=["POST"])
@requires_key(bp, "producer")
@bp.arguments(
    StockUpdateSchema,
    example={
        "items": [
            {"sku": "XPT-500G", "on_hand": 120, "expected_on_hand": 100},
            {"sku": "CSQA-100G", "adjust": -3},
        ],
        "note": "nightly sync",
    },
)
@bp.response(
    200,
    StockResultSchema,
    example={
        "data": [
            {"sku": "XPT-500G", "on_hand": 120, "reserved": 4, "available": 116},
            {"sku": "CSQA-100G", "on_hand": 17, "reserved": 0, "available": 17},
        ]
    },
)
@error_responses(bp, 409, 422)
def stock_update(body):
    """Set or adjust the stock of your SKUs, all or nothing

    Each item either sets what is on hand (`on_hand`, after a count; with `expected_on_hand`, only
    if the figure is still the one your system read: the portal's compare-and-set) or adds a
    signed amount (`adjust`). Every item is applied, or none: **409** `stock_changed` when a
    figure is no longer the one expected, **409** `stock_held` when orders hold more than an item
    would leave, **422** for a SKU that is not yours or named twice, or stock that would go below
    0 or above 1,000,000. A refusal's `details` name each item refused (`items.N.field`) with its
    `sku` and its figures now (`current`). Each change is written to the stock ledger with the
    reason `api` and your key's name."""
    changes = [
        bulk.StockChange(
            sku=item["sku"],
            on_hand=item.get("on_hand"),
            expected_on_hand=item.get("expected_on_hand"),
            adjust=item.get("adjust"),
        )
        for item in body["items"]
    ]
    note = " ".join((body.get("note") or "").split()) or None
    variants = bulk.sync_stock(g.producer_id, changes, note=_key_note(g.api_key, note), reason="api")
    data = [{"sku": v.sku, "on_hand": v.on_hand, "reserved": v.reserved, "available": v.available} for v in variants]
    db.session.commit()
    return {"data": data}


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
        "created_at": _utc(shipment.created_at),
        "packed_at": _utc(shipment.packed_at),
        "shipped_at": _utc(shipment.shipped_at),
        "delivered_at": _utc(shipment.delivered_at),
        "cancelled_at": _utc(shipment.cancelled_at),
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
    locale = _locale()
    next_cursor = None
    if more:
        last = page[-1]
        next_cursor = encode_cursor({"created_at": _utc(last.created_at).isoformat(), "id": last.id})
    return {"data": [_shipment_out(s, locale) for s in page], "next_cursor": next_cursor}


@bp.route(f"/shipments/<int(max={MAX_ID}):shipment_id>")
@requires_key(bp, "producer")
@bp.response(200, ProducerShipmentSchema, example=_SHIPMENT_EXAMPLE)
@error_responses(bp, 404)
def shipment(shipment_id: int):
    """One of your shipments

    Another producer's shipment, or one whose order still waits for its payment, is not found."""
    return _shipment_out(fulfilment.shipment_for_producer(shipment_id, g.producer_id), _locale())


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
        note=f"order {shipment.order.number}; {_key_note(g.api_key)}",
    )
    out = _shipment_out(shipment, _locale())
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
