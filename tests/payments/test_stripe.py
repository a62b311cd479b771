"""Card payments against a fake Stripe API on 127.0.0.1: hosted checkout, signed webhooks that
count once, outages that lose nothing, refunds."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from shop.catalog.models import Variant
from shop.extensions import db
from shop.inventory.services import ledger_totals
from shop.mail.models import OutboundMail
from shop.orders.models import Order
from shop.payments.models import PaymentEvent
from tests.payments.conftest import SECRET, card_order, post_event, return_from_stripe, return_url


def mails(template_subject_part: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(OutboundMail).where(OutboundMail.subject.contains(template_subject_part))
    )


def test_card_order_goes_to_stripe_in_vnd_and_the_webhook_confirms_it_once(client, tea, stripe_api):
    order, response = card_order(client, tea)
    assert order.status == "pending_payment"
    session = stripe_api.sessions[order.stripe_session_id]
    assert response.headers["Location"] == session["url"]
    assert session["currency"] == "vnd" and session["amount_total"] == order.total_vnd == 920_000
    assert session["metadata"]["order_number"] == order.number

    paid = stripe_api.pay(order.stripe_session_id)
    first, body, headers = post_event(client, stripe_api, "checkout.session.completed", paid)
    assert first.status_code == 200 and first.json["outcome"] == "paid"
    db.session.refresh(order)
    assert order.status == "confirmed" and order.paid_at is not None
    assert order.stripe_payment_intent == paid["payment_intent"]

    again = client.post("/payments/stripe/webhook", data=body, headers=headers)
    assert again.json["outcome"] == "duplicate"
    assert db.session.scalar(select(func.count()).select_from(PaymentEvent)) == 1
    assert len([e for e in order.events if e.to_status == "confirmed"]) == 1


def test_forged_or_unsigned_webhooks_change_nothing(client, tea, stripe_api):
    order, _ = card_order(client, tea)
    paid = stripe_api.pay(order.stripe_session_id)
    forged, _, _ = post_event(client, stripe_api, "checkout.session.completed", paid, secret="whsec_wrong")
    assert forged.status_code == 400 and forged.json["error"]["code"] == "bad_webhook"
    body = json.dumps(stripe_api.event("checkout.session.completed", paid)).encode()
    unsigned = client.post("/payments/stripe/webhook", data=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 400
    _, good_body, headers = post_event(client, stripe_api, "checkout.session.completed", paid)
    tampered = good_body.replace(b'"paid"', b'"unpaid"', 1)
    assert client.post("/payments/stripe/webhook", data=tampered, headers=headers).status_code == 400
    db.session.refresh(order)
    # Only the one genuine delivery counted.
    assert db.session.scalar(select(func.count()).select_from(PaymentEvent)) == 1


def test_stripe_outage_keeps_one_pending_order_with_a_pay_again_button(client, tea, stripe_api):
    stripe_api.fail_next(1, drop=True)
    order, response = card_order(client, tea)
    assert response.headers["Location"].endswith(f"/orders/{order.number}")
    assert order.status == "pending_payment" and order.stripe_session_id is None
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert f"/orders/{order.number}/pay" in page
    variant = db.session.get(Variant, tea.variants[0].id)
    assert variant.reserved == 2  # the items stay held for the shopper

    from tests.conftest import submit

    retry = submit(client, f"/orders/{order.number}/pay", {}, page=f"/orders/{order.number}")
    db.session.refresh(order)
    assert retry.headers["Location"] == stripe_api.sessions[order.stripe_session_id]["url"]
    # Paying again while that session is open reuses it.
    again = submit(client, f"/orders/{order.number}/pay", {}, page=f"/orders/{order.number}")
    assert again.headers["Location"] == retry.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1


def test_expired_session_releases_stock_and_a_late_payment_is_refunded(client, tea, stripe_api):
    order, _ = card_order(client, tea)
    session_id = order.stripe_session_id
    # Out of order: Stripe reports the expiry ...
    expired = dict(stripe_api.sessions[session_id], status="expired")
    response, _, _ = post_event(client, stripe_api, "checkout.session.expired", expired)
    assert response.json["outcome"] == "expired"
    db.session.refresh(order)
    assert order.status == "cancelled"
    assert db.session.get(Variant, tea.variants[0].id).reserved == 0
    # ... and then a payment that slipped through arrives: the money goes straight back.
    paid = stripe_api.pay(session_id)
    response, _, _ = post_event(client, stripe_api, "checkout.session.completed", paid)
    assert response.json["outcome"] == "refunded late payment"
    db.session.refresh(order)
    assert order.status == "refunded"
    assert [r["payment_intent"] for r in stripe_api.refunds.values()].count(paid["payment_intent"]) == 1
    variant = db.session.get(Variant, tea.variants[0].id)
    assert (variant.on_hand, variant.reserved) == (10, 0)
    assert ledger_totals(variant.id) == (10, 0)


def test_expiry_after_payment_changes_nothing(client, tea, stripe_api):
    order, _ = card_order(client, tea)
    paid = stripe_api.pay(order.stripe_session_id)
    post_event(client, stripe_api, "checkout.session.completed", paid)
    response, _, _ = post_event(client, stripe_api, "checkout.session.expired", dict(paid, status="expired"))
    assert response.json["outcome"] == "already settled"
    db.session.refresh(order)
    assert order.status == "confirmed"


def test_return_page_confirms_before_the_webhook(client, tea, stripe_api):
    order, _ = card_order(client, tea)
    stripe_api.pay(order.stripe_session_id)
    response = return_from_stripe(
        client, f"/payments/stripe/return/{order.number}?session_id={order.stripe_session_id}"
    )
    assert response.headers["Location"].endswith(f"/orders/{order.number}")
    db.session.refresh(order)
    assert order.status == "confirmed"
    # The webhook that follows is recognised as already paid.
    paid = stripe_api.sessions[order.stripe_session_id]
    response, _, _ = post_event(client, stripe_api, "checkout.session.completed", paid)
    assert response.json["outcome"] == "already paid"


def test_coming_back_from_stripe_changes_nothing_until_the_page_posts(client, tea, stripe_api):
    order, _ = card_order(client, tea)
    stripe_api.pay(order.stripe_session_id)
    page = client.get(f"/payments/stripe/return/{order.number}?session_id={order.stripe_session_id}")
    assert page.status_code == 200 and "data-autosubmit" in page.get_data(as_text=True)
    db.session.refresh(order)
    assert order.status == "pending_payment" and order.paid_at is None


def test_a_forged_return_url_does_not_mark_an_unpaid_order_paid(client, tea, stripe_api):
    order, _ = card_order(client, tea)
    return_from_stripe(client, return_url(order))
    db.session.refresh(order)
    assert order.status == "pending_payment"


def test_cancelling_a_paid_card_order_refunds_it_through_stripe(client, tea, stripe_api, smtp_sink):
    from tests.conftest import submit

    order, _ = card_order(client, tea)
    paid = stripe_api.pay(order.stripe_session_id)
    post_event(client, stripe_api, "checkout.session.completed", paid)
    response = submit(client, f"/orders/{order.number}/cancel", {}, page=f"/orders/{order.number}")
    assert response.status_code == 302
    db.session.refresh(order)
    assert order.status == "refunded" and order.stripe_refund_id in stripe_api.refunds
    assert db.session.get(Variant, tea.variants[0].id).reserved == 0
    # Stripe's own refund notice afterwards changes nothing.
    event = stripe_api.refund_event(order.stripe_refund_id)
    body = json.dumps(event).encode()
    again = client.post(
        "/payments/stripe/webhook",
        data=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": stripe_api.sign(body, SECRET)},
    )
    assert again.json["outcome"] == "already refunded"
    assert ledger_totals(tea.variants[0].id) == (10, 0)
    subjects = [m["Subject"] for m in smtp_sink.messages]
    assert any(order.number in s for s in subjects)


def test_refund_made_in_the_stripe_dashboard_returns_the_stock(client, tea, stripe_api):
    order, _ = card_order(client, tea)
    paid = stripe_api.pay(order.stripe_session_id)
    post_event(client, stripe_api, "checkout.session.completed", paid)
    import stripe as stripe_lib

    refund = stripe_lib.StripeClient("sk_test_staff", base_addresses={"api": stripe_api.url}).v1.refunds.create(
        params={"payment_intent": paid["payment_intent"]}
    )
    response, _, _ = post_event(client, stripe_api, "charge.refunded", stripe_api.charge(refund.payment_intent))
    assert response.json["outcome"] == "refunded"
    db.session.refresh(order)
    assert order.status == "refunded"
    assert db.session.get(Variant, tea.variants[0].id).reserved == 0
