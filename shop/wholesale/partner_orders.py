"""A partner's orders as its staff see them: the list (a buyer limited to some locations sees
only theirs), one order with its shipments and invoice, and the deliveries coming up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from shop import clock
from shop.errors import NotFound
from shop.extensions import db
from shop.fulfilment.models import Shipment
from shop.invoicing.models import Invoice
from shop.orders.models import Order
from shop.partners.models import PartnerLocation

PER_PAGE = 30
UPCOMING = 5
# An order that will not arrive is no "next delivery".
NOT_COMING = ("cancelled", "refunded", "delivered")


def window_label(order: Order) -> str:
    """ "06:00–08:00", or "" for an order without a window."""
    return clock.format_window(order.window_start_minute, order.window_end_minute)


def _scoped(partner_id: int, location_ids: set[int] | None):
    statement = select(Order).where(Order.partner_id == partner_id, Order.number.is_not(None))
    if location_ids is not None:
        statement = statement.where(Order.partner_location_id.in_(sorted(location_ids) or [-1]))
    return statement


@dataclass
class OrderPage:
    orders: list[Order]
    locations: dict[int, PartnerLocation]
    total: int
    page: int
    pages: int


def list_orders(
    partner_id: int, location_ids: set[int] | None, *, location_id: int | None = None, page: int = 1
) -> OrderPage:
    """The partner's orders, newest first, PER_PAGE at a time; `location_ids` None for every
    location, else only those (a buyer's); `location_id` narrows to one of them."""
    statement = _scoped(partner_id, location_ids)
    if location_id is not None:
        statement = statement.where(Order.partner_location_id == location_id)
    total = db.session.scalar(select(func.count()).select_from(statement.with_only_columns(Order.id).subquery()))
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    orders = db.session.scalars(
        statement.order_by(Order.created_at.desc(), Order.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return OrderPage(list(orders), _locations(orders), total, page, pages)


def upcoming_deliveries(partner_id: int, location_ids: set[int] | None, today: date) -> tuple[list[Order], dict]:
    """The next UPCOMING orders to arrive (today or later), soonest first, with their locations."""
    orders = db.session.scalars(
        _scoped(partner_id, location_ids)
        .where(Order.delivery_date >= today, Order.status.not_in(NOT_COMING))
        .order_by(Order.delivery_date, Order.window_start_minute, Order.id)
        .limit(UPCOMING)
    ).all()
    return list(orders), _locations(orders)


def _locations(orders) -> dict[int, PartnerLocation]:
    ids = {order.partner_location_id for order in orders if order.partner_location_id}
    if not ids:
        return {}
    return {
        location.id: location
        for location in db.session.scalars(select(PartnerLocation).where(PartnerLocation.id.in_(sorted(ids))))
    }


def partner_order(partner_id: int, location_ids: set[int] | None, order_id: int) -> Order:
    """One of the partner's orders (for a buyer limited to some locations, one of theirs).
    Raises NotFound otherwise, the same whether it exists or not."""
    order = db.session.scalar(
        _scoped(partner_id, location_ids).where(Order.id == order_id).options(selectinload(Order.lines))
    )
    if order is None:
        raise NotFound()
    return order


def shipments_of(order: Order) -> list[Shipment]:
    return list(
        db.session.scalars(
            select(Shipment)
            .where(Shipment.order_id == order.id)
            .options(selectinload(Shipment.producer))
            .order_by(Shipment.id)
        )
    )


def invoice_of(order: Order) -> Invoice | None:
    return db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))


def order_by_token(partner_id: int, token: str | None) -> Order | None:
    """The partner's order placed from the review form with this checkout token, if any (the
    same form sent again, or twice at once, places one order)."""
    return db.session.scalar(select(Order).where(Order.checkout_token == token, Order.partner_id == partner_id))
