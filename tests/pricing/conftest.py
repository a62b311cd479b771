"""Pricing fixtures: a pack with quantity rules and breaks, partners in each state, an admin, and
producer members logged in on the test client."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from shop.extensions import db
from shop.pricing.models import PartnerPrice, PriceBreak
from tests.factories import PASSWORD, PartnerFactory
from tests.portal.conftest import a_member
from tests.support.builders import a_producer, an_admin, make_product


def a_partner(status: str = "active", **fields):
    """A restaurant partner (approved unless told otherwise)."""
    return PartnerFactory(status=status, **fields)


def with_breaks(variant, *ladder):
    """Give `variant` volume prices: (from quantity, unit price) pairs, straight into the table."""
    for min_qty, price in ladder:
        db.session.add(PriceBreak(variant_id=variant.id, min_qty=min_qty, unit_price_vnd=price))
    db.session.commit()


def negotiated(partner, variant, price, valid_from, valid_to=None):
    row = PartnerPrice(
        partner_id=partner.id, variant_id=variant.id, unit_price_vnd=price, valid_from=valid_from, valid_to=valid_to
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture(autouse=True)
def english(app):
    """Messages are read in English."""
    with force_locale("en"):
        yield


@pytest.fixture
def producer():
    return a_producer(name="HTX Xôi Phú Thượng")


@pytest.fixture
def xoi(producer):
    """Xôi Phú Thượng at 100.000 ₫ retail, a processed food (from rice)."""
    return make_product("Xôi Phú Thượng", producer=producer, price=100_000, subgroup_code="che-bien-tu-gao")


@pytest.fixture
def pack(xoi):
    return xoi.variants[0]


@pytest.fixture
def partner():
    return a_partner(name="Nhà hàng Sen Tây Hồ")


@pytest.fixture
def admin():
    return an_admin(name="Quản trị viên")


@pytest.fixture
def owner(producer):
    return a_member(producer, role="owner", name="Chủ nhiệm HTX")


@pytest.fixture
def log_in(client, login):
    """Log `user` in on the test client (commits first, so the request sees what the test made)."""

    def do(user):
        db.session.commit()
        response = login(user.email, PASSWORD)
        assert response.status_code == 302, "login failed"
        return client

    return do
