"""Placing an order: prices from the server, stock reserved once, one order per checkout token."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import func, select

from shop.catalog.models import Variant
from shop.checkout import services as checkout
from shop.errors import ValidationError
from shop.extensions import db
from shop.inventory.services import OutOfStock, ledger_totals
from shop.orders.models import Order
from shop.shipping import services as shipping
from tests.checkout.conftest import EVENING
from tests.support.builders import MORNING, cart_with, details, place


def test_cod_order_is_confirmed_with_copied_prices_and_reserved_stock(products):
    cart = cart_with((products["tea"], 2), (products["rice"], 1))
    order = place(cart)
    assert order.status == "confirmed"
    assert order.number.startswith("OCOP-2611-")
    assert order.subtotal_vnd == 2 * 450_000 + 60_000
    # 1.5 kg to Hà Nội: the 1–3 kg band.
    assert order.shipping_vnd == 30_000
    assert order.total_vnd == order.subtotal_vnd + 30_000
    tea_line = next(line for line in order.lines if line.sku == products["tea"].variants[0].sku)
    assert (tea_line.unit_price_vnd, tea_line.quantity, tea_line.line_total_vnd) == (450_000, 2, 900_000)
    assert tea_line.product_name_vi == "Chè Sen Quảng An"
    assert tea_line.producer_id == products["tea"].producer_id
    tea = db.session.get(Variant, products["tea"].variants[0].id)
    assert (tea.on_hand, tea.reserved, tea.available) == (10, 2, 8)
    assert ledger_totals(tea.id) == (10, 2)
    assert cart.lines == []


def test_a_price_change_after_review_stops_the_order(products):
    cart = cart_with((products["tea"], 1))
    seen = checkout.quote(cart, details(), now=MORNING, locale="vi").total_vnd
    products["tea"].variants[0].price_vnd = 500_000
    db.session.commit()
    with pytest.raises(checkout.TotalChanged):
        place(cart, expected=seen)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_a_new_price_shown_on_the_review_is_the_price_paid(products):
    cart = cart_with((products["tea"], 1))
    products["tea"].variants[0].price_vnd = 500_000
    db.session.commit()
    review = checkout.quote(cart, details(), now=MORNING, locale="vi", acknowledge=False)  # as on the review page
    assert review.cart.lines[0].price_was_vnd == 450_000
    order = place(cart, expected=review.total_vnd)
    assert order.lines[0].unit_price_vnd == 500_000 and order.total_vnd == review.total_vnd


def test_a_quantity_lowered_on_the_review_is_the_quantity_ordered(products):
    cart = cart_with((products["rice"], 5))
    place(cart_with((products["rice"], 2), key="someone-else"), token="other")
    review = checkout.quote(cart, details(), now=MORNING, locale="vi", acknowledge=False)
    assert review.cart.lines[0].lowered_from == 5
    order = place(cart, expected=review.total_vnd)
    assert [line.quantity for line in order.lines] == [3]
    assert db.session.get(Variant, products["rice"].variants[0].id).reserved == 5


def test_same_token_twice_is_one_order(products):
    cart = cart_with((products["tea"], 1))
    order = place(cart)
    again = checkout.existing_order("tok-1", user_id=None, session_numbers=[order.number])
    assert again.id == order.id
    with pytest.raises(ValidationError):
        checkout.existing_order("tok-1", user_id=None, session_numbers=[])


def test_not_enough_stock_writes_nothing(products):
    cart = cart_with((products["rice"], 5))
    seen = checkout.quote(cart, details(), now=MORNING, locale="vi").total_vnd  # the review page
    other = cart_with((products["rice"], 3), key="someone-else")
    place(other, token="other")
    with pytest.raises(OutOfStock):
        place(cart, expected=seen)
    db.session.rollback()
    rice = db.session.get(Variant, products["rice"].variants[0].id)
    assert (rice.on_hand, rice.reserved) == (5, 3)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1


def test_out_of_stock_between_review_and_place(products):
    cart = cart_with((products["rice"], 4))
    d = details()
    total = checkout.quote(cart, d, now=MORNING, locale="vi").total_vnd
    rice = db.session.get(Variant, products["rice"].variants[0].id)
    rice.reserved = 3  # another order took 3 meanwhile
    db.session.commit()
    with pytest.raises((OutOfStock, checkout.TotalChanged)):
        place(cart, expected=total)


def test_xoi_cannot_travel_by_standard_delivery(products):
    cart = cart_with((products["xoi"], 2))
    with pytest.raises(ValidationError) as err:
        place(cart, expected=0)
    assert "Xôi Phú Thượng" in str(err.value.message)
    order = place(cart, delivery_method="same_day", token="t2")
    assert order.delivery_method == "same_day" and order.shipping_vnd == 35_000


def test_same_day_closes_at_the_cut_off(products):
    cart = cart_with((products["tea"], 1))
    options = {o.method: o for o in shipping.delivery_options(checkout.price_cart(cart), 1, now=EVENING, locale="en")}
    assert not options["same_day"].available
    assert "14:00" in str(options["same_day"].reason)
    outside = {o.method: o for o in shipping.delivery_options(checkout.price_cart(cart), 79, now=MORNING, locale="en")}
    assert not outside["same_day"].available
    assert outside["standard"].price_vnd == 38_000  # Hồ Chí Minh City, up to 1 kg


def test_heavy_parcels_pay_per_extra_kilogram(app):
    zone = shipping.zone_for(79)
    assert shipping.standard_price(zone, 5_000) == 75_000
    assert shipping.standard_price(zone, 5_001) == 75_000 + 12_000
    assert shipping.standard_price(zone, 7_500) == 75_000 + 3 * 12_000


def test_ward_must_belong_to_the_province(products):
    cart = cart_with((products["tea"], 1))
    with pytest.raises(ValidationError) as err:
        place(cart, province_code=79, ward_code=103, expected=0)
    assert err.value.field == "ward_code"


@pytest.mark.parametrize("phone", ["12345", "0912", "+44 20 7946 0958", ""])
def test_phone_must_be_vietnamese(products, phone):
    cart = cart_with((products["tea"], 1))
    with pytest.raises(ValidationError) as err:
        place(cart, phone=phone, expected=0)
    assert err.value.field == "phone"


def test_payment_method_not_configured_is_refused(products):
    cart = cart_with((products["tea"], 1))
    with pytest.raises(ValidationError) as err:
        place(cart, payment_method="stripe", expected=0)
    assert err.value.field == "payment_method"


def test_vietqr_order_waits_for_payment_and_expires(products):
    from shop.orders.services import expire_due_orders

    cart = cart_with((products["tea"], 3))
    order = place(cart, payment_method="vietqr")
    assert order.status == "pending_payment" and order.expires_at is not None
    assert expire_due_orders(MORNING) == []
    later = order.expires_at.replace(tzinfo=UTC) + timedelta(seconds=1)
    expired = expire_due_orders(later)
    db.session.commit()
    assert expired == [order.id]
    assert order.status == "cancelled" and order.cancel_reason == "expired"
    tea = db.session.get(Variant, products["tea"].variants[0].id)
    assert tea.reserved == 0
    assert ledger_totals(tea.id) == (10, 0)
    # Twice is once.
    assert expire_due_orders(later + timedelta(days=1)) == []


@pytest.mark.both_databases
def test_a_placed_order_stays_the_callers_to_commit_or_roll_back(products):
    """Placing writes in a savepoint; on SQLite too, releasing it must not commit the order."""
    cart = cart_with((products["tea"], 1))
    total = checkout.quote(cart, details(), now=MORNING, locale="vi").total_vnd
    checkout.place_order(
        cart=cart, details=details(), checkout_token="tok-rollback", expected_total_vnd=total, user_id=None,
        locale="vi", now=MORNING,
    )  # fmt: skip
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert db.session.get(Variant, products["tea"].variants[0].id).reserved == 0
