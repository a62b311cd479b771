"""The public catalog's producers: `/producers` and `/producers/<id>`."""

from __future__ import annotations

import marshmallow as ma
from sqlalchemy import func, select

from shop.api.schemas import (
    MAX_ID,
    CursorArgs,
    cursor_id,
    encode_cursor,
    error_responses,
    page_schema,
    request_locale,
)
from shop.api.views.catalog import CatalogOriginSchema, bp, origin_of, static_url
from shop.api.views.catalog_products import PRODUCT_EXAMPLE
from shop.catalog import columns, pages
from shop.catalog.models import Product
from shop.errors import NotFound
from shop.extensions import db
from shop.producers.models import Producer, kind_label
from shop.urls import external_url

# --- Producers --------------------------------------------------------------------------------


class CatalogProducerSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 3})
    slug = ma.fields.String(required=True, metadata={"example": "htx-xoi-phu-thuong"})
    name = ma.fields.String(required=True, metadata={"example": "HTX Xôi Phú Thượng"})
    kind = ma.fields.String(
        required=True, metadata={"description": "`cooperative`, `company` or `household`.", "example": "cooperative"}
    )
    kind_name = ma.fields.String(
        required=True, metadata={"description": "In the request's language.", "example": "Hợp tác xã"}
    )
    tax_code = ma.fields.String(required=True, metadata={"example": "0109000015"})
    origin = ma.fields.Nested(CatalogOriginSchema, required=True)
    product_count = ma.fields.Integer(
        required=True, metadata={"description": "Its products the catalog shows.", "example": 4}
    )
    logo_url = ma.fields.String(allow_none=True, required=True, metadata={"example": None})
    url = ma.fields.String(required=True, metadata={"example": "https://cho-ocop.vn/producers/htx-xoi-phu-thuong"})


class CatalogProducerDetailSchema(CatalogProducerSchema):
    story = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={
            "description": "Its story as its page tells it, in the request's language.",
            "example": "Làng nghề …",
        },
    )
    contact_phone = ma.fields.String(allow_none=True, required=True, metadata={"example": "0243 123 4567"})
    contact_email = ma.fields.String(allow_none=True, required=True, metadata={"example": "htx@example.vn"})


CatalogProducerPageSchema = page_schema(CatalogProducerSchema, "CatalogProducerPage")

_PRODUCER_EXAMPLE = {
    "id": 3,
    "slug": "htx-xoi-phu-thuong",
    "name": "HTX Xôi Phú Thượng",
    "kind": "cooperative",
    "kind_name": "Hợp tác xã",
    "tax_code": "0109000015",
    "origin": {**PRODUCT_EXAMPLE["origin"]},
    "product_count": 4,
    "logo_url": None,
    "url": "https://cho-ocop.vn/producers/htx-xoi-phu-thuong",
}


def _product_counts(producer_ids: list[int]) -> dict[int, int]:
    """How many products of each producer the catalog shows (one statement)."""
    if not producer_ids:
        return {}
    found = (
        select(Product.producer_id, func.count())
        .where(columns.listed(), Product.producer_id.in_(producer_ids))
        .group_by(Product.producer_id)
    )
    return dict(db.session.execute(found).all())


def _producer_item(producer, count: int) -> dict:
    return {
        "id": producer.id,
        "slug": producer.slug,
        "name": producer.name,
        "kind": producer.kind,
        "kind_name": kind_label(producer.kind),
        "tax_code": producer.tax_code,
        "origin": origin_of(producer),
        "product_count": count,
        "logo_url": static_url(producer.logo_path),
        "url": external_url("catalog.producer", slug=producer.slug),
    }


@bp.route("/producers")
@bp.arguments(CursorArgs, location="query")
@bp.response(200, CatalogProducerPageSchema, example={"data": [_PRODUCER_EXAMPLE], "next_cursor": None})
@error_responses(bp, 401, 422)
def producers(args):
    """The producers the shop shows (active ones), by id.

    Each with how many of its products the catalog shows."""
    after = cursor_id(args["cursor"], key="after_id") or 0
    limit = args["limit"]
    found = db.session.scalars(
        select(Producer).where(Producer.status == "active", Producer.id > after).order_by(Producer.id).limit(limit + 1)
    ).all()
    page = found[:limit]
    counts = _product_counts([p.id for p in page])
    return {
        "data": [_producer_item(p, counts.get(p.id, 0)) for p in page],
        "next_cursor": encode_cursor({"after_id": page[-1].id}) if len(found) > limit else None,
    }


@bp.route(f"/producers/<int(max={MAX_ID}):producer_id>")
@bp.response(
    200,
    CatalogProducerDetailSchema,
    example={**_PRODUCER_EXAMPLE, "story": "Làng nghề …", "contact_phone": None, "contact_email": None},
)
@error_responses(bp, 401, 404)
def producer(producer_id: int):
    """One producer, as its page in the shop shows it.

    A producer the shop does not show (not active) is 404."""
    slug = db.session.scalar(select(Producer.slug).where(Producer.id == producer_id))
    if slug is None:
        raise NotFound()
    found = pages.producer_by_slug(slug)  # NotFound unless active
    story = (found.story_en if request_locale() == "en" else None) or found.story_vi
    return {
        **_producer_item(found, _product_counts([found.id]).get(found.id, 0)),
        "story": story,
        "contact_phone": found.contact_phone,
        "contact_email": found.contact_email,
    }
