"""What a shopper types at checkout is kept on the server with their cart, never in the session
cookie: the review page and "Place order" read it from there, placing the order forgets it, and
the next person at the same browser never sees it."""

from __future__ import annotations

from sqlalchemy import select

from shop.cart.models import Cart
from shop.extensions import db
from tests.checkout.test_views import ADDRESS, add, checkout, place
from tests.conftest import submit
from tests.factories import PASSWORD, UserFactory


def session_cookie(client) -> dict:
    """The session as the browser holds it (signed, not encrypted: anyone with it can read it)."""
    cookie = next(c for c in client._cookies.values() if c.key == client.application.config["SESSION_COOKIE_NAME"])
    serializer = client.application.session_interface.get_signing_serializer(client.application)
    return serializer.loads(cookie.value)


def only_cart() -> Cart:
    return db.session.scalar(select(Cart))


def test_checkout_details_live_on_the_server_not_in_the_cookie(client, products):
    add(client, products["tea"])
    assert submit(client, "/checkout", ADDRESS).status_code == 302
    kept = session_cookie(client)
    assert "checkout" not in kept
    assert not any("Minh" in str(value) or "0987" in str(value) for value in kept.values())
    details = only_cart().checkout_details
    assert details["contact_name"] == "Trần Văn Minh" and details["phone"] == "0987654321"
    review = client.get("/checkout/review").get_data(as_text=True)
    assert "Trần Văn Minh" in review and "5 Quảng An" in review


def test_the_form_shows_the_details_kept_with_the_cart(client, products):
    add(client, products["tea"])
    assert submit(client, "/checkout", {**ADDRESS, "delivery_note": "Gọi trước 15 phút"}).status_code == 302
    form = client.get("/checkout").get_data(as_text=True)
    assert 'value="Trần Văn Minh"' in form and "Gọi trước 15 phút" in form


def test_placing_the_order_forgets_the_details(client, products):
    add(client, products["tea"])
    response = place(client, checkout(client).get_data(as_text=True))
    assert "/orders/OCOP-" in response.headers["Location"]
    assert only_cart().checkout_details is None
    add(client, products["rice"])
    assert "Trần Văn Minh" not in client.get("/checkout").get_data(as_text=True)
    assert client.get("/checkout/review").headers["Location"].endswith("/checkout")


def test_logging_out_leaves_nothing_to_the_next_person(client, products, login):
    UserFactory(email="minh@example.vn", name="Trần Văn Minh")
    login("minh@example.vn", PASSWORD)
    add(client, products["tea"])
    assert submit(client, "/checkout", {**ADDRESS, "street": "99 Phố Riêng"}).status_code == 302
    submit(client, "/account/logout", {}, page="/")
    # The next person at this browser fills a cart of their own.
    add(client, products["rice"])
    assert client.get("/checkout/review").headers["Location"].endswith("/checkout")
    form = client.get("/checkout").get_data(as_text=True)
    assert "99 Phố Riêng" not in form and "Trần Văn Minh" not in form
    assert "99 Phố Riêng" not in str(session_cookie(client))


def test_details_typed_as_a_guest_survive_logging_in(client, products, login):
    user = UserFactory(email="lan@example.vn")
    # The account already has a cart of its own, from another device.
    from tests.support.builders import cart_with

    cart_with((products["rice"], 1), user_id=user.id)
    add(client, products["tea"])
    assert submit(client, "/checkout", ADDRESS).status_code == 302
    login("lan@example.vn", PASSWORD)
    review = client.get("/checkout/review")
    assert review.status_code == 200
    assert "5 Quảng An" in review.get_data(as_text=True)
