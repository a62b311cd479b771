"""The public catalog: products (the filters and sorts of /products, cursor paging), producers,
product groups and origins. No key needed; a key that is sent must be valid.

Products are listed by the listing's own rules (`shop.catalog.listing`: which products a query
keeps and in what order), paged by keyset: a cursor holds the last product's sort key and id,
and the next page is the products after it in the listing's order, read in one statement. Names
are in the request's language (`Accept-Language: en`, else Vietnamese), as the pages show them;
`name_vi` and `name_en` are always given too. Nothing here writes to the database."""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import datetime
from urllib.parse import quote

import marshmallow as ma
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint
from sqlalchemy import Boolean, Date, DateTime, and_, bindparam, false, func, literal, or_, select
from sqlalchemy.orm import aliased

from shop import clock, geo, pricing
from shop.api.schemas import (
    MAX_ID,
    CursorArgs,
    cursor_id,
    decode_cursor,
    encode_cursor,
    error_responses,
    page_schema,
    request_locale,
)
from shop.cart.models import Cart
from shop.catalog import cards, columns, listing, pages, search, selection
from shop.catalog.certificates import current_certificate, stars_now
from shop.catalog.groups import GROUPS, GROUPS_BY_CODE, SUBGROUP_TO_GROUP
from shop.catalog.models import Product, ProductImage, Variant
from shop.errors import NotFound, ValidationError
from shop.extensions import db
from shop.producers.models import Producer, kind_label
from shop.urls import external_url

bp = Blueprint("api_catalog", __name__, description="The public catalog: no key needed.")

# Prices fit in 64 bits with room to spare: larger numbers in a request are refused (422) before
# they reach the database, which could not bind them (ids: MAX_ID, shop.api.schemas).
MAX_PRICE_VND = 10**12


# --- Groups -----------------------------------------------------------------------------------


class ProductSubgroupSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "che-bien-tu-gao"})
    name = ma.fields.String(required=True, metadata={"example": "Chế biến từ gạo, ngũ cốc"})


class ProductGroupSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "thuc-pham"})
    name = ma.fields.String(required=True, metadata={"example": "Thực phẩm"})
    subgroups = ma.fields.List(ma.fields.Nested(ProductSubgroupSchema), required=True)


class ProductGroupListSchema(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(ProductGroupSchema), required=True)


@bp.route("/groups")
@bp.response(200, ProductGroupListSchema)
@error_responses(bp, 401)
def groups():
    """The six OCOP product groups and their subgroups.

    Names are in the request's language (`Accept-Language: vi` or `en`)."""
    return {
        "data": [
            {
                "code": g.code,
                "name": str(g.name),
                "subgroups": [{"code": s.code, "name": str(s.name)} for s in g.subgroups],
            }
            for g in GROUPS
        ]
    }


# --- Schemas shared by products, producers and origins ----------------------------------------


class CatalogOriginSchema(ma.Schema):
    province_code = ma.fields.Integer(required=True, metadata={"description": "Province/city code.", "example": 1})
    province_name = ma.fields.String(allow_none=True, required=True, metadata={"example": "Thành phố Hà Nội"})
    ward_code = ma.fields.Integer(required=True, metadata={"description": "Commune/ward code.", "example": 91})
    ward_name = ma.fields.String(allow_none=True, required=True, metadata={"example": "Phường Phú Thượng"})
    former_name = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The name before the 2025 reform, as people still say it.", "example": None},
    )
    craft_village = ma.fields.String(allow_none=True, required=True, metadata={"example": "Làng nghề Xôi Phú Thượng"})


class CatalogProducerRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 3})
    name = ma.fields.String(required=True, metadata={"example": "HTX Xôi Phú Thượng"})


def _origin(row) -> dict:
    return {
        "province_code": row.province_code,
        "province_name": geo.province_name(row.province_code),
        "ward_code": row.ward_code,
        "ward_name": geo.ward_name(row.ward_code),
        "former_name": row.former_name,
        "craft_village": row.craft_village,
    }


def _static_url(path: str | None) -> str | None:
    return external_url("static", filename=path) if path else None


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

_PRODUCT_EXAMPLE = {
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
@bp.response(200, CatalogProductPageSchema, example={"data": [_PRODUCT_EXAMPLE], "next_cursor": "eyJrIjpbdHJ1ZV19"})
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
    image = aliased(ProductImage)
    first_image = (
        select(image.path)
        .where(image.product_id == Product.id)
        .order_by(image.position, image.id)
        .limit(1)
        .correlate(Product)
        .scalar_subquery()
    )
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
        first_image.label("image_path"),
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
        "origin": _origin(row),
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
        conditions.append(_after(keys, _key_values(position, keys, digest)))
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
    values = [_encoded(value) for value in last[len(last) - len(keys) :]]
    return rows, {"query": digest, "after": values}


def _encoded(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _key_values(position: dict, keys: list[tuple], digest: str) -> list:
    """The sort key values a cursor holds, checked against the keys of this query. Raises
    ValidationError (field `cursor`) for a cursor of another query or one this API did not make."""
    values = position.get("after")
    if position.get("query") != digest:
        raise ValidationError(
            _l("This cursor belongs to another query: use it with the same filters and sort."), field="cursor"
        )
    if not isinstance(values, list) or len(values) != len(keys):
        raise ValidationError(_l("This cursor is not one this API gave."), field="cursor")
    try:
        return [_decoded(value, key.type) for value, (key, _) in zip(values, keys, strict=True)]
    except ValueError:
        raise ValidationError(_l("This cursor is not one this API gave."), field="cursor") from None


def _decoded(value, kind):
    """A sort key's value as a cursor holds it (JSON), as the database compares it. Raises
    ValueError for a value that cannot be one of this key's."""
    if value is None:
        return None
    if isinstance(kind, DateTime):
        if not isinstance(value, str):
            raise ValueError(value)
        return datetime.fromisoformat(value)
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise ValueError(value)
        return value
    if not isinstance(value, int) or isinstance(value, bool) or not -(2**63) <= value < 2**63:
        raise ValueError(value)
    return value


def _after(keys: list[tuple], values: list):
    """SQL: the products after the one whose sort key is `values`, in the order of `keys`
    ((expression, descending) pairs, the last unique), where the database puts NULL: first when
    ascending on SQLite, last on PostgreSQL (and the other way round when descending)."""
    nulls_smallest = db.session.get_bind().dialect.name == "sqlite"
    alternatives = []
    for n, (key, descending) in enumerate(keys):
        same_before = [_same(k, v) for (k, _), v in zip(keys[:n], values[:n], strict=True)]
        alternatives.append(and_(*same_before, _beyond(key, values[n], descending, nulls_smallest)))
    return or_(*alternatives)


def _same(key, value):
    return key.is_(None) if value is None else key == literal(value, key.type)


def _beyond(key, value, descending: bool, nulls_smallest: bool):
    nulls_first = nulls_smallest != descending
    if value is None:
        return key.is_not(None) if nulls_first else false()
    value = literal(value, key.type)  # a bound value, booleans too
    beyond = key < value if descending else key > value
    return beyond if nulls_first else or_(beyond, key.is_(None))


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
    **_PRODUCT_EXAMPLE,
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
        "origin": _origin(p),
        "image_url": _static_url(image),
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
        "images": [{"url": _static_url(i.path), "alt": i.alt(locale)} for i in p.images],
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
    "origin": {**_PRODUCT_EXAMPLE["origin"]},
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
        "origin": _origin(producer),
        "product_count": count,
        "logo_url": _static_url(producer.logo_path),
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


# --- Origins ----------------------------------------------------------------------------------


class CatalogWardSchema(ma.Schema):
    code = ma.fields.Integer(required=True, metadata={"example": 91})
    name = ma.fields.String(required=True, metadata={"example": "Phường Phú Thượng"})
    product_count = ma.fields.Integer(required=True, metadata={"example": 3})


class CatalogProvinceSchema(ma.Schema):
    code = ma.fields.Integer(required=True, metadata={"description": "Official code (Hà Nội is 1).", "example": 1})
    name = ma.fields.String(required=True, metadata={"example": "Thành phố Hà Nội"})
    product_count = ma.fields.Integer(
        required=True, metadata={"description": "Products in the catalog from there.", "example": 17}
    )
    url = ma.fields.String(required=True, metadata={"example": "https://cho-ocop.vn/origins/01"})


class CatalogProvinceDetailSchema(CatalogProvinceSchema):
    wards = ma.fields.List(
        ma.fields.Nested(CatalogWardSchema),
        required=True,
        metadata={"description": "Its communes and wards (units since 1 July 2025), by name."},
    )


class CatalogProvinceListSchema(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(CatalogProvinceSchema), required=True)


def _province_item(code: int, name: str, count: int) -> dict:
    return {
        "code": code,
        "name": name,
        "product_count": count,
        "url": external_url("catalog.origin", province=f"{code:02d}"),
    }


@bp.route("/origins")
@bp.response(
    200,
    CatalogProvinceListSchema,
    example={
        "data": [{"code": 1, "name": "Thành phố Hà Nội", "product_count": 17, "url": "https://cho-ocop.vn/origins/01"}]
    },
)
@error_responses(bp, 401)
def origins():
    """Vietnam's 34 provinces and cities, by name, with how many products come from each."""
    counts = columns.counts(selection.catalog_columns(clock.today()).province)
    return {"data": [_province_item(code, name, counts.get(code, 0)) for code, name in geo.provinces()]}


@bp.route("/origins/<int(max=99):province_code>")
@bp.response(
    200,
    CatalogProvinceDetailSchema,
    example={
        "code": 1,
        "name": "Thành phố Hà Nội",
        "product_count": 17,
        "url": "https://cho-ocop.vn/origins/01",
        "wards": [{"code": 91, "name": "Phường Phú Thượng", "product_count": 3}],
    },
)
@error_responses(bp, 401, 404)
def origin(province_code: int):
    """One province or city, with its communes and wards and how many products come from each.

    An unknown code is 404."""
    pages.check_origin(province_code)
    per_ward = dict(
        db.session.execute(
            select(Product.ward_code, func.count())
            .where(columns.listed(), Product.province_code == province_code)
            .group_by(Product.ward_code)
        ).all()
    )
    return {
        **_province_item(province_code, geo.province_name(province_code), sum(per_ward.values())),
        "wards": [
            {"code": code, "name": name, "product_count": per_ward.get(code, 0)}
            for code, name in geo.wards(province_code)
        ],
    }
