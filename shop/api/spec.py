"""What the OpenAPI description says beyond the endpoints: how to authenticate, the error shape,
paging, idempotency, rate limits and webhooks. The endpoints describe themselves (their blueprint,
schemas and docstrings)."""

from __future__ import annotations

import marshmallow as ma

DESCRIPTION = """
The OCOP shop's API for programs: restaurant partners order from their purchasing software,
producers keep stock and shipments in step with their own systems.

**Authentication.** Send `Authorization: Bearer <key>`. An owner makes keys on the producer's
or partner's *API keys* page; each key acts for one organisation in one role and is shown only
once. The public catalog needs no key. Cookies are not accepted.

**Money** is always a whole number of Vietnamese đồng (`*_vnd`; VND has no minor unit).
Times are ISO 8601 in UTC; dates are Vietnam's calendar days.

**Errors** always have the shape `{"error": {"code": "...", "message": "...", "details": [...]}}`
with the status 400 (malformed request), 401 (no or unknown key), 403 (the key's role may not do
this), 404 (no such object, or not yours), 409 (a conflict: stock changed, idempotency key
reused with another body), 422 (the request is well formed but breaks a rule) or 429 (too many
requests; wait `Retry-After` seconds).

**Paging.** Lists return `{"data": [...], "next_cursor": "..."}`; pass `cursor` to get the
next page, until `next_cursor` is null.

**Idempotency.** `POST /api/v1/orders` needs an `Idempotency-Key` header (any unique string up to
255 characters): the same key with the same body returns the same order; with another body, 409.

**Rate limits.** Per key (per address without a key); over it, 429 with `Retry-After`.

**Webhooks.** See the `Webhooks` section: each event is POSTed as JSON to the endpoints the
owner registered, signed with HMAC-SHA256.
"""

SPEC_OPTIONS = {
    "info": {"description": DESCRIPTION.strip()},
    "servers": [{"url": "/"}],
}


def describe_security(spec) -> None:
    """The bearer key, referred to by every endpoint that needs one."""
    spec.components.security_scheme(
        "apiKey", {"type": "http", "scheme": "bearer", "description": "An API key made on your API keys page."}
    )


# Webhooks ---------------------------------------------------------------------------------------
#
# OpenAPI 3.0 has no `webhooks` key (3.1 has): the deliveries are described as an `x-webhooks`
# extension (one POST per event type, as 3.1 would, which the docs page and Redoc show), their
# payloads as component schemas, and how to receive them in the "Webhooks" tag's description.
# What is sent is made by shop/integrations/payloads.py and sending.py; these schemas describe it.

# The documented way to check a delivery; tests/integrations run this very text.
VERIFY_SNIPPET = '''
import hashlib
import hmac
import time


def verify(secret: str, headers, body: bytes, tolerance: int = 300) -> bool:
    """True if `body` (the raw bytes of the request, before any JSON parsing) was signed with
    `secret` (your endpoint's `whsec_…`) less than `tolerance` seconds ago."""
    timestamp = headers.get("Ocop-Timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    signed = timestamp.encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    given = [part.strip()[3:] for part in headers.get("Ocop-Signature", "").split(",")]
    return any(hmac.compare_digest(expected, signature) for signature in given)
'''.strip()

WEBHOOKS_DESCRIPTION = f"""
An owner registers HTTPS endpoints on the producer's or partner's *Webhooks* page and chooses
the events each is told about. When one happens, the shop POSTs it to every endpoint that chose
it, as JSON:

```json
{{"id": "evt_3f2a…", "type": "order.created", "created_at": "2026-11-30T02:00:00Z", "data": {{…}}}}
```

`data` is a snapshot of the object at the time of the event (an order, a shipment, an invoice,
a variant's stock), shaped as the schemas below say. A producer is told about its own part of an
order only (its shipment, its lines and their value); no event carries a phone number or a
street address (ask the API for those).

#### Headers

- `Ocop-Event-Id`: the event's id, the same in every delivery of the event.
- `Ocop-Event-Type`: e.g. `order.created`.
- `Ocop-Timestamp`: when this delivery was signed, in Unix seconds.
- `Ocop-Signature`: `v1=<hex HMAC-SHA256 of "<Ocop-Timestamp>.<raw body>" with the endpoint's secret>`.
- `User-Agent`: `OCOP-Webhooks/1`; `Content-Type`: `application/json` (UTF-8).

#### Checking a delivery

Compute the signature over the raw body as received (not re-serialised JSON), compare it in
constant time, refuse a timestamp more than 5 minutes away from your clock, and remember the
event ids you have handled:

```python
{VERIFY_SNIPPET}
```

#### Answering, retries and replays

- Answer any 2xx within 10 seconds (do the work afterwards). Redirects are not followed, and at
  most the first 4 KB of your answer is read and kept in the delivery log.
- Anything else (another status, a timeout, a refused connection) is retried after 1 minute,
  5 minutes, 30 minutes, 2 hours, 5 hours, then every 10 hours, with a last try 24 hours after
  the event; then the delivery is marked failed. The owner sees every try in the delivery log
  and can send a delivery again from there (a replay).
- Delivery is at least once: a retry after an answer that was lost, or a replay, delivers the
  same event again, with the same `id`. **De-duplicate by event id.** Deliveries may arrive out
  of order (a retry comes after newer events): use `created_at` and the object's `status`.
- The secret signs every delivery; rolling it on the page takes effect at once (the old secret
  stops verifying). A paused endpoint is sent nothing until it is resumed.

#### Events

- `order.created`: to a partner when it places an order (`PartnerOrderData`); to a producer
  when its part of an order is confirmed and released to it (paid, or cash on delivery), with
  its own lines only (`ProducerOrderData`).
- `order.cancelled`: to the partner of a partner order, and to each producer whose part had
  been released to it and not yet shipped.
- `shipment.shipped`, `shipment.delivered`: to the shipment's producer and, for a partner
  order, to the partner (`ShipmentData`, which then names the producer).
- `invoice.issued`: to the partner, with the order (`InvoiceData`). `invoice.overdue`: once per
  invoice, the day after its due date while it is not paid (`InvoiceData` with `days_overdue`).
- `stock.low`: to the producer, when what can be sold of a variant falls to its warning level or
  below (once when it crosses, not again while it stays below) (`StockLowData`).
""".strip()


class _Payload(ma.Schema):
    class Meta:
        # Receivers should accept fields added later.
        unknown = ma.INCLUDE


class WebhookOrderLineSchema(_Payload):
    class Meta(_Payload.Meta):
        name = "WebhookOrderLine"

    sku = ma.fields.String(required=True, metadata={"example": "XOI-PT-HOP"})
    product_name = ma.fields.String(required=True, metadata={"example": "Xôi Phú Thượng"})
    product_name_en = ma.fields.String(allow_none=True, metadata={"example": "Phu Thuong sticky rice"})
    variant_name = ma.fields.String(required=True, metadata={"example": "Hộp 500 g"})
    variant_name_en = ma.fields.String(allow_none=True, metadata={"example": "500 g box"})
    quantity = ma.fields.Integer(required=True, metadata={"example": 20})
    unit_price_vnd = ma.fields.Integer(required=True, metadata={"example": 25000})
    line_total_vnd = ma.fields.Integer(required=True, metadata={"example": 500000})
    vat_rate_bp = ma.fields.Integer(
        allow_none=True, metadata={"description": "VAT rate in basis points (800 = 8 %).", "example": 800}
    )


class WebhookWindowSchema(_Payload):
    class Meta(_Payload.Meta):
        name = "WebhookDeliveryWindow"

    start = ma.fields.String(required=True, metadata={"description": "Vietnam time.", "example": "06:00"})
    end = ma.fields.String(required=True, metadata={"example": "08:00"})


def _order_fields() -> dict:
    return {
        "id": ma.fields.Integer(required=True, metadata={"example": 1042}),
        "number": ma.fields.String(required=True, metadata={"example": "OCOP-2611-1042"}),
        "status": ma.fields.String(
            required=True,
            metadata={
                "description": "pending_payment, confirmed, processing, shipped, delivered, cancelled or refunded.",
                "example": "confirmed",
            },
        ),
        "placed_at": ma.fields.String(required=True, metadata={"example": "2026-11-30T02:00:00Z"}),
        "delivery_method": ma.fields.String(required=True, metadata={"example": "scheduled"}),
        "delivery_date": ma.fields.String(
            allow_none=True, metadata={"description": "A partner order's delivery day.", "example": "2026-12-01"}
        ),
        "delivery_window": ma.fields.Nested(WebhookWindowSchema, allow_none=True),
        "lines": ma.fields.List(ma.fields.Nested(WebhookOrderLineSchema), required=True),
        "cancelled_at": ma.fields.String(allow_none=True, metadata={"example": None}),
        "cancel_reason": ma.fields.String(
            allow_none=True, metadata={"description": "Set on a cancelled order.", "example": None}
        ),
    }


PartnerOrderDataSchema = _Payload.from_dict(
    {
        **_order_fields(),
        "po_number": ma.fields.String(allow_none=True, metadata={"example": "PO-0042"}),
        "location_id": ma.fields.Integer(allow_none=True, metadata={"example": 7}),
        "payment_method": ma.fields.String(required=True, metadata={"example": "invoice"}),
        "subtotal_vnd": ma.fields.Integer(required=True, metadata={"example": 900000}),
        "shipping_vnd": ma.fields.Integer(required=True, metadata={"example": 0}),
        "total_vnd": ma.fields.Integer(required=True, metadata={"example": 900000}),
    },
    name="PartnerOrderData",
)
ProducerOrderDataSchema = _Payload.from_dict(
    {
        **_order_fields(),
        "shipment_id": ma.fields.Integer(required=True, metadata={"example": 2210}),
        "subtotal_vnd": ma.fields.Integer(
            required=True, metadata={"description": "The value of this producer's lines.", "example": 500000}
        ),
    },
    name="ProducerOrderData",
)


class ShipmentDataSchema(_Payload):
    class Meta(_Payload.Meta):
        name = "ShipmentData"

    id = ma.fields.Integer(required=True, metadata={"example": 2210})
    order_id = ma.fields.Integer(required=True, metadata={"example": 1042})
    order_number = ma.fields.String(required=True, metadata={"example": "OCOP-2611-1042"})
    producer_id = ma.fields.Integer(required=True, metadata={"example": 3})
    producer_name = ma.fields.String(metadata={"description": "To a partner only.", "example": "HTX Xôi Phú Thượng"})
    po_number = ma.fields.String(allow_none=True, metadata={"description": "To a partner only.", "example": "PO-0042"})
    status = ma.fields.String(required=True, metadata={"description": "shipped or delivered.", "example": "shipped"})
    carrier = ma.fields.String(
        allow_none=True,
        metadata={"description": "ghn, ghtk, viettel_post, vnpost, ahamove or own.", "example": "ghn"},
    )
    tracking_number = ma.fields.String(allow_none=True, metadata={"example": "GHN123456789"})
    packed_at = ma.fields.String(allow_none=True, metadata={"example": "2026-11-30T23:10:00Z"})
    shipped_at = ma.fields.String(allow_none=True, metadata={"example": "2026-11-30T23:30:00Z"})
    delivered_at = ma.fields.String(allow_none=True, metadata={"example": None})
    subtotal_vnd = ma.fields.Integer(required=True, metadata={"example": 500000})
    lines = ma.fields.List(ma.fields.Nested(WebhookOrderLineSchema), required=True)


class InvoiceDataSchema(_Payload):
    class Meta(_Payload.Meta):
        name = "InvoiceData"

    id = ma.fields.Integer(required=True, metadata={"example": 318})
    number = ma.fields.String(required=True, metadata={"example": "HD2026-000318"})
    order_id = ma.fields.Integer(required=True, metadata={"example": 1042})
    order_number = ma.fields.String(allow_none=True, metadata={"example": "OCOP-2611-1042"})
    po_number = ma.fields.String(allow_none=True, metadata={"example": "PO-0042"})
    status = ma.fields.String(required=True, metadata={"description": "open, paid or void.", "example": "open"})
    issued_on = ma.fields.String(required=True, metadata={"example": "2026-11-30"})
    due_on = ma.fields.String(required=True, metadata={"example": "2026-12-16"})
    payment_terms = ma.fields.String(required=True, metadata={"example": "net15"})
    net_vnd = ma.fields.Integer(required=True, metadata={"example": 833334})
    vat_vnd = ma.fields.Integer(required=True, metadata={"example": 66666})
    total_vnd = ma.fields.Integer(required=True, metadata={"example": 900000})
    paid_vnd = ma.fields.Integer(required=True, metadata={"example": 0})
    outstanding_vnd = ma.fields.Integer(required=True, metadata={"example": 900000})
    days_overdue = ma.fields.Integer(metadata={"description": "In invoice.overdue only.", "example": 1})


class StockLowDataSchema(_Payload):
    class Meta(_Payload.Meta):
        name = "StockLowData"

    variant_id = ma.fields.Integer(required=True, metadata={"example": 57})
    sku = ma.fields.String(required=True, metadata={"example": "CHE-SEN-100G"})
    product_id = ma.fields.Integer(required=True, metadata={"example": 21})
    product_name = ma.fields.String(required=True, metadata={"example": "Chè sen Quảng An"})
    variant_name = ma.fields.String(required=True, metadata={"example": "Hộp 100 g"})
    on_hand = ma.fields.Integer(required=True, metadata={"example": 12})
    reserved = ma.fields.Integer(required=True, metadata={"example": 7})
    available = ma.fields.Integer(required=True, metadata={"description": "on_hand - reserved.", "example": 5})
    threshold = ma.fields.Integer(required=True, metadata={"description": "The variant's warning level.", "example": 5})


def _event_schema(name: str, event_type: str, data_schema, description: str):
    return _Payload.from_dict(
        {
            "id": ma.fields.String(
                required=True,
                metadata={"description": "Unique; the same in every delivery of the event.", "example": "evt_3f2a9c"},
            ),
            "type": ma.fields.String(required=True, metadata={"example": event_type}),
            "created_at": ma.fields.String(
                required=True, metadata={"description": "When it happened (UTC).", "example": "2026-11-30T02:00:00Z"}
            ),
            "data": ma.fields.Nested(data_schema, required=True, metadata={"description": description}),
        },
        name=name,
    )


_LINE = {
    "sku": "XOI-PT-HOP",
    "product_name": "Xôi Phú Thượng",
    "product_name_en": "Phu Thuong sticky rice",
    "variant_name": "Hộp 500 g",
    "variant_name_en": "500 g box",
    "quantity": 20,
    "unit_price_vnd": 25000,
    "line_total_vnd": 500000,
    "vat_rate_bp": 800,
}
_TEA = {
    **_LINE,
    "sku": "CHE-SEN-100G",
    "product_name": "Chè sen Quảng An",
    "product_name_en": "Quang An lotus tea",
    "variant_name": "Hộp 100 g",
    "variant_name_en": "100 g box",
    "quantity": 2,
    "unit_price_vnd": 200000,
    "line_total_vnd": 400000,
}
_ORDER = {
    "id": 1042,
    "number": "OCOP-2611-1042",
    "status": "confirmed",
    "placed_at": "2026-11-30T02:00:00Z",
    "delivery_method": "scheduled",
    "delivery_date": "2026-12-01",
    "delivery_window": {"start": "06:00", "end": "08:00"},
    "cancelled_at": None,
    "cancel_reason": None,
}
_PARTNER_ORDER = {
    **_ORDER,
    "po_number": "PO-0042",
    "location_id": 7,
    "payment_method": "invoice",
    "subtotal_vnd": 900000,
    "shipping_vnd": 0,
    "total_vnd": 900000,
    "lines": [_LINE, _TEA],
}
_PRODUCER_ORDER = {**_ORDER, "shipment_id": 2210, "subtotal_vnd": 500000, "lines": [_LINE]}
_SHIPMENT = {
    "id": 2210,
    "order_id": 1042,
    "order_number": "OCOP-2611-1042",
    "producer_id": 3,
    "status": "shipped",
    "carrier": "ghn",
    "tracking_number": "GHN123456789",
    "packed_at": "2026-11-30T23:10:00Z",
    "shipped_at": "2026-11-30T23:30:00Z",
    "delivered_at": None,
    "subtotal_vnd": 500000,
    "lines": [_LINE],
}
_INVOICE = {
    "id": 318,
    "number": "HD2026-000318",
    "order_id": 1042,
    "order_number": "OCOP-2611-1042",
    "po_number": "PO-0042",
    "status": "open",
    "issued_on": "2026-11-30",
    "due_on": "2026-12-16",
    "payment_terms": "net15",
    "net_vnd": 833334,
    "vat_vnd": 66666,
    "total_vnd": 900000,
    "paid_vnd": 0,
    "outstanding_vnd": 900000,
}
_STOCK = {
    "variant_id": 57,
    "sku": "CHE-SEN-100G",
    "product_id": 21,
    "product_name": "Chè sen Quảng An",
    "variant_name": "Hộp 100 g",
    "on_hand": 12,
    "reserved": 7,
    "available": 5,
    "threshold": 5,
}

# (event type, summary, [(schema name, data schema, to whom, example data)])
WEBHOOK_EVENTS = (
    (
        "order.created",
        "An order was placed (partner) or released to a producer",
        [
            ("OrderCreatedPartnerEvent", PartnerOrderDataSchema, "To a partner: its whole order.", _PARTNER_ORDER),
            (
                "OrderCreatedProducerEvent",
                ProducerOrderDataSchema,
                "To a producer: its own part of the order.",
                _PRODUCER_ORDER,
            ),
        ],
    ),
    (
        "order.cancelled",
        "An order was cancelled before it shipped",
        [
            (
                "OrderCancelledPartnerEvent",
                PartnerOrderDataSchema,
                "To a partner: its whole order.",
                {
                    **_PARTNER_ORDER,
                    "status": "cancelled",
                    "cancelled_at": "2026-11-30T03:00:00Z",
                    "cancel_reason": "staff",
                },
            ),
            (
                "OrderCancelledProducerEvent",
                ProducerOrderDataSchema,
                "To a producer: its own part of the order.",
                {
                    **_PRODUCER_ORDER,
                    "status": "cancelled",
                    "cancelled_at": "2026-11-30T03:00:00Z",
                    "cancel_reason": "staff",
                },
            ),
        ],
    ),
    (
        "shipment.shipped",
        "A shipment left with its carrier",
        [("ShipmentShippedEvent", ShipmentDataSchema, "The shipment.", _SHIPMENT)],
    ),
    (
        "shipment.delivered",
        "A shipment was delivered",
        [
            (
                "ShipmentDeliveredEvent",
                ShipmentDataSchema,
                "The shipment.",
                {**_SHIPMENT, "status": "delivered", "delivered_at": "2026-12-01T00:40:00Z"},
            )
        ],
    ),
    (
        "invoice.issued",
        "An invoice was issued for a partner's order",
        [("InvoiceIssuedEvent", InvoiceDataSchema, "The invoice.", _INVOICE)],
    ),
    (
        "invoice.overdue",
        "An invoice is past its due date and not paid",
        [
            (
                "InvoiceOverdueEvent",
                InvoiceDataSchema,
                "The invoice, with days_overdue.",
                {**_INVOICE, "due_on": "2026-11-29", "days_overdue": 1},
            )
        ],
    ),
    (
        "stock.low",
        "What can be sold of a variant fell to its warning level",
        [("StockLowEvent", StockLowDataSchema, "The variant's stock now.", _STOCK)],
    ),
)

_HEADERS = (
    ("Ocop-Event-Id", "The event's id (de-duplicate by it).", "evt_3f2a9c"),
    ("Ocop-Event-Type", "The event's type.", "order.created"),
    ("Ocop-Timestamp", "When this delivery was signed, Unix seconds.", "1796004000"),
    (
        "Ocop-Signature",
        'v1= and the hex HMAC-SHA256 of "<Ocop-Timestamp>.<raw body>" with the endpoint\'s secret.',
        "v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
    ),
    ("User-Agent", "Always this.", "OCOP-Webhooks/1"),
)


def describe_webhooks(spec) -> None:
    """The deliveries as an `x-webhooks` extension (one POST per event type), their payloads as
    component schemas, and how to receive them as the "Webhooks" tag's description."""
    spec.tag({"name": "Webhooks", "description": WEBHOOKS_DESCRIPTION})
    for name, schema in (
        ("WebhookOrderLine", WebhookOrderLineSchema),
        ("WebhookDeliveryWindow", WebhookWindowSchema),
        ("PartnerOrderData", PartnerOrderDataSchema),
        ("ProducerOrderData", ProducerOrderDataSchema),
        ("ShipmentData", ShipmentDataSchema),
        ("InvoiceData", InvoiceDataSchema),
        ("StockLowData", StockLowDataSchema),
    ):
        spec.components.schema(name, schema=schema)
    hooks = {}
    for event_type, summary, variants in WEBHOOK_EVENTS:
        parameters = [
            {
                "name": name,
                "in": "header",
                "required": True,
                "description": text,
                "schema": {"type": "string"},
                "example": event_type if name == "Ocop-Event-Type" else example,
            }
            for name, text, example in _HEADERS
        ]
        refs, examples = [], {}
        for name, data_schema, audience, example in variants:
            spec.components.schema(name, schema=_event_schema(name, event_type, data_schema, audience))
            refs.append({"$ref": f"#/components/schemas/{name}"})
            examples[name] = {
                "summary": audience,
                "value": {
                    "id": "evt_3f2a9c",
                    "type": event_type,
                    "created_at": "2026-11-30T02:00:00Z",
                    "data": example,
                },
            }
        hooks[event_type] = {
            "post": {
                "operationId": f"webhook-{event_type.replace('.', '-')}",
                "summary": summary,
                "description": "Sent to the endpoints that chose this event; see the Webhooks section.",
                "tags": ["Webhooks"],
                "parameters": parameters,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": refs[0] if len(refs) == 1 else {"oneOf": refs},
                            "examples": examples,
                        }
                    },
                },
                "responses": {
                    "2XX": {"description": "Received: the delivery is done."},
                    "default": {"description": "Anything else (or no answer in 10 s): tried again later."},
                },
            }
        }
    spec.options["x-webhooks"] = hooks
