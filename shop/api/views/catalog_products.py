"""The public catalog's list of products: `/products`, with the filters and sorts of the shop's
/products page, paged by keyset (catalog_keyset.py)."""

from __future__ import annotations

import functools
import hashlib
import json
from urllib.parse import quote

import marshmallow as ma
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, bindparam, func, select

from shop import clock, geo
from shop.api.schemas import (
    MAX_ID,
    CursorArgs,
    decode_cursor,
    encode_cursor,
    error_responses,
    page_schema,
    request_locale,
)
from shop.api.views.catalog import MAX_PRICE_VND, CatalogOriginSchema, CatalogProducerRefSchema, bp, origin_of
from shop.api.views.catalog_keyset import after_key, cursor_value, key_values
from shop.catalog import cards, listing, search
from shop.catalog.certificates import stars_now
from shop.catalog.groups import GROUPS_BY_CODE, SUBGROUP_TO_GROUP
from shop.catalog.models import Product, Variant
from shop.extensions import db
from shop.producers.models import Producer
from shop.urls import external_url

# --- Products: the list -----------------------------------------------------------------------


def _province_exists(code: int) -> None:
    if geo.province_name(code) is None:
        raise ma.ValidationError(gettext("There is no province or city with this code."))


def _ward_exists(code: int) -> None:
    if geo.ward_name(code) is None:
        raise ma.ValidationError(gettext("There is no commune or ward with this code."))


class ProductArgs(CursorArgs):
    """What `/products` filters and sorts by, as the shop's /products page does."""

    q = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(
            max=search.MAX_QUERY_LENGTH, error=_l("At most %(max)d characters.", max=search.MAX_QUERY_LENGTH)
        ),
        metadata={
            "description": "Words to search for, with or without diacritics; the last may be the start of a "
            "word (`xoi phu th`). Sorted by relevance unless `sort` says otherwise.",
            "example": "xôi phú thượng",
        },
    )
    group = ma.fields.String(
        validate=ma.validate.OneOf(list(GROUPS_BY_CODE), error=_l("Not a product group: see /api/v1/groups.")),
        metadata={"description": "A product group's code (`/api/v1/groups`).", "example": "thuc-pham"},
    )
    subgroup = ma.fields.String(
        validate=ma.validate.OneOf(list(SUBGROUP_TO_GROUP), error=_l("Not a subgroup: see /api/v1/groups.")),
        metadata={"description": "A subgroup's code (`/api/v1/groups`).", "example": "che-bien-tu-gao"},
    )
    stars = ma.fields.List(
        ma.fields.Integer(validate=ma.validate.Range(min=3, max=5, error=_l("OCOP stars are 3, 4 or 5."))),
        metadata={
            "description": "Star levels to keep (repeat the parameter: `stars=4&stars=5`). Only products "
            "with a verified certificate valid today have stars.",
            "example": [4, 5],
        },
    )
    province = ma.fields.Integer(
        validate=_province_exists,
        metadata={"description": "Province/city code of the product's origin (`/api/v1/origins`).", "example": 1},
    )
    ward = ma.fields.Integer(
        validate=_ward_exists,
        metadata={"description": "Commune/ward code of the product's origin.", "example": 91},
    )
    producer = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=MAX_ID),
        metadata={"description": "A producer's id (`/api/v1/producers`).", "example": 3},
    )
    min_price_vnd = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=MAX_PRICE_VND),
        metadata={"description": "Lowest price (of the cheapest pack), in đồng.", "example": 30000},
    )
    max_price_vnd = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=MAX_PRICE_VND),
        metadata={"description": "Highest price (of the cheapest pack), in đồng.", "example": 200000},
    )
    in_stock = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Only products with a pack in stock.", "example": True},
    )
    sort = ma.fields.String(
        load_default="relevance",
        validate=ma.validate.OneOf(
            list(listing.SORTS), error=_l("Not a sort order: use relevance, newest, price_asc, price_desc or stars.")
        ),
        metadata={
            "description": "`relevance` (a search's best matches first; without `q`, featured products "
            "then the newest), `newest`, `price_asc`, `price_desc` or `stars`.",
            "example": "price_asc",
        },
    )

    @ma.validates_schema
    def _consistent(self, data, **kwargs):
        group, subgroup = data.get("group"), data.get("subgroup")
        if group and subgroup and SUBGROUP_TO_GROUP[subgroup] != group:
            raise ma.ValidationError(gettext("This subgroup is not in the group chosen."), field_name="subgroup")
        province, ward = data.get("province"), data.get("ward")
        if province and ward and not geo.ward_in_province(province, ward):
            raise ma.ValidationError(gettext("This commune or ward is not in the province chosen."), field_name="ward")
        low, high = data.get("min_price_vnd"), data.get("max_price_vnd")
        if low is not None and high is not None and low > high:
            raise ma.ValidationError(gettext("The highest price is below the lowest."), field_name="max_price_vnd")


class CatalogProductSchema(ma.Schema):
    """A product as a listing shows it."""

    id = ma.fields.Integer(required=True, metadata={"example": 12})
    slug = ma.fields.String(required=True, metadata={"example": "xoi-phu-thuong"})
    name = ma.fields.String(
        required=True,
        metadata={
            "description": "In the request's language (Vietnamese when no English name).",
            "example": "Xôi Phú Thượng",
        },
    )
    name_vi = ma.fields.String(required=True, metadata={"example": "Xôi Phú Thượng"})
    name_en = ma.fields.String(allow_none=True, required=True, metadata={"example": "Phu Thuong sticky rice"})
    group = ma.fields.String(required=True, metadata={"example": "thuc-pham"})
    subgroup = ma.fields.String(allow_none=True, required=True, metadata={"example": "che-bien-tu-gao"})
    star_level = ma.fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "3–5 with a verified certificate valid today; null otherwise.", "example": 4},
    )
    price_min_vnd = ma.fields.Integer(
        allow_none=True, required=True, metadata={"description": "The cheapest pack's price.", "example": 35000}
    )
    price_max_vnd = ma.fields.Integer(
        allow_none=True, required=True, metadata={"description": "The dearest pack's price.", "example": 120000}
    )
    in_stock = ma.fields.Boolean(required=True, metadata={"description": "A pack can be ordered now.", "example": True})
    producer = ma.fields.Nested(CatalogProducerRefSchema, required=True)
    origin = ma.fields.Nested(CatalogOriginSchema, required=True)
    image_url = ma.fields.String(
        allow_none=True, required=True, metadata={"example": "https://cho-ocop.vn/static/img/products/xoi.svg"}
    )
    url = ma.fields.String(
        required=True,
        metadata={
            "description": "The product's page in the shop.",
            "example": "https://cho-ocop.vn/products/xoi-phu-thuong",
        },
    )


CatalogProductPageSchema = page_schema(CatalogProductSchema, "CatalogProductPage")

PRODUCT_EXAMPLE = {
    "id": 12,
    "slug": "xoi-phu-thuong",
    "name": "Xôi Phú Thượng",
    "name_vi": "Xôi Phú Thượng",
    "name_en": "Phu Thuong sticky rice",
    "group": "thuc-pham",
    "subgroup": "che-bien-tu-gao",
    "star_level": 4,
    "price_min_vnd": 35000,
    "price_max_vnd": 120000,
    "in_stock": True,
    "producer": {"id": 3, "name": "HTX Xôi Phú Thượng"},
    "origin": {
        "province_code": 1,
        "province_name": "Thành phố Hà Nội",
        "ward_code": 91,
        "ward_name": "Phường Phú Thượng",
        "former_name": None,
        "craft_village": "Làng nghề Xôi Phú Thượng",
    },
    "image_url": "https://cho-ocop.vn/static/img/products/xoi.svg",
    "url": "https://cho-ocop.vn/products/xoi-phu-thuong",
}


@bp.route("/products")
@bp.arguments(ProductArgs, location="query")
@bp.response(200, CatalogProductPageSchema, example={"data": [PRODUCT_EXAMPLE], "next_cursor": "eyJrIjpbdHJ1ZV19"})
@error_responses(bp, 401, 422)
def products(args):
    """List and search products, as the shop's /products page does.

    The same filters and orders as the page; pages of at most `limit` products, in the page's
    order. Pass `next_cursor` as `cursor` for the next page, with the same filters and sort
    (a cursor made for another query is refused with 422)."""
    today = clock.today()
    f = listing.Filters(
        q=args["q"].strip(),
        stars=tuple(sorted(set(args.get("stars") or ()))),
        group=args.get("group"),
        subgroup=args.get("subgroup"),
        province=args.get("province"),
        ward=args.get("ward"),
        min_price=args.get("min_price_vnd"),
        max_price=args.get("max_price_vnd"),
        in_stock=args["in_stock"],
        sort=args["sort"],
    )
    if args.get("producer") is not None:
        slug = db.session.scalar(select(Producer.slug).where(Producer.id == args["producer"]))
        if slug is None:
            return {"data": [], "next_cursor": None}
        f.producer = slug
    rows, next_position = _product_page(f, today, decode_cursor(args["cursor"]), args["limit"])
    locale, links = request_locale(), _Links()
    return {
        "data": [_product_item(row, locale, links) for row in rows],
        "next_cursor": encode_cursor(next_position) if next_position else None,
    }


@functools.cache
def _item_columns() -> tuple:
    """What a listing says of each product, one row per product (correlated lookups by key); the
    day the stars are shown for is the parameter `api_today`. Built once (putting it together
    took longer than running it)."""
    dearest = select(func.max(Variant.price_vnd)).where(Variant.product_id == Product.id).correlate(Product)
    producer_name = select(Producer.name).where(Producer.id == Product.producer_id).correlate(Product)
    return (
        Product.id,
        Product.slug,
        Product.name_vi,
        Product.name_en,
        Product.group_code,
        Product.subgroup_code,
        stars_now(bindparam("api_today", type_=Date)).label("star_level"),
        Product.price_from_vnd,
        dearest.scalar_subquery().label("price_max_vnd"),
        cards.in_stock().label("in_stock"),
        Product.producer_id,
        producer_name.scalar_subquery().label("producer_name"),
        Product.province_code,
        Product.ward_code,
        Product.former_name,
        Product.craft_village,
        cards.first_image("path").label("image_path"),
    )


class _Links:
    """Absolute links to products and pictures, as external_url builds them: the rule's start,
    worked out once a page, and the quoted slug or file (fifty links a page cost a fifth of it)."""

    SAFE = "!$&'()*+,/:;=@"  # what the URL map leaves unquoted in a path

    def __init__(self):
        self.product = external_url("catalog.product", slug="-")[:-1]
        self.static = external_url("static", filename="-")[:-1]

    def product_url(self, slug: str) -> str:
        return self.product + quote(slug, safe=self.SAFE)

    def static_url(self, path: str | None) -> str | None:
        return self.static + quote(path, safe=self.SAFE) if path else None


def _product_item(row, locale: str, links: _Links) -> dict:
    return {
        "id": row.id,
        "slug": row.slug,
        "name": Product.name(row, locale),
        "name_vi": row.name_vi,
        "name_en": row.name_en,
        "group": row.group_code,
        "subgroup": row.subgroup_code,
        "star_level": row.star_level,
        "price_min_vnd": row.price_from_vnd,
        "price_max_vnd": row.price_max_vnd,
        "in_stock": bool(row.in_stock),
        "producer": {"id": row.producer_id, "name": row.producer_name},
        "origin": origin_of(row),
        "image_url": links.static_url(row.image_path),
        "url": links.product_url(row.slug),
    }


def _query_digest(f: listing.Filters) -> str:
    """What a cursor belongs to: the query's filters and sort (not its page)."""
    kept = {name: value for name, value in vars(f).items() if name != "page"}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, default=list).encode()).hexdigest()[:16]


def _product_page(f: listing.Filters, today, position: dict | None, limit: int) -> tuple[list, dict | None]:
    """The rows of up to `limit` products the listing for `f` shows after `position` (None: from
    the first), in the listing's order, and the position after the last of them (None: no more).
    One statement: the page's ids chosen by the listing's conditions and sort keys (the listing
    index serves them), then only their rows read."""
    keys = listing.sql_order_keys(f, today)
    conditions = listing.sql_conditions(f, today)
    digest = _query_digest(f)
    if position is not None:
        conditions.append(after_key(keys, key_values(position, keys, digest)))
    order = [key.desc() if descending else key.asc() for key, descending in keys]
    labelled = [key.label(f"sort_key_{n}") for n, (key, _) in enumerate(keys)]
    chosen = select(Product.id.label("chosen_id"), *labelled).where(*conditions).order_by(*order)
    chosen = chosen.limit(limit + 1).subquery()
    sort_columns = [chosen.c[f"sort_key_{n}"] for n in range(len(keys))]
    statement = (
        select(*_item_columns(), *sort_columns)
        .join(chosen, chosen.c.chosen_id == Product.id)
        .order_by(*(c.desc() if descending else c.asc() for c, (_, descending) in zip(sort_columns, keys, strict=True)))
    )
    rows = db.session.execute(statement, {"api_today": today}).all()
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    values = [cursor_value(value) for value in last[len(last) - len(keys) :]]
    return rows, {"query": digest, "after": values}
