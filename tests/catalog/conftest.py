"""A small catalog built through the catalog modules, as the shop builds it."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from shop import clock
from shop.catalog.models import Product
from tests.conftest import NOW
from tests.factories import ProducerFactory
from tests.support.builders import make_product

_sku = itertools.count(1)
# The day every catalog test runs on (the autouse clock fixture holds the shop at NOW).
TODAY = NOW.astimezone(clock.VN).date()


def names(listing) -> list[str]:
    return [p.name_vi for p in listing.products]


@pytest.fixture
def catalog(app):
    """Tây Hồ and a few other places, with every case the listing must get right."""
    return build_catalog()


def build_catalog() -> dict[str, Product]:
    """The `catalog` fixture's products, in the current app's database."""
    tay_ho = ProducerFactory(name="HTX Xôi Phú Thượng", slug="htx-xoi-phu-thuong", ward_code=91)
    sen = ProducerFactory(name="HTX Chè Sen Quảng An", slug="htx-che-sen-quang-an", ward_code=103)
    moc_chau = ProducerFactory(name="HTX Chè Mộc Châu", slug="htx-che-moc-chau", province_code=14, ward_code=3980)
    products = {
        "xoi": make_product(
            "Xôi Phú Thượng",
            producer=tay_ho,
            name_en="Phu Thuong sticky rice",
            stars=4,
            price=35_000,
            ward=91,
            craft_village="Làng nghề Xôi Phú Thượng",
        ),
        "che_sen": make_product(
            "Chè Sen Quảng An",
            producer=sen,
            name_en="Quang An lotus tea",
            stars=5,
            price=450_000,
            group="do-uong",
            ward=103,
            former_name="Phường Quảng An (cũ)",
        ),
        "dao": make_product(
            "Hoa đào Nhật Tân",
            producer=sen,
            name_en="Nhat Tan peach blossom",
            stars=3,
            price=1_200_000,
            group="sinh-vat-canh",
            ward=103,
            on_hand=0,
            decision_date=date(2024, 12, 1),
        ),
        "moc_chau": make_product(
            "Chè shan tuyết Mộc Châu",
            producer=moc_chau,
            stars=4,
            price=180_000,
            group="do-uong",
            province=14,
            ward=3980,
        ),
        "xoi_la": make_product("Xơi lá cẩm", producer=tay_ho, stars=None, price=40_000, ward=91),
        "expired": make_product(
            "Bánh cốm cũ", producer=tay_ho, stars=4, price=60_000, decision_date=TODAY - timedelta(days=40 * 31)
        ),
        "pending": make_product(
            "Mứt sen mới", producer=sen, stars=4, price=90_000, ward=103, certificate_status="pending"
        ),
        "draft": make_product("Xôi nháp", producer=tay_ho, stars=4, status="draft"),
    }
    return products
