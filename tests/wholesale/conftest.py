"""Wholesale fixtures: an approved restaurant partner on net-15 terms with a credit limit, one
location open Mon–Sat 06:00–11:00 and a buyer; products of two producers in Hà Nội."""

from __future__ import annotations

import pytest

from shop.extensions import db
from shop.pricing.models import PriceBreak
from tests.support.builders import a_producer, stocked
from tests.support.partners import add_member, make_partner


@pytest.fixture
def app_config(app_config):
    from tests.checkout.conftest import BANK

    return {**app_config, **BANK}


@pytest.fixture
def partner(app):
    return make_partner("Nhà hàng Sen Tây Hồ", payment_terms="net15", credit_limit_vnd=5_000_000)


@pytest.fixture
def location(partner):
    return partner.locations[0]


@pytest.fixture
def buyer(partner):
    return add_member(partner, "buyer", email="bep@sentayho.vn")


@pytest.fixture
def xoi(app):
    """Xôi Phú Thượng (keeps 1 day) at 30.000 ₫ a box, 25.000 ₫ from 10 boxes, in steps of 5."""
    product = stocked(
        "Xôi Phú Thượng", on_hand=200, price=30_000, shelf_life_days=1, producer=a_producer(name="HTX Xôi")
    )
    variant = product.variants[0]
    variant.partner_step = 5
    variant.partner_min_qty = 5
    db.session.add(PriceBreak(variant_id=variant.id, min_qty=10, unit_price_vnd=25_000))
    db.session.commit()
    return variant


@pytest.fixture
def tea(app):
    """Chè sen Quảng An (keeps a year) at 200.000 ₫, another producer, fresh-produce-free group."""
    product = stocked(
        "Chè sen Quảng An",
        on_hand=50,
        price=200_000,
        shelf_life_days=365,
        group="do-uong",
        producer=a_producer(name="HTX Sen"),
    )
    return product.variants[0]
