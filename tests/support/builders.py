"""Builders for the objects tests need, made through the services the shop uses, so a test
states only what it is about: `make_product("Chè Sen", stars=5, price=450_000)`, `a_user()`,
`stocked(...)`, `cart_with(...)`, `place(...)`. Defaults are a published, certified, in-stock
product of an active producer in Hà Nội, at the tests' clock (tests.conftest.NOW)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from shop import clock
from shop.catalog.certificates import TWO_TIER_FROM, add_certificate
from shop.catalog.models import Product, ProductImage, Variant
from shop.catalog.search import refresh_product
from shop.extensions import db
from shop.text import slugify
from tests.factories import PASSWORD, ProducerFactory, UserFactory

_sku = itertools.count(1)


def a_user(**fields):
    """A shopper account (password tests.factories.PASSWORD)."""
    return UserFactory(**fields)


def an_admin(**fields):
    return UserFactory(is_admin=True, **fields)


def a_producer(**fields):
    """An active OCOP producer (a co-operative in Phú Thượng, Hà Nội, unless told otherwise)."""
    return ProducerFactory(**fields)


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
    producer = producer or a_producer()
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


__all__ = ["PASSWORD", "a_producer", "a_user", "an_admin", "make_product"]
