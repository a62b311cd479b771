"""The public catalog: products (the filters and sorts of /products, cursor paging), producers,
product groups and origins. No key needed; a key that is sent must be valid.

Products are listed by the listing's own rules (`shop.catalog.listing`: which products a query
keeps and in what order), paged by keyset: a cursor holds the last product's sort key and id,
and the next page is the products after it in the listing's order, read in one statement. Names
are in the request's language (`Accept-Language: en`, else Vietnamese), as the pages show them;
`name_vi` and `name_en` are always given too. Nothing here writes to the database.

This module holds the blueprint, what its parts share and the product groups; each part adds its
routes to the blueprint: catalog_products.py (the list, paged by catalog_keyset.py),
catalog_product.py, catalog_producers.py, catalog_origins.py (imported in that order by
shop.api.views.blueprints, the order of the API's description)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from shop import geo
from shop.api.schemas import (
    error_responses,
)
from shop.catalog.groups import GROUPS
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


def origin_of(row) -> dict:
    return {
        "province_code": row.province_code,
        "province_name": geo.province_name(row.province_code),
        "ward_code": row.ward_code,
        "ward_name": geo.ward_name(row.ward_code),
        "former_name": row.former_name,
        "craft_village": row.craft_village,
    }


def static_url(path: str | None) -> str | None:
    return external_url("static", filename=path) if path else None
