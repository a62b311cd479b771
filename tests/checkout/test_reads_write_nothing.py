"""Showing the cart and the checkout writes nothing: prices that changed, quantities lowered to the
stock and stale holds are reported, not recorded. The shopper's next POST records what they saw,
and "Place order" holds them to the total the review page showed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from shop.cart.models import CartLine
from shop.catalog.models import Variant
from shop.extensions import db
from shop.models_base import utcnow
from shop.orders.models import Order
from tests.checkout.test_views import ADDRESS, add, checkout
from tests.checkout.test_views import place as place_via_http
from tests.conftest import submit
from tests.support.builders import cart_with, place, stocked

READ_PAGES = [
    "/cart",
    "/cart?province=79",
    "/checkout",
    "/checkout/review",
    "/checkout/delivery/1?chosen=standard",
    "/checkout/wards/1",
]


@pytest.fixture
def writes(app):
    """Every INSERT, UPDATE or DELETE the app sends to the database while the test runs."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE", "REPLACE"}:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield statements
    event.remove(db.engine, "before_cursor_execute", record)


def line_of(product) -> CartLine:
    return db.session.scalar(select(CartLine).where(CartLine.variant_id == product.variants[0].id))


@pytest.fixture
def changed_since_details(client, products):
    """A guest who filled in the checkout form; since then the tea costs more, someone's unpaid
    bank transfer (now past its time, with no cron job to expire it) holds 2 of the 5 rice, and
    the lotus jam is no longer sold."""
    jam = stocked("Mứt sen Tây Hồ", price=80_000, on_hand=4, shelf_life_days=90)
    add(client, products["tea"], "2")
    add(client, products["rice"], "5")
    add(client, jam, "1")
    assert submit(client, "/checkout", ADDRESS).status_code == 302
    stale = place(cart_with((products["rice"], 2), key="slow-payer"), token="stale", payment_method="vietqr")
    db.session.execute(
        Order.__table__.update().where(Order.id == stale.id).values(expires_at=utcnow() - timedelta(minutes=5))
    )
    products["tea"].variants[0].price_vnd = 500_000
    jam.status = "draft"
    db.session.commit()
    return {"stale": stale, "jam": jam}


def test_cart_and_checkout_pages_write_nothing(client, products, changed_since_details, writes):
    for url in READ_PAGES:
        for method in (client.get, client.head):
            response = method(url)
            assert response.status_code == 200, (url, response.status_code)
    assert writes == []
    # What the pages reported stays unrecorded: it is still "new" to the shopper.
    assert db.session.get(Order, changed_since_details["stale"].id).status == "pending_payment"
    assert line_of(products["rice"]).quantity == 5
    assert line_of(products["tea"]).price_seen_vnd == 450_000
    assert line_of(changed_since_details["jam"]) is not None


def test_the_pages_report_what_changed_without_recording_it(client, products, changed_since_details):
    for _ in range(2):  # reported every time it is shown, until the shopper acts on it
        cart = client.get("/cart").get_data(as_text=True)
        assert "Giá đã thay đổi từ 450.000 ₫ thành 500.000 ₫" in cart
        assert "Chỉ còn 3" in cart
        assert "Mứt sen Tây Hồ" in cart  # named among the items taken out
    review = client.get("/checkout/review").get_data(as_text=True)
    assert "Giá đã thay đổi từ 450.000 ₫ thành 500.000 ₫" in review and "Chỉ còn 3" in review


def test_changing_a_line_records_what_the_cart_page_showed(client, products, changed_since_details):
    page = client.get("/cart").get_data(as_text=True)
    tea_line = line_of(products["tea"])
    response = submit(client, f"/cart/lines/{tea_line.id}", {"quantity": "1"}, page="/cart")
    assert response.status_code == 302
    assert line_of(products["rice"]).quantity == 3
    assert line_of(products["tea"]).price_seen_vnd == 500_000
    assert line_of(changed_since_details["jam"]) is None
    page = client.get("/cart").get_data(as_text=True)
    assert "Giá đã thay đổi" not in page and "Chỉ còn 3" not in page


def test_posting_the_details_records_what_the_shopper_saw(client, products, changed_since_details):
    assert submit(client, "/checkout", ADDRESS).status_code == 302
    assert line_of(products["rice"]).quantity == 3
    assert line_of(products["tea"]).price_seen_vnd == 500_000
    review = client.get("/checkout/review").get_data(as_text=True)
    assert "Giá đã thay đổi" not in review


def test_an_order_is_placed_as_the_review_page_showed_it(client, products):
    """The review showed a new price and a quantity lowered to the stock, wrote nothing, and the
    order is still placed at that total, for those quantities."""
    add(client, products["tea"], "1")
    add(client, products["rice"], "5")
    assert submit(client, "/checkout", ADDRESS).status_code == 302
    place(cart_with((products["rice"], 2), key="someone-else"), token="other")  # cash: held for good
    products["tea"].variants[0].price_vnd = 500_000
    db.session.commit()

    review = client.get("/checkout/review").get_data(as_text=True)
    assert "Chỉ còn 3" in review and "500.000 ₫" in review
    response = place_via_http(client, review)
    assert response.status_code == 302 and "/orders/OCOP-" in response.headers["Location"], response.headers
    order = db.session.scalar(select(Order).where(Order.checkout_token != "other"))
    assert sorted((line.sku, line.quantity, line.unit_price_vnd) for line in order.lines) == sorted(
        [(products["tea"].variants[0].sku, 1, 500_000), (products["rice"].variants[0].sku, 3, 60_000)]
    )
    assert order.subtotal_vnd == 500_000 + 3 * 60_000


def test_stock_gone_since_the_review_still_stops_the_order_plainly(client, products):
    add(client, products["rice"], "5")
    review = checkout(client).get_data(as_text=True)
    place(cart_with((products["rice"], 2), key="someone-else"), token="other")
    response = place_via_http(client, review)
    assert response.status_code == 302 and response.headers["Location"].endswith("/cart")
    assert "không còn đủ hàng" in client.get("/cart").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1  # only the other one


def test_placing_an_order_expires_stale_holds_for_good(client, products):
    """A stale hold lowered the quantity on the review page; "Place order" expires it, so the cart
    can have more now: the shopper is asked to check the new total (not told it sold out), and
    the next review has it all."""
    add(client, products["rice"], "5")
    assert submit(client, "/checkout", ADDRESS).status_code == 302
    stale = place(cart_with((products["rice"], 2), key="slow-payer"), token="stale", payment_method="vietqr")
    review = client.get("/checkout/review").get_data(as_text=True)
    assert "Chỉ còn 3" in review
    db.session.execute(
        Order.__table__.update().where(Order.id == stale.id).values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    response = place_via_http(client, review)
    assert response.headers["Location"].endswith("/checkout/review")
    assert db.session.get(Order, stale.id).status == "cancelled"
    review = client.get("/checkout/review").get_data(as_text=True)
    assert "Giá, tình trạng còn hàng hoặc thông tin giao hàng đã thay đổi" in review and "Chỉ còn" not in review
    response = place_via_http(client, review)
    assert "/orders/OCOP-" in response.headers["Location"]
    mine = db.session.scalar(select(Order).where(Order.id != stale.id))
    assert [line.quantity for line in mine.lines] == [5]


def test_adding_to_the_cart_expires_stale_holds(client, products):
    stale = place(cart_with((products["rice"], 5), key="slow-payer"), token="stale", payment_method="vietqr")
    db.session.execute(
        Order.__table__.update().where(Order.id == stale.id).values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    client.get(f"/products/{products['rice'].slug}")
    client.get("/cart")
    assert db.session.get(Order, stale.id).status == "pending_payment"  # reading expires nothing
    add(client, products["rice"], "2")
    assert db.session.get(Order, stale.id).status == "cancelled"
    assert db.session.get(Variant, products["rice"].variants[0].id).reserved == 0
    assert re.search(r'name="quantity"[^>]*value="2"', client.get("/cart").get_data(as_text=True))


@pytest.mark.parametrize("url", ["/cart", "/checkout", "/checkout/review", "/checkout/delivery/1"])
def test_cart_and_checkout_pages_are_never_stored(client, products, url):
    add(client, products["tea"], "1")
    assert submit(client, "/checkout", ADDRESS).status_code == 302
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_refused_checkout_form_is_never_stored(client, products):
    add(client, products["tea"], "1")
    response = submit(client, "/checkout", {**ADDRESS, "phone": "123"})
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
