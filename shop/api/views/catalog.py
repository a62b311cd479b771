"""The public catalog: products (the filters and sorts of /products, cursor paging), producers,
product groups and origins. No key needed; a key that is sent must be valid."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from shop.api.schemas import error_responses
from shop.catalog.groups import GROUPS

bp = Blueprint("api_catalog", __name__, description="The public catalog: no key needed.")


class SubgroupSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "che-bien-tu-gao"})
    name = ma.fields.String(required=True, metadata={"example": "Chế biến từ gạo, ngũ cốc"})


class GroupSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "thuc-pham"})
    name = ma.fields.String(required=True, metadata={"example": "Thực phẩm"})
    subgroups = ma.fields.List(ma.fields.Nested(SubgroupSchema), required=True)


class GroupListSchema(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(GroupSchema), required=True)


@bp.route("/groups")
@bp.response(200, GroupListSchema)
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
