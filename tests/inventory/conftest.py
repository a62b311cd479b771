"""Stock fixtures: a producer with a stocked variant, its owner, another producer's variant."""

from __future__ import annotations

import pytest

from shop.extensions import db
from tests.factories import ProducerMemberFactory
from tests.support.builders import a_producer, a_user, stocked


@pytest.fixture
def producer(app):
    return a_producer(name="HTX Xôi Phú Thượng")


@pytest.fixture
def owner(producer):
    user = a_user(name="Chủ nhiệm HTX")
    ProducerMemberFactory(producer=producer, user=user, role="owner")
    db.session.commit()
    return user


@pytest.fixture
def variant(producer):
    """A variant with 10 on hand and nothing held by orders (its opening stock in the ledger)."""
    return stocked("Xôi xéo Phú Thượng", producer=producer, on_hand=10, price=35_000).variants[0]


@pytest.fixture
def other_variant(app):
    return stocked("Chè sen Quảng An", producer=a_producer(name="HTX Chè Sen"), on_hand=7).variants[0]
