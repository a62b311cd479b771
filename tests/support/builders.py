"""Builders for the objects tests need, made through the services the shop uses, so a test
states only what it is about: `make_product("Chè Sen", stars=5, price=450_000)`, `a_user()`,
`stocked(...)`, `cart_with(...)`, `place(...)`. Defaults are a published, certified, in-stock
product of an active producer in Hà Nội, at the tests' clock (tests.conftest.NOW)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from shop import clock
from shop.cart import services as cart_services
from shop.catalog.certificates import TWO_TIER_FROM, add_certificate
from shop.catalog.models import Product, ProductImage, Variant
from shop.catalog.search import refresh_product
from shop.checkout import services as checkout
from shop.extensions import db
from shop.inventory.services import record_opening_stock
from shop.text import slugify
from tests.factories import PASSWORD, ProducerFactory, UserFactory

_sku = itertools.count(1)
# 09:00 in Hà Nội on the tests' day (tests.conftest.NOW): before the same-day cut-off.
MORNING = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


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


def stocked(name: str, *, on_hand: int = 10, price: int = 100_000, **fields):
    """A published product whose first variant has `on_hand` in stock, with its ledger entry."""
    product = make_product(name, on_hand=on_hand, price=price, **fields)
    record_opening_stock()
    db.session.commit()
    return product


def cart_with(*items, user_id=None, key="guest-key-1"):
    """A guest's (or `user_id`'s) cart holding (product, quantity) items."""
    cart = cart_services.get_or_create_cart(user_id, None if user_id else key)
    for product, quantity in items:
        cart_services.add_to_cart(cart, product.variants[0].id, quantity)
    db.session.commit()
    return cart


def details(**changes) -> checkout.Details:
    """What a shopper types at checkout: cash on delivery, standard delivery to Tây Hồ."""
    data = {
        "contact_name": "Nguyễn Thị Lan",
        "phone": "0912 345 678",
        "email": "lan@example.vn",
        "delivery_method": "standard",
        "payment_method": "cod",
        "province_code": 1,
        "ward_code": 103,  # Phường Tây Hồ
        "street": "12 Đặng Thai Mai",
    }
    data.update(changes)
    return checkout.Details(**data)


def place(cart, *, token="tok-1", now=MORNING, user_id=None, expected=None, **detail_changes):
    """An order placed from `cart` through checkout, at the total the review page showed."""
    d = details(**detail_changes)
    if expected is None:
        expected = checkout.quote(cart, d, now=now, locale="vi", acknowledge=False).total_vnd
    order = checkout.place_order(
        cart=cart,
        details=d,
        checkout_token=token,
        expected_total_vnd=expected,
        user_id=user_id,
        locale="vi",
        now=now,
    )
    db.session.commit()
    return order


__all__ = ["PASSWORD", "a_producer", "a_user", "an_admin", "cart_with", "details", "make_product", "place", "stocked"]
