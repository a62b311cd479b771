"""Restaurant partners' orders: place one (with an `Idempotency-Key`), list them, read one with its
shipments. Placing goes through shop.wholesale.ordering's `place_partner_order`, as the partner's
pages do: the same prices, quantity rules, delivery dates, credit limit and overdue hold.

Idempotency (the rules: shop/integrations/idempotency.py). A request first waits for any other
order of the same partner being placed (the partner's row, as `place_partner_order` itself does),
then looks for a stored answer: the same body gets it again with `Idempotent-Replayed: true`;
another body, 409. Otherwise the order is placed with a checkout token made from the key and the
Idempotency-Key, and its answer stored in the same transaction. A refusal (422, 409) is not
stored: the program may fix the request and send it again with the same key.

Who placed it: no person did. The order has no user; the key is named in the audit log and in the
order's `api_key` here, and the order's mail goes to the person who made the key while they still
act for the partner, else to the partner's e-invoice address.
"""

from __future__ import annotations

import marshmallow as ma
from flask import jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shop import audit, clock, pricing
from shop.accounts.models import PartnerMember, User
from shop.api.auth import current_key, requires_key
from shop.api.schemas import CursorArgs, error_responses, page_schema
from shop.api.views.partner_common import (
    PartnerLineInSchema,
    PartnerRefSchema,
    PartnerWindowOutSchema,
    PartnerWindowSchema,
    current_partner,
    cursor_id,
    key_label,
    locale,
    page,
    twice,
    unknown_sku,
    utc,
    window_out,
)
from shop.errors import ShopError, ValidationError
from shop.extensions import db
from shop.fulfilment.models import Shipment
from shop.integrations import idempotency
from shop.integrations.models import ApiKey, IdempotencyRecord
from shop.invoicing.models import Invoice
from shop.invoicing.statements import status_of
from shop.orders.models import STATUSES, Order
from shop.orders.services import order_url
from shop.partners.models import Partner, PartnerLocation
from shop.partners.onboarding import owners_of
from shop.payments.registry import method_of
from shop.producers.models import Producer
from shop.wholesale import partner_orders
from shop.wholesale.ordering import MAX_LINES, PO_NUMBER_MAX, PartnerOrderRequest, place_partner_order
from shop.wholesale.ordering import variants_by_sku as orderable_by_sku

bp = Blueprint(
    "api_partner_orders",
    __name__,
    description="Restaurant partners: place orders (ordering keys) and read them (ordering and accounting keys).",
)

IDEMPOTENCY_KEY_MAX = idempotency.KEY_MAX


# Schemas ---------------------------------------------------------------------------------------


class IdempotencyHeaders(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    idempotency_key = ma.fields.String(
        required=True,
        data_key="Idempotency-Key",
        validate=[
            ma.validate.Length(min=1, max=IDEMPOTENCY_KEY_MAX),
            ma.validate.Regexp(r"^[\x20-\x7e]+$", error=_l("Use printable ASCII characters only.")),
        ],
        metadata={
            "description": "A key you make for this order (1–255 printable ASCII characters, e.g. a UUID): "
            "sending the same body with it again returns the same order; another body with it is 409.",
            "example": "po-2026-1130-0042",
        },
    )


class PartnerOrderRequestSchema(ma.Schema):
    location_id = ma.fields.Integer(
        required=True, strict=True, metadata={"description": "One of your open locations.", "example": 3}
    )
    delivery_date = ma.fields.Date(
        required=True, metadata={"description": "One of `/delivery-dates`' dates.", "example": "2026-12-01"}
    )
    window = ma.fields.Nested(
        PartnerWindowSchema, required=True, metadata={"description": "Within the location's receiving hours that day."}
    )
    po_number = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=PO_NUMBER_MAX),
        metadata={"description": "Your purchase-order number, printed on the invoice.", "example": "PO-0042"},
    )
    note = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=300),
        metadata={"description": "For the delivery.", "example": "Gọi trước 15 phút"},
    )
    payment_method = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=10),
        metadata={
            "description": "Leave it out on payment terms (the order goes on account). A prepaid partner "
            "chooses `vietqr` or `stripe` and pays at `payment_url`.",
            "example": None,
        },
    )
    expected_total_vnd = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        metadata={
            "description": "Optional: the total you expect; if the prices make another one, 409 `total_changed` "
            "and nothing is ordered."
        },
    )
    lines = ma.fields.List(
        ma.fields.Nested(PartnerLineInSchema),
        required=True,
        validate=ma.validate.Length(min=1, max=MAX_LINES),
        metadata={"description": "Each SKU once."},
    )


class PartnerOrderLineSchema(ma.Schema):
    sku = ma.fields.String(required=True, metadata={"example": "XOI-PT-HOP10"})
    product_name = ma.fields.String(required=True, metadata={"example": "Xôi Phú Thượng"})
    variant_name = ma.fields.String(required=True, metadata={"example": "Hộp 10 phần"})
    quantity = ma.fields.Integer(required=True, metadata={"example": 20})
    unit_price_vnd = ma.fields.Integer(required=True, metadata={"example": 25000})
    line_total_vnd = ma.fields.Integer(required=True, metadata={"example": 500000})
    vat_rate_bp = ma.fields.Integer(
        allow_none=True, required=True, metadata={"description": "800 = 8% (included).", "example": 800}
    )


class PartnerVatSplitSchema(ma.Schema):
    rate_bp = ma.fields.Integer(required=True, metadata={"example": 800})
    net_vnd = ma.fields.Integer(required=True, metadata={"example": 462963})
    vat_vnd = ma.fields.Integer(required=True, metadata={"example": 37037})
    gross_vnd = ma.fields.Integer(required=True, metadata={"example": 500000})


class PartnerOrderPaymentSchema(ma.Schema):
    method = ma.fields.String(required=True, metadata={"example": "invoice"})
    label = ma.fields.String(required=True, metadata={"example": "On account (pay the invoice by its due date)"})
    payment_url = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Where to pay an order waiting for its payment; null otherwise."},
    )


class PartnerOrderInvoiceSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 57})
    number = ma.fields.String(required=True, metadata={"example": "HD2026-000057"})
    status = ma.fields.String(required=True, metadata={"description": "open, overdue, paid or void."})
    due_on = ma.fields.Date(required=True, metadata={"example": "2026-12-16"})


class PartnerOrderShipmentSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    producer = ma.fields.Nested(PartnerRefSchema, required=True)
    status = ma.fields.String(
        required=True, metadata={"description": "open, packed, shipped, delivered or cancelled.", "example": "open"}
    )
    carrier = ma.fields.String(allow_none=True, required=True, metadata={"example": "ghn"})
    tracking_number = ma.fields.String(allow_none=True, required=True)
    shipped_at = ma.fields.DateTime(allow_none=True, required=True)
    delivered_at = ma.fields.DateTime(allow_none=True, required=True)


class PartnerApiKeyRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True, metadata={"example": "Purchasing system"})
    prefix = ma.fields.String(required=True, metadata={"example": "ocop_k7Qd2m9x"})


class PartnerOrderSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 1042})
    number = ma.fields.String(required=True, metadata={"example": "OCOP-261130-1042"})
    status = ma.fields.String(
        required=True,
        metadata={"description": "One of " + ", ".join(STATUSES) + ".", "example": "confirmed"},
    )
    placed_at = ma.fields.DateTime(required=True)
    delivery_date = ma.fields.Date(required=True, metadata={"example": "2026-12-01"})
    window = ma.fields.Nested(PartnerWindowOutSchema, allow_none=True, required=True)
    location = ma.fields.Nested(PartnerRefSchema, allow_none=True, required=True)
    po_number = ma.fields.String(allow_none=True, required=True, metadata={"example": "PO-0042"})
    note = ma.fields.String(allow_none=True, required=True)
    lines = ma.fields.List(ma.fields.Nested(PartnerOrderLineSchema), required=True)
    subtotal_vnd = ma.fields.Integer(required=True, metadata={"example": 900000})
    vat_vnd = ma.fields.Integer(required=True, metadata={"description": "Included in the total.", "example": 66667})
    vat_by_rate = ma.fields.List(ma.fields.Nested(PartnerVatSplitSchema), required=True)
    total_vnd = ma.fields.Integer(required=True, metadata={"example": 900000})
    payment = ma.fields.Nested(PartnerOrderPaymentSchema, required=True)
    invoice = ma.fields.Nested(PartnerOrderInvoiceSchema, allow_none=True, required=True)
    shipments = ma.fields.List(
        ma.fields.Nested(PartnerOrderShipmentSchema), required=True, metadata={"description": "One per producer."}
    )
    api_key = ma.fields.Nested(
        PartnerApiKeyRefSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The key of the program that placed it; null for an order placed on the pages."},
    )


PartnerOrderPageSchema = page_schema(PartnerOrderSchema, "PartnerOrderPage")


class OrderListArgs(CursorArgs):
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(STATUSES))
    delivery_from = ma.fields.Date(load_default=None, metadata={"description": "Delivery date on or after."})
    delivery_to = ma.fields.Date(load_default=None, metadata={"description": "Delivery date on or before."})


# Reading orders --------------------------------------------------------------------------------


class _Related:
    """What a page of orders shows besides the orders, read in one statement each."""

    def __init__(self, orders: list[Order]):
        ids = [order.id for order in orders] or [-1]
        location_ids = sorted({o.partner_location_id for o in orders if o.partner_location_id}) or [-1]
        self.locations = {
            loc.id: loc
            for loc in db.session.scalars(select(PartnerLocation).where(PartnerLocation.id.in_(location_ids)))
        }
        self.invoices = {i.order_id: i for i in db.session.scalars(select(Invoice).where(Invoice.order_id.in_(ids)))}
        self.shipments: dict[int, list[tuple[Shipment, Producer]]] = {}
        for shipment, producer in db.session.execute(
            select(Shipment, Producer)
            .join(Producer, Producer.id == Shipment.producer_id)
            .where(Shipment.order_id.in_(ids))
            .order_by(Shipment.id)
        ):
            self.shipments.setdefault(shipment.order_id, []).append((shipment, producer))
        self.keys = {
            order_id: key
            for order_id, key in db.session.execute(
                select(IdempotencyRecord.order_id, ApiKey)
                .join(ApiKey, ApiKey.id == IdempotencyRecord.api_key_id)
                .where(IdempotencyRecord.order_id.in_(ids))
            )
        }


def order_data(order: Order, related: _Related) -> dict:
    today = clock.today()
    language = locale()
    rates = pricing.by_rate(
        (line.line_total_vnd, line.vat_rate_bp) for line in order.lines if line.vat_rate_bp is not None
    )
    method = method_of(order)
    location = related.locations.get(order.partner_location_id)
    invoice = related.invoices.get(order.id)
    key = related.keys.get(order.id)
    return {
        "id": order.id,
        "number": order.number,
        "status": order.status,
        "placed_at": utc(order.created_at),
        "delivery_date": order.delivery_date,
        "window": window_out(order.window_start_minute, order.window_end_minute),
        "location": {"id": location.id, "name": location.name} if location else None,
        "po_number": order.po_number,
        "note": order.delivery_note,
        "lines": [
            {
                "sku": line.sku,
                "product_name": line.product_name(language),
                "variant_name": line.variant_name(language),
                "quantity": line.quantity,
                "unit_price_vnd": line.unit_price_vnd,
                "line_total_vnd": line.line_total_vnd,
                "vat_rate_bp": line.vat_rate_bp,
            }
            for line in order.lines
        ],
        "subtotal_vnd": order.subtotal_vnd,
        "vat_vnd": sum(rate.vat_vnd for rate in rates),
        "vat_by_rate": [
            {"rate_bp": r.rate_bp, "net_vnd": r.net_vnd, "vat_vnd": r.vat_vnd, "gross_vnd": r.gross_vnd} for r in rates
        ],
        "total_vnd": order.total_vnd,
        "payment": {
            "method": method.code,
            "label": str(method.label),
            "payment_url": order_url(order) if order.status == "pending_payment" else None,
        },
        "invoice": {
            "id": invoice.id,
            "number": invoice.number,
            "status": status_of(invoice, today),
            "due_on": invoice.due_on,
        }
        if invoice
        else None,
        "shipments": [
            {
                "id": shipment.id,
                "producer": {"id": producer.id, "name": producer.name},
                "status": shipment.status,
                "carrier": shipment.carrier,
                "tracking_number": shipment.tracking_number,
                "shipped_at": utc(shipment.shipped_at),
                "delivered_at": utc(shipment.delivered_at),
            }
            for shipment, producer in related.shipments.get(order.id, [])
        ],
        "api_key": {"id": key.id, "name": key.name, "prefix": key.prefix} if key else None,
    }


@bp.route("/orders")
@requires_key(bp, "ordering", "accounting")
@bp.arguments(OrderListArgs, location="query")
@bp.response(200, PartnerOrderPageSchema)
@error_responses(bp, 422)
def orders(args):
    """Your orders

    Newest first, from every location, with their lines, shipments and invoice; filter by status
    and delivery dates."""
    before = cursor_id(args["cursor"])
    statement = select(Order).where(Order.partner_id == current_partner().id, Order.number.is_not(None))
    if before is not None:
        statement = statement.where(Order.id < before)
    if args["status"]:
        statement = statement.where(Order.status == args["status"])
    if args["delivery_from"]:
        statement = statement.where(Order.delivery_date >= args["delivery_from"])
    if args["delivery_to"]:
        statement = statement.where(Order.delivery_date <= args["delivery_to"])
    rows = list(
        db.session.scalars(
            statement.options(selectinload(Order.lines)).order_by(Order.id.desc()).limit(args["limit"] + 1)
        )
    )
    related = _Related(rows[: args["limit"]])
    return page(rows, args["limit"], lambda order: order_data(order, related))


@bp.route("/orders/<int:order_id>")
@requires_key(bp, "ordering", "accounting")
@bp.response(200, PartnerOrderSchema)
@error_responses(bp, 404)
def order(order_id: int):
    """One of your orders

    404 for an order that is not yours."""
    found = partner_orders.partner_order(current_partner().id, None, order_id)
    return order_data(found, _Related([found]))


# Placing an order ------------------------------------------------------------------------------


def _wait_turn(partner: Partner) -> None:
    # The transaction's first statement writes the partner's row (as place_partner_order's does):
    # a second request of the same partner waits here until the first one commits, then finds
    # its stored answer (PostgreSQL locks the row; SQLite has one writer at a time).
    db.session.execute(update(Partner).where(Partner.id == partner.id).values(status=Partner.status))


def _answer(body: dict, status: int, *, replayed: bool):
    response = jsonify(body)
    response.status_code = status
    response.headers["Location"] = url_for("api_partner_orders.order", order_id=body["id"])
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _replay(record: IdempotencyRecord, digest: str):
    status, answer = idempotency.replay(record, digest)
    return _answer(answer, status, replayed=True)


def _mail_to(partner: Partner, key: ApiKey) -> str:
    """Who the order's mail goes to: the person who made the key while they act for the partner,
    else the partner's e-invoice address (else its first owner)."""
    if key.created_by_user_id is not None and db.session.get(PartnerMember, (key.created_by_user_id, partner.id)):
        return db.session.get(User, key.created_by_user_id).email
    if partner.einvoice_email:
        return partner.einvoice_email
    return owners_of(partner)[0].email


def _lines(lines: list[dict]) -> tuple[list[tuple[int, int]], dict[int, int]]:
    """The body's lines as (variant id, quantity) pairs, and each variant's line number. Raises
    ValidationError on `lines.<n>.sku` for a SKU not for sale or named twice."""
    found = orderable_by_sku(line["sku"] for line in lines)
    quantities, index_of = [], {}
    for n, line in enumerate(lines):
        variant = found.get(line["sku"].strip().lower())
        if variant is None:
            raise unknown_sku(n, line["sku"])
        if variant.id in index_of:
            raise twice(n, line["sku"])
        index_of[variant.id] = n
        quantities.append((variant.id, line["quantity"]))
    return quantities, index_of


def _named(exc: ShopError, index_of: dict[int, int]) -> ShopError:
    """The service's refusal, on the line of the body it is about."""
    variant_id = getattr(exc, "variant_id", None)
    if variant_id in index_of:
        exc.field = f"lines.{index_of[variant_id]}.quantity"
    elif exc.field == "quantities":
        exc.field = "lines"
    return exc


@bp.route("/orders", methods=["POST"])
@requires_key(bp, "ordering")
@bp.arguments(IdempotencyHeaders, location="headers")
@bp.arguments(PartnerOrderRequestSchema)
@bp.response(
    201,
    PartnerOrderSchema,
    headers={
        "Idempotent-Replayed": {
            "description": "`true` when this is the stored answer to an earlier request with the same key.",
            "schema": {"type": "string"},
        },
        "Location": {"description": "The order's address in this API.", "schema": {"type": "string"}},
    },
)
@error_responses(bp, 409, 422)
def place(headers, body):
    """Place an order

    At your prices today, for a location, date and window (see `/locations` and
    `/delivery-dates`), exactly as the quick order places it: on account for a partner on
    payment terms (confirmed at once, with its invoice), otherwise waiting for its payment at
    `payment.payment_url`.

    Send an `Idempotency-Key`. The same key with the same body (compared as canonical JSON)
    returns the same order, with the same status and `Idempotent-Replayed: true`, however many
    times and however close together it is sent; the same key with another body is 409
    `idempotency_key_reused`. A refusal is not kept: fix the request and send it again with the
    same key.

    Refusals say what to change and where (`details[].field`, e.g. `lines.2.quantity`): a SKU not
    for sale, a quantity off the partner rules or above the stock (409 `out_of_stock` when the
    stock went meanwhile), a date or window the location or the producers cannot make, a way to
    pay you may not use, the credit limit or an overdue invoice (422); nothing is ordered or
    reserved."""
    partner = current_partner()
    key = current_key()
    idempotency_key = headers["idempotency_key"]
    digest = idempotency.digest(request.get_json(silent=True))
    _wait_turn(partner)
    record = idempotency.stored(key.id, idempotency_key)
    if record is not None:
        db.session.commit()
        return _replay(record, digest)
    index_of: dict[int, int] = {}
    try:
        quantities, index_of = _lines(body["lines"])
        location = db.session.get(PartnerLocation, body["location_id"])
        if location is None:
            raise ValidationError(_l("Choose one of your delivery locations."), field="location_id")
        placed = place_partner_order(
            partner,
            PartnerOrderRequest(
                location=location,
                quantities=quantities,
                delivery_date=body["delivery_date"],
                window=body["window"],
                po_number=body["po_number"],
                payment_method=body["payment_method"],
                note=body["note"],
                expected_total_vnd=body["expected_total_vnd"],
                checkout_token=idempotency.token(key.id, idempotency_key),
            ),
            actor_user_id=None,
            email=_mail_to(partner, key),
            locale=locale(),
        )
        answer = PartnerOrderSchema().dump(order_data(placed, _Related([placed])))
        answer["api_key"] = {"id": key.id, "name": key.name, "prefix": key.prefix}
        idempotency.remember(key.id, idempotency_key, digest, status=201, answer=answer, order_id=placed.id)
        audit.record("order.place", "order", placed.id, role="partner", note=key_label(key))
        db.session.commit()
    except IntegrityError:
        # Another request with this key placed it first (the unique keys saw to one order).
        db.session.rollback()
        record = idempotency.stored(key.id, idempotency_key)
        if record is None:
            raise
        return _replay(record, digest)
    except ShopError as exc:
        db.session.commit()  # the refusal wrote nothing (but the key's last use)
        raise _named(exc, index_of) from None
    return _answer(answer, 201, replayed=False)
