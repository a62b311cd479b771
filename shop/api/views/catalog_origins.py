"""The public catalog's origins: `/origins` (provinces with product counts) and
`/origins/<province_code>` (its communes and wards)."""

from __future__ import annotations

import marshmallow as ma
from sqlalchemy import func, select

from shop import clock, geo
from shop.api.schemas import (
    error_responses,
)
from shop.api.views.catalog import bp
from shop.catalog import columns, pages, selection
from shop.catalog.models import Product
from shop.extensions import db
from shop.urls import external_url

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
