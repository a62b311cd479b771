"""Money going back: the order's state changes first and is committed, then Stripe is asked once
per order (one idempotency key, however often it is tried); a refund that did not go through is
"refund due" for the shopper, staff and `flask shop retry-refunds` to see, never paid twice."""

from __future__ import annotations

import json
import threading

from sqlalchemy import func, select

from shop.catalog.models import Variant
from shop.extensions import db
from shop.inventory.services import ledger_totals
from shop.mail.models import OutboundMail
from shop.orders import access
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments import services as payments
from tests.conftest import submit
from tests.factories import UserFactory
from tests.payments.conftest import SECRET, cancel, card_order, paid_card_order, post_event, refund_requests
from tests.support.builders import cart_with, place

BEING_PROCESSED = "khoản hoàn tiền 920.000 ₫ đang được xử lý"


def refunds_of(stripe_api, order) -> list[dict]:
    return [r for r in stripe_api.refunds.values() if r["payment_intent"] == order.stripe_payment_intent]


def cancellation_mails(order) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(OutboundMail)
        .where(OutboundMail.subject.contains(order.number), OutboundMail.subject.contains("hủy"))
    )


def log_in_as_staff(login):
    UserFactory(email="boss@example.vn", is_admin=True)
    login("boss@example.vn", "correct-horse-9")


def test_a_refund_that_fails_leaves_the_order_cancelled_and_refund_due(client, tea, stripe_api):
    order = paid_card_order(client, tea, stripe_api)
    stripe_api.fail_next(1, status=500)
    response = cancel(client, order)
    db.session.refresh(order)
    assert order.status == "cancelled"
    assert order.refund_status == "due" and order.refund_due
    # The items are back on sale at once; only the money waits.
    variant = db.session.get(Variant, tea.variants[0].id)
    assert variant.reserved == 0 and ledger_totals(variant.id) == (10, 0)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "hoàn tiền của bạn đang được xử lý" in page  # the flash after cancelling
    assert BEING_PROCESSED in page
    assert f"/orders/{order.number}/cancel" not in page
    assert refunds_of(stripe_api, order) == []


def test_a_cancelled_card_order_is_refunded_once_with_one_mail(client, tea, stripe_api):
    order = paid_card_order(client, tea, stripe_api)
    before = len(stripe_api.requests)
    cancel(client, order)
    db.session.refresh(order)
    assert (order.status, order.refund_status) == ("refunded", "sent")
    [request] = refund_requests(stripe_api, before)
    assert request[3] == f"ocop-{order.checkout_token}-refund"
    assert cancellation_mails(order) == 1


def test_two_cancels_of_the_same_order_at_once_send_one_refund_request(client, tea, stripe_api, monkeypatch):
    order = paid_card_order(client, tea, stripe_api)
    before = len(stripe_api.requests)
    # Both requests (a double click, or the shopper and staff) have read the confirmed order
    # before either of them changes it.
    both_read = threading.Barrier(2)
    load = access.own_order

    def own_order_then_wait(number):
        found = load(number)
        both_read.wait(timeout=10)
        return found

    monkeypatch.setattr(access, "own_order", own_order_then_wait)
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    statuses, url = [], f"/orders/{order.number}/cancel"

    def click():
        statuses.append(client.post(url, data={"csrf_token": token}).status_code)

    clicks = [threading.Thread(target=click) for _ in range(2)]
    for t in clicks:
        t.start()
    for t in clicks:
        t.join(timeout=30)
    assert statuses == [302, 302]
    assert len(refund_requests(stripe_api, before)) == 1
    db.session.refresh(order)
    assert (order.status, order.refund_status) == ("refunded", "sent")
    assert len(refunds_of(stripe_api, order)) == 1
    assert [e.to_status for e in order.events].count("cancelled") == 1
    assert ledger_totals(tea.variants[0].id) == (10, 0)


def test_a_crash_between_cancelling_and_refunding_leaves_a_refund_due_that_the_command_sends(
    client, tea, stripe_api, runner
):
    order = paid_card_order(client, tea, stripe_api)
    assert orders.cancel(order, actor=None, reason="shopper")  # the refund follows the commit ...
    db.session.commit()
    # ... but the process dies before Stripe is asked: nothing is lost.
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == "cancelled" and order.refund_due
    assert BEING_PROCESSED in client.get(f"/orders/{order.number}").get_data(as_text=True)

    result = runner.invoke(args=["shop", "retry-refunds"])
    assert result.exit_code == 0, result.output
    assert "Refunded 1, still due 0" in result.output
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert (order.status, order.refund_status) == ("refunded", "sent")
    assert len(refunds_of(stripe_api, order)) == 1
    assert cancellation_mails(order) == 1  # the mail waited for the money


def test_a_refund_whose_answer_was_lost_is_retried_with_the_same_key_and_paid_once(client, tea, stripe_api, runner):
    order = paid_card_order(client, tea, stripe_api)
    before = len(stripe_api.requests)
    stripe_api.fail_next(1, drop=True, after=True)  # Stripe refunds, the answer never arrives
    cancel(client, order)
    db.session.refresh(order)
    assert order.status == "cancelled" and order.refund_due
    assert len(refunds_of(stripe_api, order)) == 1

    assert runner.invoke(args=["shop", "retry-refunds"]).exit_code == 0
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert (order.status, order.refund_status) == ("refunded", "sent")
    requests = refund_requests(stripe_api, before)
    assert len(requests) == 2 and {r[3] for r in requests} == {f"ocop-{order.checkout_token}-refund"}
    assert len(refunds_of(stripe_api, order)) == 1
    assert order.stripe_refund_id == refunds_of(stripe_api, order)[0]["id"]


def test_a_retry_after_stripe_forgot_the_key_finds_the_charge_refunded_and_pays_nothing_more(
    client, tea, stripe_api, runner
):
    order = paid_card_order(client, tea, stripe_api)
    stripe_api.fail_next(1, drop=True, after=True)
    cancel(client, order)
    stripe_api.forget_idempotency_keys()  # Stripe keeps them 24 hours
    assert runner.invoke(args=["shop", "retry-refunds"]).exit_code == 0
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert (order.status, order.refund_status) == ("refunded", "sent")
    assert len(refunds_of(stripe_api, order)) == 1


def test_retry_refunds_exits_1_and_keeps_the_refund_due_while_stripe_is_down(client, tea, stripe_api, runner):
    order = paid_card_order(client, tea, stripe_api)
    stripe_api.fail_next(1)
    cancel(client, order)
    stripe_api.fail_next(1)
    result = runner.invoke(args=["shop", "retry-refunds"])
    assert result.exit_code == 1 and "Refunded 0, still due 1" in result.output
    db.session.expire_all()
    assert db.session.get(Order, order.id).refund_due
    assert runner.invoke(args=["shop", "retry-refunds"]).exit_code == 0
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "refunded"


def test_stripes_refund_notice_settles_a_due_refund(client, tea, stripe_api, runner):
    order = paid_card_order(client, tea, stripe_api)
    stripe_api.fail_next(1, drop=True, after=True)
    cancel(client, order)
    [refund] = refunds_of(stripe_api, order)
    body = json.dumps(stripe_api.refund_event(refund["id"])).encode()
    response = client.post(
        "/payments/stripe/webhook",
        data=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": stripe_api.sign(body, SECRET)},
    )
    assert response.json["outcome"] == "refunded"
    db.session.refresh(order)
    assert (order.status, order.refund_status) == ("refunded", "sent")
    assert cancellation_mails(order) == 1
    before = len(stripe_api.requests)
    result = runner.invoke(args=["shop", "retry-refunds"])
    assert result.exit_code == 0 and "Refunded 0, still due 0" in result.output
    assert refund_requests(stripe_api, before) == []


def test_staff_see_a_due_card_refund_on_the_orders_page_and_retry_it(client, tea, stripe_api, login, smtp_sink):
    order = paid_card_order(client, tea, stripe_api)
    stripe_api.fail_next(1)
    cancel(client, order)
    log_in_as_staff(login)
    listing = client.get("/admin/orders").get_data(as_text=True)
    assert "Các khoản chờ hoàn tiền" in listing
    assert f"/admin/orders/{order.number}/retry-refund" in listing
    assert f"/admin/orders/{order.number}/refund-sent" not in listing  # a card refund is not sent by hand
    staff_page = client.get(f"/admin/orders/{order.number}").get_data(as_text=True)
    assert "Chờ hoàn tiền" in staff_page and f"/admin/orders/{order.number}/refund-sent" not in staff_page

    response = submit(
        client, f"/admin/orders/{order.number}/retry-refund", {"next": "/admin/orders"}, page="/admin/orders"
    )
    assert response.headers["Location"].endswith("/admin/orders")
    db.session.refresh(order)
    assert (order.status, order.refund_status) == ("refunded", "sent")
    assert len(refunds_of(stripe_api, order)) == 1
    assert any(order.number in m["Subject"] for m in smtp_sink.messages)
    assert f"/admin/orders/{order.number}/retry-refund" not in client.get("/admin/orders").get_data(as_text=True)


def test_staff_cannot_mark_a_card_refund_as_sent_by_hand(client, tea, stripe_api, login):
    order = paid_card_order(client, tea, stripe_api)
    stripe_api.fail_next(1)
    cancel(client, order)
    log_in_as_staff(login)
    submit(client, f"/admin/orders/{order.number}/refund-sent", {}, page=f"/admin/orders/{order.number}")
    db.session.refresh(order)
    assert order.status == "cancelled" and order.refund_due


def test_staff_cancelling_a_paid_card_order_refunds_it(client, tea, stripe_api, login):
    order = paid_card_order(client, tea, stripe_api)
    log_in_as_staff(login)
    submit(client, f"/admin/orders/{order.number}/cancel", {}, page=f"/admin/orders/{order.number}")
    db.session.refresh(order)
    assert (order.status, order.refund_status) == ("refunded", "sent")
    assert len(refunds_of(stripe_api, order)) == 1


def test_a_paid_bank_transfer_that_is_cancelled_is_refund_due_until_staff_send_it(client, tea, login):
    order = place(cart_with((tea, 1)), payment_method="vietqr")
    payments.record_payment(order, actor=None)
    assert not orders.cancel(order, actor=None, reason="shop")  # staff send it back, not a provider
    db.session.commit()
    assert order.status == "cancelled" and order.refund_status == "due" and order.refund_due

    log_in_as_staff(login)
    assert f"/admin/orders/{order.number}" in client.get("/admin/orders").get_data(as_text=True)
    assert "Chờ hoàn tiền" in client.get("/admin/orders").get_data(as_text=True)
    response = submit(client, f"/admin/orders/{order.number}/refund-sent", {}, page=f"/admin/orders/{order.number}")
    assert response.status_code == 302
    db.session.refresh(order)
    assert (order.status, order.refund_status) == ("refunded", "sent")
    assert not order.refund_due
    assert "Các khoản chờ hoàn tiền" not in client.get("/admin/orders").get_data(as_text=True)


def test_an_unpaid_order_that_is_cancelled_owes_nothing(client, tea):
    order = place(cart_with((tea, 1)), payment_method="vietqr")
    orders.cancel(order, actor=None, reason="shopper")
    db.session.commit()
    assert order.status == "cancelled" and order.refund_status is None and not order.refund_due


def test_a_late_payment_whose_refund_fails_is_left_refund_due_and_retried(client, tea, stripe_api, runner):
    order, _ = card_order(client, tea)
    session_id = order.stripe_session_id
    post_event(client, stripe_api, "checkout.session.expired", dict(stripe_api.sessions[session_id], status="expired"))
    paid = stripe_api.pay(session_id)
    stripe_api.fail_next(1)
    response, _, _ = post_event(client, stripe_api, "checkout.session.completed", paid)
    # Stripe need not send the event again: the refund is due here, and retried here.
    assert response.status_code == 200 and response.json["outcome"] == "late payment, refund due"
    db.session.refresh(order)
    assert order.status == "cancelled" and order.paid_at is not None and order.refund_due
    assert runner.invoke(args=["shop", "retry-refunds"]).exit_code == 0
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert (order.status, order.refund_status) == ("refunded", "sent")
    assert len(refunds_of(stripe_api, order)) == 1
