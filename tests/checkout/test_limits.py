"""What one visitor may order and hold: orders per connection and per phone number an hour, open
cash-on-delivery orders per phone number and email, the largest cash-on-delivery and card
amounts, and guests' largest quantity of one item. Each refusal says why on the checkout page,
reserves nothing and writes no order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.cart.models import CartLine
from shop.checkout import services as checkout
from shop.checkout.limits import OrderLimitReached
from shop.errors import ValidationError
from shop.extensions import db
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments import registry
from shop.payments.methods.base import Purchase
from shop.payments.stripe_checkout import MAX_AMOUNT_VND as STRIPE_MAX_AMOUNT_VND
from tests.checkout.test_views import ADDRESS, add
from tests.checkout.test_views import checkout as fill_details
from tests.checkout.test_views import place as place_from_review
from tests.conftest import submit
from tests.factories import UserFactory
from tests.support.builders import MORNING, cart_with, details, place, stocked

TOO_MANY_FROM_HERE = "Có quá nhiều đơn hàng được đặt từ kết nối của bạn trong một giờ qua."
TOO_MANY_FROM_PHONE = "Quá nhiều đơn hàng từ số điện thoại này."


def order_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Order))


def reserved(product) -> int:
    db.session.expire_all()
    return product.variants[0].reserved


def phone(n: int) -> str:
    return f"0912 345 {600 + n}"


@pytest.fixture
def tea(app):
    return stocked("Chè Sen Quảng An", price=450_000, on_hand=50, shelf_life_days=365)


def buy_through_the_pages(client, product, n: int, **changes):
    """A whole guest checkout, as a browser does it; returns the answer to "Place order"."""
    add(client, product)
    review = fill_details(client, phone=phone(n), email=f"guest{n}@example.vn", **changes)
    return place_from_review(client, review.get_data(as_text=True))


# Orders per connection ------------------------------------------------------------------------------


def test_one_connection_places_at_most_five_orders_an_hour(app, client, tea, clock):
    app.config["ORDER_LIMIT_PER_IP_PER_HOUR"] = 5
    for n in range(5):
        response = buy_through_the_pages(client, tea, n)
        assert "/orders/OCOP-" in response.headers["Location"]
    refused = buy_through_the_pages(client, tea, 5)
    assert refused.headers["Location"].endswith("/checkout/review")
    page = client.get("/checkout/review").get_data(as_text=True)
    assert TOO_MANY_FROM_HERE in page
    assert order_count() == 5 and reserved(tea) == 5

    clock.shift(timedelta(minutes=61))
    page = client.get("/checkout/review").get_data(as_text=True)
    assert "/orders/OCOP-" in place_from_review(client, page).headers["Location"]
    assert order_count() == 6


def test_only_orders_really_placed_count_towards_the_connection_limit(app, client, tea):
    app.config["ORDER_LIMIT_PER_IP_PER_HOUR"] = 2
    add(client, tea)
    review = fill_details(client, phone=phone(0)).get_data(as_text=True)
    for _ in range(3):  # a total the shopper never saw: refused, nothing placed
        assert place_from_review(client, review, expected_total="1").headers["Location"].endswith("/checkout/review")
    assert order_count() == 0
    for n in range(2):
        assert "/orders/OCOP-" in buy_through_the_pages(client, tea, n).headers["Location"]
    buy_through_the_pages(client, tea, 2)
    assert TOO_MANY_FROM_HERE in client.get("/checkout/review").get_data(as_text=True)
    assert order_count() == 2


# Orders per phone number ----------------------------------------------------------------------------


def test_one_phone_number_places_at_most_three_orders_an_hour(tea):
    for n in range(3):
        place(cart_with((tea, 1)), token=f"tok-{n}", email=f"guest{n}@example.vn", payment_method="vietqr")
    with pytest.raises(OrderLimitReached) as refused:
        # The same number written another way is the same number.
        place(cart_with((tea, 1)), token="tok-3", phone="+84 912 345 678", payment_method="vietqr")
    db.session.rollback()
    assert str(refused.value.message).startswith(TOO_MANY_FROM_PHONE)
    assert 0 < refused.value.retry_after <= 3600
    assert order_count() == 3 and reserved(tea) == 3

    later = MORNING + timedelta(minutes=61)
    assert place(cart_with((tea, 1)), token="tok-4", now=later, payment_method="vietqr").status == "pending_payment"


def test_the_phone_limit_is_said_on_the_review_page(client, tea):
    for n in range(3):
        place(cart_with((tea, 1), key=f"other-{n}"), token=f"tok-{n}", phone=ADDRESS["phone"], email=f"g{n}@example.vn")
    add(client, tea)
    review = fill_details(client, payment_method="vietqr").get_data(as_text=True)
    response = place_from_review(client, review)
    assert response.headers["Location"].endswith("/checkout/review")
    assert TOO_MANY_FROM_PHONE in client.get("/checkout/review").get_data(as_text=True)
    assert order_count() == 3 and reserved(tea) == 3


# Open cash-on-delivery orders -----------------------------------------------------------------------


def test_an_email_holds_at_most_three_unpaid_cash_on_delivery_orders(tea):
    placed = [place(cart_with((tea, 1)), token=f"tok-{n}", phone=phone(n), email="lan@example.vn") for n in range(3)]
    with pytest.raises(ValidationError) as refused:
        place(cart_with((tea, 1)), token="tok-3", phone=phone(3), email="lan@example.vn")
    db.session.rollback()
    assert refused.value.field == "payment_method"
    assert order_count() == 3 and reserved(tea) == 3

    # Paying another way is still possible, and so is cash once an order has left.
    assert place(cart_with((tea, 1)), token="tok-4", phone=phone(4), payment_method="vietqr").id
    orders.advance(placed[0], "shipped")
    db.session.commit()
    assert place(cart_with((tea, 1)), token="tok-5", phone=phone(5)).status == "confirmed"


def test_a_phone_number_holds_at_most_three_unpaid_cash_on_delivery_orders(tea):
    for n in range(3):
        hours_later = MORNING + timedelta(hours=2 * n)  # slower than the hourly limit
        place(cart_with((tea, 1)), token=f"tok-{n}", email=f"g{n}@example.vn", now=hours_later)
    with pytest.raises(ValidationError):
        place(cart_with((tea, 1)), token="tok-3", email="g3@example.vn", now=MORNING + timedelta(hours=8))
    db.session.rollback()
    assert order_count() == 3

    cancelled = db.session.scalar(select(Order).limit(1))
    orders.cancel(cancelled, reason="shopper")
    db.session.commit()
    assert place(cart_with((tea, 1)), token="tok-4", email="g4@example.vn", now=MORNING + timedelta(hours=9)).id


def test_too_many_open_cash_orders_is_said_beside_the_payment_choice(client, tea):
    for n in range(3):
        place(cart_with((tea, 1), key=f"other-{n}"), token=f"tok-{n}", phone=phone(n), email=ADDRESS["email"])
    add(client, tea)
    response = place_from_review(client, fill_details(client).get_data(as_text=True))
    assert response.headers["Location"].endswith("/checkout")
    page = client.get("/checkout").get_data(as_text=True)
    assert "đã có 3 đơn hàng thanh toán khi nhận hàng đang chờ gửi đi" in page
    assert order_count() == 3


# The largest cash and card payments -------------------------------------------------------------------


def test_cash_on_delivery_is_not_offered_above_five_million_dong(client):
    lamp = stocked("Đèn lồng Hội An", price=2_600_000, on_hand=5, shelf_life_days=None)
    add(client, lamp, "2")
    page = client.get("/checkout").get_data(as_text=True)
    assert 'value="cod"' not in page and 'value="vietqr"' in page
    assert "Thanh toán khi nhận hàng chỉ áp dụng cho đơn hàng đến 5.000.000 ₫." in page

    refused = submit(client, "/checkout", {**ADDRESS, "payment_method": "cod"})
    assert refused.status_code == 400
    review = fill_details(client, payment_method="vietqr").get_data(as_text=True)
    assert "Thanh toán khi nhận hàng chỉ áp dụng cho đơn hàng đến 5.000.000 ₫." in review
    assert "/orders/OCOP-" in place_from_review(client, review).headers["Location"]


def test_shipping_that_takes_a_cash_order_over_the_maximum_is_caught_before_review(client):
    basket = stocked("Giỏ quà Tết", price=4_990_000, on_hand=5, shelf_life_days=None)
    add(client, basket)
    assert 'value="cod"' in client.get("/checkout").get_data(as_text=True)  # 4.990.000 ₫ before shipping
    refused = submit(client, "/checkout", {**ADDRESS, "payment_method": "cod"})
    assert refused.status_code == 400
    assert "Thanh toán khi nhận hàng chỉ áp dụng cho đơn hàng đến 5.000.000 ₫." in refused.get_data(as_text=True)
    assert order_count() == 0 and reserved(basket) == 0


def test_card_payment_is_not_offered_above_stripes_maximum(app, client):
    app.config["STRIPE_SECRET_KEY"] = "sk_test_not_called"
    rice = stocked("Gạo tám Hải Hậu (cả kho)", price=50_000_000, on_hand=5, shelf_life_days=365)
    add(client, rice, "2")  # 100.000.000 ₫: one đồng over what Stripe takes
    page = client.get("/checkout").get_data(as_text=True)
    assert 'value="stripe"' not in page and 'value="cod"' not in page and 'value="vietqr"' in page
    assert "Thanh toán bằng thẻ chỉ áp dụng cho đơn hàng đến 99.999.999 ₫" in page
    review = fill_details(client, payment_method="vietqr")
    assert review.status_code == 200
    assert "99.999.999 ₫" in review.get_data(as_text=True)


def payment_options(codes: list[str], total_vnd: int | None):
    return registry.options(Purchase(total_vnd=total_vnd), codes)


def test_the_largest_amounts_follow_the_settings(app, tea):
    assert payment_options(["cod", "stripe"], 5_000_000) == payment_options(["cod", "stripe"], None)
    assert [o.available for o in payment_options(["cod", "stripe"], 5_000_001)] == [False, True]
    assert [o.available for o in payment_options(["stripe"], STRIPE_MAX_AMOUNT_VND)] == [True]
    assert [o.available for o in payment_options(["stripe"], STRIPE_MAX_AMOUNT_VND + 1)] == [False]

    app.config.update(COD_MAX_ORDER_VND=500_000, STRIPE_MAX_AMOUNT_VND=400_000, STRIPE_SECRET_KEY="sk_test_x")
    assert checkout.payment_methods(470_000) == ["cod", "vietqr"]
    assert checkout.payment_methods(510_000) == ["vietqr"]
    with pytest.raises(ValidationError) as refused:
        checkout.quote(cart_with((tea, 2)), details(payment_method="cod"), now=MORNING, locale="vi")
    assert refused.value.field == "payment_method"
    app.config["STRIPE_MAX_AMOUNT_VND"] = 10**12  # Stripe's own limit still holds
    assert checkout.payment_methods(STRIPE_MAX_AMOUNT_VND + 1) == ["vietqr"]
    app.config["COD_MAX_ORDER_VND"] = 0  # no maximum
    assert "cod" in checkout.payment_methods(10**9)


# Guests' quantity of one item -------------------------------------------------------------------------


def test_a_guest_orders_at_most_twenty_of_one_item(client, tea):
    add(client, tea, "21")
    refused = submit(client, "/checkout", {**ADDRESS, "payment_method": "vietqr"})
    assert refused.status_code == 400
    assert "bạn chỉ có thể đặt tối đa 20 đơn vị cho mỗi sản phẩm" in refused.get_data(as_text=True)
    assert order_count() == 0 and reserved(tea) == 0

    line_id = db.session.scalar(select(CartLine.id))
    submit(client, f"/cart/lines/{line_id}", {"quantity": "20"}, page="/cart")
    review = fill_details(client, payment_method="vietqr").get_data(as_text=True)
    assert "/orders/OCOP-" in place_from_review(client, review).headers["Location"]


def test_logged_in_shoppers_keep_the_carts_own_limit(tea):
    user = UserFactory()
    db.session.commit()
    with pytest.raises(ValidationError):
        checkout.quote(cart_with((tea, 21)), details(), now=MORNING, locale="vi")
    quote = checkout.quote(
        cart_with((tea, 21), user_id=user.id), details(payment_method="vietqr"), now=MORNING, locale="vi"
    )
    assert quote.cart.lines[0].quantity == 21
