"""Builders for statements and sales figures: orders, their lines and shipments made directly
(the fulfilment services are not needed to state a delivered shipment), and products to sell."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from shop import clock
from shop.catalog.models import Product, Variant
from shop.extensions import db
from shop.fulfilment.models import Shipment
from shop.orders.models import Order, OrderLine

_n = itertools.count(1)


def vn(year, month, day, hour=12, minute=0) -> datetime:
    """An instant given in Hà Nội time (UTC+7), as aware UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=clock.VN).astimezone(UTC)


def an_item(producer, name="Xôi Phú Thượng", price=50_000, *, name_en=None):
    """A product with one variant of `producer` (no stock or certificate needed here)."""
    n = next(_n)
    product = Product(
        producer=producer,
        slug=f"sp-{n}",
        group_code="thuc-pham",
        name_vi=name,
        name_en=name_en,
        province_code=1,
        ward_code=91,
        status="published",
    )
    product.variants.append(Variant(sku=f"ST-{n}", name_vi="Gói 500 g", price_vnd=price, on_hand=100, weight_g=500))
    db.session.add(product)
    db.session.flush()
    return product


def an_order(*lines, status="confirmed", placed=None, shipping=30_000):
    """An order placed at `placed` (default: the clock) holding `lines`: (product, quantity) or
    (product, quantity, unit_price). Shipments are not made here (see `a_shipment`)."""
    n = next(_n)
    order = Order(
        number=f"OCOP-T-{n:05d}",
        checkout_token=f"tok-st-{n}",
        status=status,
        payment_method="cod",
        delivery_method="standard",
        contact_name="Nguyễn Thị Lan",
        phone="0912345678",
        email="lan@example.vn",
        province_code=1,
        ward_code=103,
        street="12 Đặng Thai Mai",
        subtotal_vnd=0,
        shipping_vnd=shipping,
        total_vnd=shipping,
    )
    if placed is not None:
        order.created_at = placed
    subtotal = 0
    for item in lines:
        product, quantity, *price = item
        variant = product.variants[0]
        unit = price[0] if price else variant.price_vnd
        order.lines.append(
            OrderLine(
                producer_id=product.producer_id,
                product_id=product.id,
                variant_id=variant.id,
                sku=variant.sku,
                product_name_vi=product.name_vi,
                product_name_en=product.name_en,
                variant_name_vi=variant.name_vi,
                unit_price_vnd=unit,
                quantity=quantity,
                line_total_vnd=unit * quantity,
            )
        )
        subtotal += unit * quantity
    order.subtotal_vnd = subtotal
    order.total_vnd = subtotal + shipping
    db.session.add(order)
    db.session.flush()
    return order


def a_shipment(order, producer, *, status="delivered", delivered_at=None, commission_bp=None, refund_vnd=0):
    """`producer`'s shipment of `order` (its lines' value as subtotal)."""
    subtotal = sum(line.line_total_vnd for line in order.lines if line.producer_id == producer.id)
    shipment = Shipment(
        order_id=order.id,
        producer_id=producer.id,
        status=status,
        subtotal_vnd=subtotal,
        delivered_at=delivered_at if status == "delivered" else None,
        cancelled_at=delivered_at if status == "cancelled" else None,
        commission_bp=commission_bp,
        refund_vnd=refund_vnd,
        refund_status="due" if refund_vnd else None,
    )
    db.session.add(shipment)
    db.session.flush()
    return shipment


def delivered(producer, *lines, at, commission_bp=None, refund_vnd=0, status="delivered"):
    """An order of `lines` (all of `producer`) placed and delivered at `at`."""
    order = an_order(*lines, status="delivered" if status == "delivered" else "confirmed", placed=at)
    return a_shipment(order, producer, delivered_at=at, commission_bp=commission_bp, refund_vnd=refund_vnd,
                      status=status)  # fmt: skip
