"""Restaurant partners: the prices and quantity rules the partner orders at today, its delivery
locations with their receiving hours, and the delivery dates and windows an order can have. The
prices are shop.pricing's for this partner (never computed here), the dates shop.wholesale's."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager
from webargs.fields import DelimitedList

from shop import clock, pricing
from shop.api.auth import requires_key
from shop.api.schemas import CursorArgs, error_responses, page_schema
from shop.api.views.partner_common import (
    WEEKDAYS,
    PartnerRefSchema,
    PartnerWindowOutSchema,
    current_partner,
    cursor_id,
    locale,
    page,
    time_of_day,
    window_out,
)
from shop.catalog.groups import GROUPS
from shop.catalog.models import Product, Variant
from shop.errors import NotFound, ValidationError
from shop.extensions import db
from shop.models_base import utcnow
from shop.partners.models import PartnerLocation
from shop.wholesale import quick_order
from shop.wholesale.delivery import delivery_dates, windows
from shop.wholesale.ordering import variants_by_sku

bp = Blueprint(
    "api_partners",
    __name__,
    description="Restaurant partners: prices, delivery locations and delivery dates (a partner's key).",
)

MAX_SKUS = 100


# Prices ----------------------------------------------------------------------------------------


class PartnerPriceTierSchema(ma.Schema):
    from_quantity = ma.fields.Integer(required=True, metadata={"example": 10})
    unit_price_vnd = ma.fields.Integer(required=True, metadata={"example": 25000})


class PartnerNegotiatedPriceSchema(ma.Schema):
    unit_price_vnd = ma.fields.Integer(required=True, metadata={"example": 24000})
    valid_from = ma.fields.Date(required=True, metadata={"example": "2026-11-01"})
    valid_to = ma.fields.Date(
        required=True, allow_none=True, metadata={"description": "Last day (inclusive); null: open-ended."}
    )


class PartnerQuantityRulesSchema(ma.Schema):
    minimum = ma.fields.Integer(allow_none=True, required=True, metadata={"example": 5})
    maximum = ma.fields.Integer(allow_none=True, required=True, metadata={"example": None})
    step = ma.fields.Integer(required=True, metadata={"description": "Order in multiples of it.", "example": 5})


class PartnerPriceSchema(ma.Schema):
    sku = ma.fields.String(required=True, metadata={"example": "XOI-PT-HOP10"})
    product_id = ma.fields.Integer(required=True, metadata={"example": 12})
    product_name = ma.fields.String(required=True, metadata={"example": "Xôi Phú Thượng"})
    variant_name = ma.fields.String(required=True, metadata={"example": "Hộp 10 phần"})
    producer = ma.fields.Nested(PartnerRefSchema, required=True)
    group = ma.fields.String(required=True, metadata={"example": "thuc-pham"})
    retail_price_vnd = ma.fields.Integer(required=True, metadata={"example": 30000})
    price_ladder = ma.fields.List(
        ma.fields.Nested(PartnerPriceTierSchema),
        required=True,
        metadata={
            "description": "Your unit price from each quantity in one line: retail from 1, then the volume "
            "breaks (or only your negotiated price, when you have one today)."
        },
    )
    negotiated = ma.fields.Nested(
        PartnerNegotiatedPriceSchema,
        allow_none=True,
        required=True,
        metadata={"description": "Your negotiated price valid today, which wins over the ladder; null if none."},
    )
    quantity_rules = ma.fields.Nested(PartnerQuantityRulesSchema, required=True)
    vat_rate_bp = ma.fields.Integer(
        required=True,
        metadata={"description": "VAT included in the prices, in basis points (800 = 8%).", "example": 800},
    )
    in_stock = ma.fields.Boolean(required=True)


PartnerPricePageSchema = page_schema(PartnerPriceSchema, "PartnerPricePage")


class PriceArgs(CursorArgs):
    q = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=100), metadata={"description": "Words of the name, or a SKU."}
    )
    skus = DelimitedList(
        ma.fields.String(validate=ma.validate.Length(min=1, max=40)),
        load_default=list,
        validate=ma.validate.Length(max=MAX_SKUS),
        metadata={"description": "Only these SKUs (comma-separated, at most 100).", "example": "XOI-PT-HOP10,CHE-SEN"},
    )
    group = ma.fields.String(
        load_default=None,
        validate=ma.validate.OneOf([g.code for g in GROUPS]),
        metadata={"description": "A product group's code (see /api/v1/groups)."},
    )
    producer_id = ma.fields.Integer(load_default=None, strict=False, metadata={"description": "One producer's packs."})


def _price(variant: Variant, book: pricing.PartnerPriceBook, vat: pricing.VatTable) -> dict:
    product = variant.product
    dates = book.negotiated_dates.get(variant.id)
    negotiated = None
    if variant.id in book.negotiated and dates is not None:
        negotiated = {"unit_price_vnd": book.negotiated[variant.id], "valid_from": dates[0], "valid_to": dates[1]}
    return {
        "sku": variant.sku,
        "product_id": product.id,
        "product_name": product.name(locale()),
        "variant_name": variant.name(locale()),
        "producer": {"id": product.producer.id, "name": product.producer.name},
        "group": product.group_code,
        "retail_price_vnd": pricing.unit_price_vnd(variant),
        "price_ladder": [{"from_quantity": q, "unit_price_vnd": p} for q, p in book.tiers(variant)],
        "negotiated": negotiated,
        "quantity_rules": {
            "minimum": variant.partner_min_qty,
            "maximum": variant.partner_max_qty,
            "step": variant.partner_step or 1,
        },
        "vat_rate_bp": vat.rate_of(product),
        "in_stock": variant.available > 0,
    }


def _priced(variants: list[Variant]) -> list[dict]:
    today = clock.today()
    book = pricing.price_book(current_partner(), [v.id for v in variants], today)
    vat = pricing.vat_table(today)
    return [_price(variant, book, vat) for variant in variants]


@bp.route("/prices")
@requires_key(bp, "ordering")
@bp.arguments(PriceArgs, location="query")
@bp.response(200, PartnerPricePageSchema)
@error_responses(bp, 422)
def prices(args):
    """Your prices and quantity rules today

    Every pack you can order (published, of an active producer), by id, with your price ladder,
    your negotiated price if you have one today, the quantity rules for partners, the VAT rate
    and whether it is in stock — as the shop prices your order today."""
    after = cursor_id(args["cursor"]) or 0
    filters = quick_order.Filters(q=" ".join(args["q"].split()), group=args["group"], producer_id=args["producer_id"])
    statement = quick_order.matching(filters)
    if args["skus"]:
        statement = statement.where(func.lower(Variant.sku).in_(sorted({s.strip().lower() for s in args["skus"]})))
    variants = list(
        db.session.scalars(
            statement.where(Variant.id > after)
            .options(contains_eager(Variant.product).contains_eager(Product.producer))
            .order_by(Variant.id)
            .limit(args["limit"] + 1)
        )
    )
    answer = page(variants, args["limit"], lambda variant: variant)
    answer["data"] = _priced(answer["data"])
    return answer


@bp.route("/prices/<string:sku>")
@requires_key(bp, "ordering")
@bp.response(200, PartnerPriceSchema)
@error_responses(bp, 404)
def price(sku: str):
    """Your price of one pack today

    As in the list, for one SKU (in any case). 404 for a SKU that is not for sale."""
    variant = variants_by_sku([sku[:40]]).get(sku[:40].strip().lower())
    if variant is None:
        raise NotFound()
    return _priced([variant])[0]


# Locations -------------------------------------------------------------------------------------


class PartnerReceivingHoursSchema(ma.Schema):
    weekday = ma.fields.String(required=True, metadata={"example": "monday"})
    opens = ma.fields.String(required=True, metadata={"example": "06:00"})
    closes = ma.fields.String(required=True, metadata={"example": "11:00"})


class PartnerLocationAddressSchema(ma.Schema):
    street = ma.fields.String(required=True, metadata={"example": "27 Xuân Diệu"})
    ward_code = ma.fields.Integer(required=True, metadata={"example": 103})
    ward = ma.fields.String(allow_none=True, required=True, metadata={"example": "Phường Tây Hồ"})
    province_code = ma.fields.Integer(required=True, metadata={"example": 1})
    province = ma.fields.String(allow_none=True, required=True, metadata={"example": "Thành phố Hà Nội"})


class PartnerLocationSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 3})
    name = ma.fields.String(required=True, metadata={"example": "Chi nhánh Tây Hồ"})
    active = ma.fields.Boolean(
        required=True, metadata={"description": "false: closed; it keeps its orders, no new order may name it."}
    )
    address = ma.fields.Nested(PartnerLocationAddressSchema, required=True)
    contact_name = ma.fields.String(required=True, metadata={"example": "Trần Văn Bếp"})
    contact_phone = ma.fields.String(required=True, metadata={"example": "0912345678"})
    receiving_hours = ma.fields.List(
        ma.fields.Nested(PartnerReceivingHoursSchema),
        required=True,
        metadata={"description": "When it receives deliveries (Vietnam time); a weekday not listed: closed."},
    )


PartnerLocationPageSchema = page_schema(PartnerLocationSchema, "PartnerLocationPage")


def location_data(location: PartnerLocation) -> dict:
    return {
        "id": location.id,
        "name": location.name,
        "active": location.active,
        "address": {
            "street": location.street,
            "ward_code": location.ward_code,
            "ward": location.ward_name,
            "province_code": location.province_code,
            "province": location.province_name,
        },
        "contact_name": location.contact_name,
        "contact_phone": location.contact_phone,
        "receiving_hours": [
            {
                "weekday": WEEKDAYS[h.weekday],
                "opens": time_of_day(h.opens_minute),
                "closes": time_of_day(h.closes_minute),
            }
            for h in location.hours
        ],
    }


@bp.route("/locations")
@requires_key(bp, "ordering", "accounting")
@bp.arguments(CursorArgs, location="query")
@bp.response(200, PartnerLocationPageSchema)
@error_responses(bp, 422)
def locations(args):
    """Your delivery locations

    With their addresses and receiving hours, by id: choose an open one's `location_id`, a date
    and a window of its hours for an order (see `/delivery-dates`)."""
    after = cursor_id(args["cursor"]) or 0
    rows = list(
        db.session.scalars(
            select(PartnerLocation)
            .where(PartnerLocation.partner_id == current_partner().id, PartnerLocation.id > after)
            .order_by(PartnerLocation.id)
            .limit(args["limit"] + 1)
        )
    )
    return page(rows, args["limit"], location_data)


# Delivery dates --------------------------------------------------------------------------------


class DeliveryDatesArgs(ma.Schema):
    location_id = ma.fields.Integer(required=True, metadata={"description": "One of your open locations."})
    skus = DelimitedList(
        ma.fields.String(validate=ma.validate.Length(min=1, max=40)),
        required=True,
        validate=ma.validate.Length(min=1, max=MAX_SKUS),
        metadata={"description": "The SKUs you mean to order (comma-separated).", "example": "XOI-PT-HOP10,CHE-SEN"},
    )


class PartnerDeliveryDateSchema(ma.Schema):
    date = ma.fields.Date(required=True, metadata={"example": "2026-12-01"})
    windows = ma.fields.List(ma.fields.Nested(PartnerWindowOutSchema), required=True)


class PartnerDeliveryDatesSchema(ma.Schema):
    location_id = ma.fields.Integer(required=True, metadata={"example": 3})
    dates = ma.fields.List(
        ma.fields.Nested(PartnerDeliveryDateSchema),
        required=True,
        metadata={"description": "Empty when a perishable product cannot reach the location fresh."},
    )


@bp.route("/delivery-dates")
@requires_key(bp, "ordering")
@bp.arguments(DeliveryDatesArgs, location="query")
@bp.response(200, PartnerDeliveryDatesSchema)
@error_responses(bp, 422)
def dates(args):
    """When an order can arrive

    The delivery dates an order of these SKUs can have at the location, ordered now (the
    producers' cut-off the day before, days on the road, the location's receiving days, up to
    the ordering horizon), each with the two-hour windows of the location's hours that day."""
    partner = current_partner()
    location = db.session.get(PartnerLocation, args["location_id"])
    if location is None or location.partner_id != partner.id or not location.active:
        raise ValidationError(_l("Choose one of your delivery locations."), field="location_id")
    found = variants_by_sku(args["skus"])
    for sku in args["skus"]:
        if sku.strip().lower() not in found:
            raise ValidationError(_l("No product for sale has the SKU %(sku)s.", sku=sku), field="skus")
    products = [variant.product for variant in found.values()]
    return {
        "location_id": location.id,
        "dates": [
            {"date": day, "windows": [window_out(w.start_minute, w.end_minute) for w in windows(location, day)]}
            for day in delivery_dates(products, location, utcnow())
        ],
    }
