"""A small catalog built through the catalog modules, as the shop builds it."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from shop import clock
from shop.catalog.certificates import TWO_TIER_FROM, add_certificate
from shop.catalog.models import Product, ProductImage, Variant
from shop.catalog.search import refresh_product
from shop.extensions import db
from shop.text import slugify
from tests.conftest import NOW
from tests.factories import ProducerFactory

_sku = itertools.count(1)
# The day every catalog test runs on (the autouse clock fixture holds the shop at NOW).
TODAY = NOW.astimezone(clock.VN).date()


def make_product(
    name_vi: str,
    *,
    producer=None,
    stars: int | None = 4,
    price: int = 100_000,
    group="thuc-pham",
    province=1,
    ward=91,
    on_hand=10,
    status="published",
    name_en=None,
    certificate_status="verified",
    decision_date: date | None = None,
    extra_prices=(),
    published_days_ago=10,
    **fields,
) -> Product:
    producer = producer or ProducerFactory()
    product = Product(
        producer=producer,
        slug=slugify(name_vi) + f"-{next(_sku)}",
        group_code=group,
        name_vi=name_vi,
        name_en=name_en,
        province_code=province,
        ward_code=ward,
        status=status,
        published_at=clock.now() - timedelta(days=published_days_ago),
        **fields,
    )
    db.session.add(product)
    for n, p in enumerate((price, *extra_prices)):
        product.variants.append(
            Variant(
                sku=f"SKU-{next(_sku)}",
                name_vi=f"Gói {n + 1}",
                price_vnd=p,
                on_hand=on_hand if n == 0 else 0,
                weight_g=500,
            )
        )
    product.images.append(ProductImage(path="img/hero.svg", alt_vi=f"Ảnh {name_vi}", position=0))
    db.session.flush()
    refresh_product(product)
    if stars:
        decision = decision_date or (clock.today() - timedelta(days=200))
        level = "central" if stars == 5 else ("province" if decision >= TWO_TIER_FROM or stars == 4 else "district")
        add_certificate(
            product,
            star_level=stars,
            decision_number=f"{next(_sku)}/QĐ-UBND",
            decision_date=decision,
            issuing_body="UBND Thành phố Hà Nội",
            issuer_level=level,
            verification_status=certificate_status,
            today=clock.today(),
        )
    db.session.commit()
    return product


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
