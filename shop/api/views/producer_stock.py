"""API for producers' stock (keys in role `producer`): their own variants with stock, and stock set
or adjusted for many SKUs in one call (all or nothing), through the portal's compare-and-set and
guarded updates, written to the ledger with reason `api` and the key's name (see
producer_common.py)."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from shop.api.auth import requires_key
from shop.api.schemas import (
    CursorArgs,
    cursor_id,
    encode_cursor,
    error_responses,
    no_nul,
    page_schema,
    request_locale,
)
from shop.errors import NotFound
from shop.extensions import db
from shop.integrations.keys import describe as key_note
from shop.inventory import bulk
from shop.inventory import services as stock
from shop.inventory.services import MAX_STOCK

bp = Blueprint(
    "api_producer_stock",
    __name__,
    description="Producers: your variants and their stock. Needs a key in role `producer`.",
)

MAX_ITEMS = 1000
NOTE_MAX = 100


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
        after_id=cursor_id(args["cursor"]),
        limit=limit + 1,
    )
    locale = request_locale()
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
    return _variant_out(*rows[0], request_locale())


# --- Stock --------------------------------------------------------------------------------------


class StockItemSchema(ma.Schema):
    sku = ma.fields.String(
        required=True,
        validate=[ma.validate.Length(min=1, max=40, error=_l("A SKU has 1 to 40 characters.")), no_nul],
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
        validate=[ma.validate.Length(max=NOTE_MAX, error=_l("At most %(max)d characters.", max=NOTE_MAX)), no_nul],
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
    variants = bulk.sync_stock(g.producer_id, changes, note=key_note(g.api_key, note), reason="api")
    data = [{"sku": v.sku, "on_hand": v.on_hand, "reserved": v.reserved, "available": v.available} for v in variants]
    db.session.commit()
    return {"data": data}
