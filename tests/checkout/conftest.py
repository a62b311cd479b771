"""Products with stock, carts and orders, built through the services the shop uses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shop.cart import services as cart_services
from shop.checkout import services as checkout
from shop.extensions import db
from shop.inventory.services import record_opening_stock
from tests.support.builders import make_product

# 09:00 in Hà Nội: before the same-day cut-off.
MORNING = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
EVENING = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)  # 18:00 in Hà Nội

BANK = {
    "VIETQR_BANK_BIN": "970436",
    "VIETQR_BANK_NAME": "Vietcombank",
    "VIETQR_ACCOUNT_NUMBER": "0011004455667",
    "VIETQR_ACCOUNT_NAME": "CONG TY CHO OCOP",
}


@pytest.fixture
def app_config(app_config):
    return {**app_config, **BANK}


def stocked(name: str, *, on_hand: int = 10, price: int = 100_000, **fields):
    """A published product whose first variant has `on_hand` in stock, with its ledger entry."""
    product = make_product(name, on_hand=on_hand, price=price, **fields)
    record_opening_stock()
    db.session.commit()
    return product


@pytest.fixture
def products(app):
    return {
        "tea": stocked("Chè Sen Quảng An", price=450_000, on_hand=10, shelf_life_days=365),
        "rice": stocked("Gạo nếp cái hoa vàng", price=60_000, on_hand=5, shelf_life_days=180),
        "xoi": stocked("Xôi Phú Thượng", price=35_000, on_hand=20, shelf_life_days=1),
    }


def cart_with(*items, user_id=None, key="guest-key-1"):
    """A cart holding (product, quantity) items."""
    cart = cart_services.get_or_create_cart(user_id, None if user_id else key)
    for product, quantity in items:
        cart_services.add_to_cart(cart, product.variants[0].id, quantity)
    db.session.commit()
    return cart


def details(**changes) -> checkout.Details:
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
