"""A Stripe event or return belongs to an order only by what the shop stored itself (the Checkout
Session's id, the payment intent), and pays it only with exactly its total in VND; anything else
is for staff to check. Stripe's addresses back to the shop come from SHOP_BASE_URL."""

from __future__ import annotations

import stripe
from sqlalchemy import update

from shop.extensions import db
from shop.orders.models import Order
from tests.conftest import submit
from tests.factories import UserFactory
from tests.payments.conftest import card_order, paid_card_order, post_event, return_from_stripe


def someone_elses_session(stripe_api, order_number: str, amount: int = 1_000):
    """A Checkout Session made with another key on the same Stripe account (another shop's code,
    a staging copy, an attacker with a leaked restricted key) that claims to be for our order."""
    other = stripe.StripeClient("sk_test_other", base_addresses={"api": stripe_api.url}, max_network_retries=0)
    return other.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "line_items": [
                {"quantity": 1, "price_data": {"currency": "vnd", "unit_amount": amount, "product_data": {"name": "x"}}}
            ],
            "success_url": "http://elsewhere.example/ok",
            "cancel_url": "http://elsewhere.example/no",
            "metadata": {"order_number": order_number},
            "payment_intent_data": {"metadata": {"order_number": order_number}},
        }
    )


def test_a_session_that_only_names_our_order_in_its_metadata_pays_nothing(client, tea, stripe_api):
    order, _ = card_order(client, tea)
    session = someone_elses_session(stripe_api, order.number)
    paid = stripe_api.pay(session.id)
    response, _, _ = post_event(client, stripe_api, "checkout.session.completed", paid)
    assert response.status_code == 200 and response.json["outcome"] == "unknown order"
    db.session.refresh(order)
    assert order.status == "pending_payment" and order.paid_at is None


def test_a_refund_of_another_payment_naming_our_order_changes_nothing(client, tea, stripe_api):
    order = paid_card_order(client, tea, stripe_api)
    other = stripe_api.pay(someone_elses_session(stripe_api, order.number).id)
    stripe.StripeClient("sk_test_other", base_addresses={"api": stripe_api.url}).v1.refunds.create(
        params={"payment_intent": other["payment_intent"]}
    )
    response, _, _ = post_event(client, stripe_api, "charge.refunded", stripe_api.charge(other["payment_intent"]))
    assert response.json["outcome"] == "unknown order"
    db.session.refresh(order)
    assert order.status == "confirmed"


def test_a_webhook_with_another_amount_holds_the_order_for_staff(client, tea, stripe_api, login):
    order, _ = card_order(client, tea)
    paid = stripe_api.pay(order.stripe_session_id)
    response, _, _ = post_event(client, stripe_api, "checkout.session.completed", dict(paid, amount_total=1_000))
    assert response.status_code == 200 and response.json["outcome"] == "amount mismatch"
    db.session.refresh(order)
    assert order.status == "pending_payment" and order.paid_at is None
    assert order.review_reason == "Stripe reported 1.000 ₫ VND, expected 920.000 ₫"

    UserFactory(email="boss@example.vn", is_admin=True)
    login("boss@example.vn", "correct-horse-9")
    page = client.get(f"/admin/orders/{order.number}").get_data(as_text=True)
    assert "Stripe reported 1.000 ₫ VND, expected 920.000 ₫" in page
    assert paid["payment_intent"] in page
    assert "Kiểm tra thanh toán" in client.get("/admin/orders").get_data(as_text=True)


def test_a_webhook_in_another_currency_holds_the_order_for_staff(client, tea, stripe_api):
    order, _ = card_order(client, tea)
    paid = stripe_api.pay(order.stripe_session_id)
    response, _, _ = post_event(client, stripe_api, "checkout.session.completed", dict(paid, currency="usd"))
    assert response.json["outcome"] == "amount mismatch"
    db.session.refresh(order)
    assert order.paid_at is None
    assert order.review_reason == "Stripe reported 920000 USD, expected 920.000 ₫"


def test_the_return_page_does_not_confirm_another_amount(client, tea, stripe_api):
    order, _ = card_order(client, tea)
    stripe_api.pay(order.stripe_session_id)
    # The order's total is not what the session charged (920.000 ₫).
    db.session.execute(update(Order).values(shipping_vnd=Order.shipping_vnd + 80_000, total_vnd=1_000_000))
    db.session.commit()
    response = return_from_stripe(
        client, f"/payments/stripe/return/{order.number}?session_id={order.stripe_session_id}"
    )
    assert response.status_code == 302
    db.session.refresh(order)
    assert order.status == "pending_payment" and order.paid_at is None
    assert order.review_reason == "Stripe reported 920.000 ₫ VND, expected 1.000.000 ₫"
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "cần được kiểm tra thủ công" in page
    assert f"/orders/{order.number}/pay" not in page


def test_the_return_page_takes_only_the_stored_session(client, tea, stripe_api):
    order, _ = card_order(client, tea)
    other = someone_elses_session(stripe_api, order.number, amount=920_000)
    stripe_api.pay(other.id)
    return_from_stripe(client, f"/payments/stripe/return/{order.number}?session_id={other.id}")
    db.session.refresh(order)
    assert order.status == "pending_payment" and order.review_reason is None


def test_stripe_is_sent_back_to_shop_base_url_whatever_the_host_header(client, tea, stripe_api, evil_host):
    order, _ = card_order(client, tea)
    session = stripe_api.sessions[order.stripe_session_id]
    assert session["success_url"] == (
        f"http://shop.test/payments/stripe/return/{order.number}?session_id={{CHECKOUT_SESSION_ID}}"
    )
    assert session["cancel_url"] == f"http://shop.test/orders/{order.number}"


def test_the_payment_return_is_never_cached(client, tea, stripe_api):
    order, _ = card_order(client, tea)
    response = return_from_stripe(
        client, f"/payments/stripe/return/{order.number}?session_id={order.stripe_session_id}"
    )
    assert "no-store" in response.headers["Cache-Control"]


def test_the_expiry_of_an_older_session_leaves_the_order_waiting_for_its_new_one(client, tea, stripe_api):
    order, _ = card_order(client, tea)
    first = order.stripe_session_id
    expired = stripe_api.expire(first)
    submit(client, f"/orders/{order.number}/pay", {}, page=f"/orders/{order.number}")
    db.session.refresh(order)
    assert order.stripe_session_id != first
    response, _, _ = post_event(client, stripe_api, "checkout.session.expired", expired)
    assert response.json["outcome"] == "unknown order"
    db.session.refresh(order)
    assert order.status == "pending_payment"
