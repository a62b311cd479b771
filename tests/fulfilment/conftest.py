"""An order from two producers: HTX Xôi Phú Thượng's sticky rice and HTX Chè Sen Quảng An's lotus
tea, each producer with an owner and a staff member, and helpers to place and read it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.catalog.models import Variant
from shop.extensions import db
from shop.fulfilment.models import Shipment
from shop.mail.models import OutboundMail
from shop.mail.services import run_committed_work
from tests.checkout.conftest import app_config  # noqa: F401  (a bank account for VietQR)
from tests.portal.conftest import a_member
from tests.support.builders import a_producer, cart_with, place, stocked


class Shop:
    def __init__(self):
        self.xoi_maker = a_producer(name="HTX Xôi Phú Thượng")
        self.tea_maker = a_producer(name="HTX Chè Sen Quảng An")
        self.xoi_owner = a_member(self.xoi_maker, role="owner", email="chu@xoi.example.vn")
        self.xoi_staff = a_member(self.xoi_maker, role="staff", email="kho@xoi.example.vn")
        self.tea_owner = a_member(self.tea_maker, role="owner", email="chu@che.example.vn")
        db.session.commit()
        self.xoi = stocked("Xôi Phú Thượng", producer=self.xoi_maker, price=35_000, on_hand=20)
        self.tea = stocked("Chè Sen Quảng An", producer=self.tea_maker, price=450_000, on_hand=10)

    def order(self, *, xoi=2, tea=1, token="tok-1", key="cart-1", **changes):
        items = [(p, q) for p, q in ((self.xoi, xoi), (self.tea, tea)) if q]
        return place(cart_with(*items, key=key), token=token, **changes)

    def shipment(self, order, producer) -> Shipment:
        return db.session.scalar(
            select(Shipment).where(Shipment.order_id == order.id, Shipment.producer_id == producer.id)
        )


@pytest.fixture
def shop(app):
    yield Shop()
    # The mail these service tests queued goes out now, while the app's engine is still open (at
    # the app context's end it would open a connection that nothing closes).
    run_committed_work()
    db.session.remove()


def stock(product) -> tuple[int, int]:
    variant = db.session.get(Variant, product.variants[0].id)
    db.session.refresh(variant)
    return variant.on_hand, variant.reserved


def mails_to(address: str) -> list[OutboundMail]:
    query = select(OutboundMail).where(OutboundMail.to_addr == address).order_by(OutboundMail.id)
    return list(db.session.scalars(query))
