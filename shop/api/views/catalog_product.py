"""The public catalog's product: `/products/<id>`, with its packs, certificate, origin,
producer and pictures."""

from __future__ import annotations

import marshmallow as ma
from sqlalchemy import select

from shop import clock, pricing
from shop.api.schemas import (
    MAX_ID,
    error_responses,
    request_locale,
)
from shop.api.views.catalog import bp, origin_of, static_url
from shop.api.views.catalog_products import PRODUCT_EXAMPLE, CatalogProductSchema
from shop.cart.models import Cart
from shop.catalog import pages
from shop.catalog.certificates import current_certificate
from shop.catalog.models import Product
from shop.errors import NotFound
from shop.extensions import db
from shop.urls import external_url

# --- Products: one ----------------------------------------------------------------------------


class CatalogVariantSchema(ma.Schema):
    sku = ma.fields.String(required=True, metadata={"example": "XPT-500G"})
    name = ma.fields.String(
        required=True, metadata={"description": "Size or pack, in the request's language.", "example": "Hộp 500 g"}
    )
    price_vnd = ma.fields.Integer(
        required=True, metadata={"description": "What a shopper pays, VAT included.", "example": 35000}
    )
    weight_g = ma.fields.Integer(allow_none=True, required=True, metadata={"example": 500})
    in_stock = ma.fields.Boolean(required=True, metadata={"example": True})
    max_quantity = ma.fields.Integer(
        required=True,
        metadata={
            "description": "The most a shopper can put in the cart now, as the product page allows: the "
            "stock no order holds, at most 99 (0: out of stock).",
            "example": 12,
        },
    )


class CatalogCertificateSchema(ma.Schema):
    decision_number = ma.fields.String(required=True, metadata={"example": "1147/QĐ-UBND"})
    decision_date = ma.fields.Date(required=True, metadata={"example": "2025-08-12"})
    issuing_body = ma.fields.String(required=True, metadata={"example": "UBND Thành phố Hà Nội"})
    issuer_level = ma.fields.String(
        required=True, metadata={"description": "`district`, `province` or `central`.", "example": "province"}
    )
    star_level = ma.fields.Integer(
        required=True,
        metadata={"description": "The level the decision gave (shown only while `valid_now`).", "example": 4},
    )
    potential_five_star = ma.fields.Boolean(required=True, metadata={"example": False})
    score = ma.fields.Integer(allow_none=True, required=True, metadata={"example": 78})
    valid_until = ma.fields.Date(required=True, metadata={"example": "2028-08-12"})
    status = ma.fields.String(
        required=True,
        metadata={
            "description": "`valid` (verified and valid today), `lapsed` (verified, expired) or `pending` "
            "(awaiting verification).",
            "example": "valid",
        },
    )
    valid_now = ma.fields.Boolean(required=True, metadata={"example": True})


class CatalogImageSchema(ma.Schema):
    url = ma.fields.String(required=True, metadata={"example": "https://cho-ocop.vn/static/img/products/xoi.svg"})
    alt = ma.fields.String(required=True, metadata={"example": "Xôi Phú Thượng gói lá sen"})


class CatalogSeasonSchema(ma.Schema):
    start_month = ma.fields.Integer(required=True, metadata={"example": 12})
    end_month = ma.fields.Integer(required=True, metadata={"example": 2})


class CatalogProductDetailSchema(CatalogProductSchema):
    """One product with its packs, certificate and pictures."""

    summary = ma.fields.String(
        allow_none=True, required=True, metadata={"example": "Xôi nếp cái hoa vàng đồ mỗi sáng."}
    )
    description = ma.fields.String(allow_none=True, required=True)
    unit = ma.fields.String(allow_none=True, required=True, metadata={"example": "hộp"})
    shelf_life_days = ma.fields.Integer(allow_none=True, required=True, metadata={"example": 1})
    perishable = ma.fields.Boolean(
        required=True,
        metadata={"description": "Made fresh: only same-day delivery or pickup can reach a buyer.", "example": True},
    )
    season = ma.fields.Nested(
        CatalogSeasonSchema,
        allow_none=True,
        required=True,
        metadata={"description": "Months it is sold in; null: all year."},
    )
    variants = ma.fields.List(ma.fields.Nested(CatalogVariantSchema), required=True)
    certificate = ma.fields.Nested(
        CatalogCertificateSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The certificate the product page shows: the valid one, else the latest."},
    )
    images = ma.fields.List(ma.fields.Nested(CatalogImageSchema), required=True)


_DETAIL_EXAMPLE = {
    **PRODUCT_EXAMPLE,
    "summary": "Xôi nếp cái hoa vàng đồ mỗi sáng.",
    "description": None,
    "unit": "hộp",
    "shelf_life_days": 1,
    "perishable": True,
    "season": None,
    "variants": [
        {
            "sku": "XPT-500G",
            "name": "Hộp 500 g",
            "price_vnd": 35000,
            "weight_g": 500,
            "in_stock": True,
            "max_quantity": 12,
        }
    ],
    "certificate": {
        "decision_number": "1147/QĐ-UBND",
        "decision_date": "2025-08-12",
        "issuing_body": "UBND Thành phố Hà Nội",
        "issuer_level": "province",
        "star_level": 4,
        "potential_five_star": False,
        "score": 78,
        "valid_until": "2028-08-12",
        "status": "valid",
        "valid_now": True,
    },
    "images": [{"url": "https://cho-ocop.vn/static/img/products/xoi.svg", "alt": "Xôi Phú Thượng"}],
}


@bp.route(f"/products/<int(max={MAX_ID}):product_id>")
@bp.response(200, CatalogProductDetailSchema, example=_DETAIL_EXAMPLE)
@error_responses(bp, 401, 404)
def product(product_id: int):
    """One product, with its packs, certificate, origin and pictures.

    A product the shop does not show (not published, or its producer not active) is 404, as
    its page is."""
    slug = db.session.scalar(select(Product.slug).where(Product.id == product_id))
    if slug is None:
        raise NotFound()
    today, locale = clock.today(), request_locale()
    page = pages.product_page(slug, today=today)  # NotFound for a product the catalog does not show
    p = page.product
    prices = [pricing.unit_price_vnd(v) for v in p.variants]
    image = p.images[0].path if p.images else None
    return {
        "id": p.id,
        "slug": p.slug,
        "name": p.name(locale),
        "name_vi": p.name_vi,
        "name_en": p.name_en,
        "group": p.group_code,
        "subgroup": p.subgroup_code,
        "star_level": page.stars,
        "price_min_vnd": min(prices, default=None),
        "price_max_vnd": max(prices, default=None),
        "in_stock": any(v.available > 0 for v in p.variants),
        "producer": {"id": p.producer.id, "name": p.producer.name},
        "origin": origin_of(p),
        "image_url": static_url(image),
        "url": external_url("catalog.product", slug=p.slug),
        "summary": p.summary(locale),
        "description": p.description(locale),
        "unit": p.unit(locale),
        "shelf_life_days": p.shelf_life_days,
        "perishable": p.is_perishable,
        "season": (
            {"start_month": p.season_start_month, "end_month": p.season_end_month}
            if p.season_start_month is not None
            else None
        ),
        "variants": [
            {
                "sku": v.sku,
                "name": v.name(locale),
                "price_vnd": pricing.unit_price_vnd(v),
                "weight_g": v.weight_g,
                "in_stock": v.available > 0,
                "max_quantity": max(0, min(v.available, Cart.MAX_QUANTITY)),
            }
            for v in p.variants
        ],
        "certificate": _certificate(p.certificates, today),
        "images": [{"url": static_url(i.path), "alt": i.alt(locale)} for i in p.images],
    }


def _certificate(certificates, today) -> dict | None:
    """The certificate the product page shows: the current one, else the latest (a rejected
    decision is never shown)."""
    shown = current_certificate(certificates, today) or max(
        (c for c in certificates if c.verification_status != "rejected"), key=lambda c: c.decision_date, default=None
    )
    if shown is None:
        return None
    valid = shown.is_current(today)
    return {
        "decision_number": shown.decision_number,
        "decision_date": shown.decision_date,
        "issuing_body": shown.issuing_body,
        "issuer_level": shown.issuer_level,
        "star_level": shown.star_level,
        "potential_five_star": shown.potential_five_star,
        "score": shown.score,
        "valid_until": shown.valid_until,
        "status": "valid" if valid else ("lapsed" if shown.verification_status == "verified" else "pending"),
        "valid_now": valid,
    }
