"""Restaurant partners' standing orders (ordering keys): read them with their next dates, create
one, pause, resume, skip or deliver again on a date, change the lines from a date, end one. Every
change goes through shop.wholesale.standing's editing services, as the pages' buttons do; the key
acts for the whole partner (every location) and is named in the audit log."""

from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop import clock
from shop.api.auth import current_key, requires_key
from shop.api.schemas import CursorArgs, error_responses, page_schema
from shop.api.views.partner_common import (
    WEEKDAYS,
    PartnerLineInSchema,
    PartnerRefSchema,
    PartnerWindowOutSchema,
    PartnerWindowSchema,
    current_partner,
    cursor_id,
    key_label,
    locale,
    page,
    renamed,
    window_out,
)
from shop.catalog.models import Variant
from shop.errors import ShopError
from shop.extensions import db
from shop.wholesale import standing as services
from shop.wholesale.models import StandingOrder
from shop.wholesale.ordering import PO_NUMBER_MAX
from shop.wholesale.standing.rules import earliest_last_date

bp = Blueprint(
    "api_partner_standing",
    __name__,
    description="Restaurant partners' standing orders: lines delivered on chosen weekdays (an ordering key).",
)

DAY_STATES = "ordered, will_order, skipped, not_receiving, paused or no_lines"


# Schemas ---------------------------------------------------------------------------------------


class PartnerStandingLineSchema(ma.Schema):
    sku = ma.fields.String(required=True, metadata={"example": "XOI-PT-HOP10"})
    product_name = ma.fields.String(required=True, metadata={"example": "Xôi Phú Thượng"})
    variant_name = ma.fields.String(required=True, metadata={"example": "Hộp 10 phần"})
    quantity = ma.fields.Integer(required=True, metadata={"example": 20})
    valid_from = ma.fields.Date(required=True, metadata={"example": "2026-12-01"})
    valid_to = ma.fields.Date(
        allow_none=True, required=True, metadata={"description": "Last day it is delivered; null: open-ended."}
    )


class PartnerStandingDateSchema(ma.Schema):
    date = ma.fields.Date(required=True, metadata={"example": "2026-12-01"})
    state = ma.fields.String(required=True, metadata={"description": DAY_STATES + ".", "example": "will_order"})
    order_id = ma.fields.Integer(
        allow_none=True, required=True, metadata={"description": "The order made for it, once made."}
    )
    can_skip = ma.fields.Boolean(required=True)
    can_unskip = ma.fields.Boolean(required=True)


class PartnerStandingOrderSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 8})
    name = ma.fields.String(required=True, metadata={"example": "Xôi sáng"})
    status = ma.fields.String(required=True, metadata={"description": "active or paused.", "example": "active"})
    location = ma.fields.Nested(PartnerRefSchema, required=True)
    weekdays = ma.fields.List(ma.fields.String(), required=True, metadata={"example": ["monday", "thursday"]})
    start_date = ma.fields.Date(required=True, metadata={"example": "2026-12-01"})
    end_date = ma.fields.Date(allow_none=True, required=True, metadata={"description": "null: no end."})
    window = ma.fields.Nested(PartnerWindowOutSchema, required=True)
    po_number = ma.fields.String(allow_none=True, required=True)
    lines = ma.fields.List(
        ma.fields.Nested(PartnerStandingLineSchema),
        required=True,
        metadata={"description": "Every line with the dates it applies (past, current and coming)."},
    )
    skipped_dates = ma.fields.List(ma.fields.Date(), required=True)


class PartnerStandingOrderDetailSchema(PartnerStandingOrderSchema):
    next_dates = ma.fields.List(
        ma.fields.Nested(PartnerStandingDateSchema),
        required=True,
        metadata={"description": "Its dates in the next 14 days, with what happens on each."},
    )


PartnerStandingOrderPageSchema = page_schema(PartnerStandingOrderSchema, "PartnerStandingOrderPage")


class PartnerStandingOrderCreateSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(max=200), metadata={"example": "Xôi sáng"})
    location_id = ma.fields.Integer(required=True, strict=True, metadata={"example": 3})
    lines = ma.fields.List(
        ma.fields.Nested(PartnerLineInSchema), required=True, validate=ma.validate.Length(min=1, max=services.MAX_LINES)
    )
    weekdays = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(WEEKDAYS)),
        required=True,
        validate=ma.validate.Length(min=1, max=7),
        metadata={"description": "Days the location receives.", "example": ["monday", "thursday"]},
    )
    start_date = ma.fields.Date(
        required=True, metadata={"description": "The first delivery date, after today.", "example": "2026-12-01"}
    )
    end_date = ma.fields.Date(load_default=None, allow_none=True, metadata={"description": "Optional last date."})
    window = ma.fields.Nested(PartnerWindowSchema, required=True)
    po_number = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.Length(max=PO_NUMBER_MAX), metadata={"example": "PO-7"}
    )


class PartnerStandingSkipSchema(ma.Schema):
    date = ma.fields.Date(required=True, metadata={"example": "2026-12-03"})


class PartnerStandingEndSchema(ma.Schema):
    date = ma.fields.Date(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "The last delivery date; left out: as soon as it may (today, or the last date whose "
            "order is already made)."
        },
    )


class PartnerStandingLinesSchema(ma.Schema):
    from_date = ma.fields.Date(
        required=True,
        data_key="from",
        metadata={"description": "The first date the new lines apply.", "example": "2026-12-07"},
    )
    lines = ma.fields.List(
        ma.fields.Nested(PartnerLineInSchema), required=True, validate=ma.validate.Length(min=1, max=services.MAX_LINES)
    )


# Answers ---------------------------------------------------------------------------------------


def _variants(standings: list[StandingOrder]) -> dict[int, Variant]:
    ids = sorted({line.variant_id for standing in standings for line in standing.lines})
    if not ids:
        return {}
    return {v.id: v for v in db.session.scalars(select(Variant).where(Variant.id.in_(ids)))}


def standing_data(standing: StandingOrder, variants: dict[int, Variant]) -> dict:
    language = locale()
    lines = []
    for line in sorted(standing.lines, key=lambda line: (line.valid_from, line.id)):
        variant = variants.get(line.variant_id)
        lines.append(
            {
                "sku": variant.sku if variant else "",
                "product_name": variant.product.name(language) if variant else "",
                "variant_name": variant.name(language) if variant else "",
                "quantity": line.quantity,
                "valid_from": line.valid_from,
                "valid_to": line.valid_to,
            }
        )
    return {
        "id": standing.id,
        "name": standing.name,
        "status": standing.status,
        "location": {"id": standing.location.id, "name": standing.location.name},
        "weekdays": [WEEKDAYS[day] for day in range(7) if standing.on_weekday(day)],
        "start_date": standing.start_date,
        "end_date": standing.end_date,
        "window": window_out(standing.window_start_minute, standing.window_end_minute),
        "po_number": standing.po_number,
        "lines": lines,
        "skipped_dates": sorted(skip.on_date for skip in standing.skips),
    }


def detail(standing: StandingOrder) -> dict:
    return {
        **standing_data(standing, services.variants_of(standing)),
        "next_dates": [
            {
                "date": day.day,
                "state": day.state,
                "order_id": day.run.order_id if day.run else None,
                "can_skip": day.can_skip,
                "can_unskip": day.can_unskip,
            }
            for day in services.upcoming(standing, clock.today())
        ],
    }


def _changed(work, names: dict[str, str] | None = None):
    """Run an editing service for the key, commit, answer with the standing order; a refusal
    (named by the body's fields) changes nothing."""
    try:
        standing = work(current_partner(), None, via=key_label(current_key()))
    except ShopError as exc:
        db.session.rollback()
        raise renamed(exc, names) from None
    db.session.commit()
    return standing


# Endpoints -------------------------------------------------------------------------------------


@bp.route("/standing-orders")
@requires_key(bp, "ordering")
@bp.arguments(CursorArgs, location="query")
@bp.response(200, PartnerStandingOrderPageSchema)
@error_responses(bp, 422)
def standing_orders(args):
    """Your standing orders

    Every location's, by id, with their lines (and the dates each applies) and skipped dates."""
    after = cursor_id(args["cursor"]) or 0
    rows = list(
        db.session.scalars(
            select(StandingOrder)
            .where(StandingOrder.partner_id == current_partner().id, StandingOrder.id > after)
            .options(selectinload(StandingOrder.lines), selectinload(StandingOrder.skips))
            .order_by(StandingOrder.id)
            .limit(args["limit"] + 1)
        )
    )
    variants = _variants(rows[: args["limit"]])
    return page(rows, args["limit"], lambda standing: standing_data(standing, variants))


@bp.route("/standing-orders", methods=["POST"])
@requires_key(bp, "ordering")
@bp.arguments(PartnerStandingOrderCreateSchema)
@bp.response(201, PartnerStandingOrderDetailSchema)
@error_responses(bp, 404, 422)
def create(body):
    """Create a standing order

    For partners on payment terms: its lines are ordered at the day's prices, on account, a few
    days before each delivery date (by the shop's nightly run). The lines keep the partner
    quantity rules and must reach the location fresh; the weekdays are days the location
    receives, the window within its hours on each of them; the first date is after today. 404
    for a location that is not yours."""
    details = services.StandingOrderDetails(
        name=body["name"],
        lines=[(line["sku"], line["quantity"]) for line in body["lines"]],
        weekdays=[WEEKDAYS.index(day) for day in body["weekdays"]],
        start_date=body["start_date"],
        end_date=body["end_date"],
        window=body["window"],
        po_number=body["po_number"],
    )
    created = _changed(
        lambda partner, user, via: services.create_standing_order(partner, user, body["location_id"], details, via=via)
    )
    return detail(created), 201


@bp.route("/standing-orders/<int:standing_order_id>")
@requires_key(bp, "ordering")
@bp.response(200, PartnerStandingOrderDetailSchema)
@error_responses(bp, 404)
def standing_order(standing_order_id: int):
    """One of your standing orders

    With what happens on each of its dates in the next 14 days (ordered, will be ordered,
    skipped…) and the orders made. 404 for one that is not yours."""
    return detail(services.standing_order_of(current_partner(), None, standing_order_id))


@bp.route("/standing-orders/<int:standing_order_id>/pause", methods=["POST"])
@requires_key(bp, "ordering")
@bp.response(200, PartnerStandingOrderDetailSchema)
@error_responses(bp, 404, 409)
def pause(standing_order_id: int):
    """Pause a standing order

    Nothing more is ordered until it is resumed (orders already made stay). 409 if paused."""
    return detail(
        _changed(lambda partner, user, via: services.pause_standing_order(partner, user, standing_order_id, via=via))
    )


@bp.route("/standing-orders/<int:standing_order_id>/resume", methods=["POST"])
@requires_key(bp, "ordering")
@bp.response(200, PartnerStandingOrderDetailSchema)
@error_responses(bp, 404, 409, 422)
def resume(standing_order_id: int):
    """Resume a paused standing order

    Ordered again from the next run on. 409 if it is not paused, 422 if its location closed."""
    return detail(
        _changed(lambda partner, user, via: services.resume_standing_order(partner, user, standing_order_id, via=via))
    )


@bp.route("/standing-orders/<int:standing_order_id>/skip", methods=["POST"])
@requires_key(bp, "ordering")
@bp.arguments(PartnerStandingSkipSchema)
@bp.response(200, PartnerStandingOrderDetailSchema)
@error_responses(bp, 404, 409, 422)
def skip(body, standing_order_id: int):
    """Skip one delivery date

    A holiday, the branch closed: nothing is ordered for it. 422 for a date not after today or not
    one of its dates; 409 if skipped already or its order is already made (cancel that order)."""
    return detail(
        _changed(
            lambda partner, user, via: services.skip_date(partner, user, standing_order_id, body["date"], via=via),
            {"day": "date"},
        )
    )


@bp.route("/standing-orders/<int:standing_order_id>/unskip", methods=["POST"])
@requires_key(bp, "ordering")
@bp.arguments(PartnerStandingSkipSchema)
@bp.response(200, PartnerStandingOrderDetailSchema)
@error_responses(bp, 404, 409, 422)
def unskip(body, standing_order_id: int):
    """Deliver on a skipped date again

    422 for a date not after today; 409 if that date is not skipped."""
    return detail(
        _changed(
            lambda partner, user, via: services.unskip_date(partner, user, standing_order_id, body["date"], via=via),
            {"day": "date"},
        )
    )


@bp.route("/standing-orders/<int:standing_order_id>/lines", methods=["PUT"])
@requires_key(bp, "ordering")
@bp.arguments(PartnerStandingLinesSchema)
@bp.response(200, PartnerStandingOrderDetailSchema)
@error_responses(bp, 404, 422)
def change_lines(body, standing_order_id: int):
    """Change the lines from a date

    From `from` on these lines are delivered instead: the lines in force end the day before. `from`
    is tomorrow at the earliest, and after the last date whose order is already made."""
    pairs = [(line["sku"], line["quantity"]) for line in body["lines"]]
    return detail(
        _changed(
            lambda partner, user, via: services.change_lines_from(
                partner, user, standing_order_id, body["from_date"], pairs, via=via
            ),
            {"from_date": "from"},
        )
    )


@bp.route("/standing-orders/<int:standing_order_id>/end", methods=["POST"])
@requires_key(bp, "ordering")
@bp.arguments(PartnerStandingEndSchema)
@bp.response(200, PartnerStandingOrderDetailSchema)
@bp.alt_response(204, description="It had not started and no order was made for it: it is removed.")
@error_responses(bp, 404, 422)
def end(body, standing_order_id: int):
    """End a standing order

    It delivers for the last time on `date` (not in the past, nor before a date whose order is
    already made). One that would end before it starts, with no order made, is removed (204)."""
    partner = current_partner()
    last = body["date"] or earliest_last_date(services.standing_order_of(partner, None, standing_order_id))
    kept = _changed(
        lambda partner, user, via: services.end_standing_order(partner, user, standing_order_id, last, via=via),
        {"last_date": "date"},
    )
    if kept is None:
        return Response(status=204)
    return detail(kept)
