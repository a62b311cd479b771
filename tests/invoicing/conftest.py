"""A restaurant partner's order built straight from the models (lines of two producers at 5% and
8% VAT, delivered on Wednesday 2 December 2026), and its invoice issued as ordering issues it."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest

from shop.extensions import db
from shop.fulfilment.services import create_shipments
from shop.invoicing.services import issue_invoice
from shop.orders.models import Order, OrderLine
from tests.support.builders import a_producer, make_product
from tests.support.partners import add_member, make_partner, owner_of

_token = itertools.count(1)
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hà Nội (tests.conftest.NOW)
DELIVERY = date(2026, 12, 2)  # Wednesday


def partner_order(
    partner,
    lines,
    *,
    delivery_date: date = DELIVERY,
    po_number: str | None = "PO-7731",
    status: str = "confirmed",
    payment_method: str = "invoice",
    shipping_vnd: int = 0,
    placed: datetime = NOW,
) -> Order:
    """A scheduled order of `partner` for its first location: `lines` are (product, unit price,
    quantity, VAT rate in bp) with the product's producer; its shipments are made."""
    location = partner.locations[0]
    subtotal = sum(price * qty for _, price, qty, _ in lines)
    order = Order(
        checkout_token=f"inv-{next(_token)}",
        status=status,
        payment_method=payment_method,
        delivery_method="scheduled",
        contact_name=location.contact_name,
        phone=location.contact_phone,
        email="bep@nhahang.example.vn",
        province_code=location.province_code,
        ward_code=location.ward_code,
        street=location.street,
        partner_id=partner.id,
        partner_location_id=location.id,
        delivery_date=delivery_date,
        window_start_minute=7 * 60,
        window_end_minute=9 * 60,
        po_number=po_number,
        subtotal_vnd=subtotal,
        shipping_vnd=shipping_vnd,
        total_vnd=subtotal + shipping_vnd,
        created_at=placed,
        expires_at=None if status != "pending_payment" else datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
    )
    for product, price, qty, rate in lines:
        variant = product.variants[0]
        variant.reserved += qty  # as placing the order reserved it
        order.lines.append(
            OrderLine(
                producer_id=product.producer_id,
                product_id=product.id,
                variant_id=variant.id,
                sku=variant.sku,
                product_name_vi=product.name_vi,
                variant_name_vi=variant.name_vi,
                unit_price_vnd=price,
                quantity=qty,
                line_total_vnd=price * qty,
                vat_rate_bp=rate,
            )
        )
    db.session.add(order)
    db.session.flush()
    order.number = f"OCOP-2611-{order.id:04d}"
    create_shipments(order)
    db.session.commit()
    return order


class Shop:
    """Two producers: rice (5%, unprocessed) from one, xôi (8%, processed) from the other."""

    def __init__(self):
        self.rice_maker = a_producer(name="HTX Gạo Tây Hồ")
        self.xoi_maker = a_producer(name="HTX Xôi Phú Thượng")
        self.rice = make_product(
            "Gạo nếp cái hoa vàng", producer=self.rice_maker, price=45_000, unit_vi="kg", on_hand=1000
        )
        self.xoi = make_product(
            "Xôi xéo Phú Thượng", producer=self.xoi_maker, price=35_000, unit_vi="hộp", on_hand=1000
        )

    def order(self, partner, *, rice=(43_000, 10), xoi=(33_333, 7), **kwargs) -> Order:
        lines = []
        if rice:
            lines.append((self.rice, rice[0], rice[1], 500))
        if xoi:
            lines.append((self.xoi, xoi[0], xoi[1], 800))
        return partner_order(partner, lines, **kwargs)

    def invoiced(self, partner, **kwargs):
        order = self.order(partner, **kwargs)
        invoice = issue_invoice(order, now=kwargs.get("placed", NOW))
        db.session.commit()
        return order, invoice


@pytest.fixture
def shop(app):
    return Shop()


@pytest.fixture
def partner(app):
    """A partner on net 15 days with a 5.000.000 ₫ credit limit."""
    return make_partner("Nhà hàng Sen Tây Hồ", payment_terms="net15", credit_limit_vnd=5_000_000)


@pytest.fixture
def accountant(partner):
    return add_member(partner, "accountant")


@pytest.fixture
def buyer(partner):
    return add_member(partner, "buyer")


@pytest.fixture
def owner(partner):
    return owner_of(partner)
