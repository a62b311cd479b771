"""A producer cancels its part of a card order: exactly that part goes back through Stripe
(the fake one), after the cancellation is committed, once; a failure leaves it due for staff's
retry."""

from __future__ import annotations

import secrets

import pytest

from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.mail.services import run_committed_work
from shop.payments import shipment_refunds
from shop.payments.registry import method_of
from tests.fulfilment.conftest import mails_to
from tests.payments.conftest import app_config, post_event, stripe_api  # noqa: F401


@pytest.fixture
def paid_card_order(shop, client, stripe_api):  # noqa: F811
    # The fake Stripe lives for the session: a token of its own keeps its idempotency keys apart.
    order = shop.order(payment_method="stripe", token=f"tok-{secrets.token_hex(6)}")
    method_of(order).payment_url(order)
    db.session.commit()
    post_event(client, stripe_api, "checkout.session.completed", stripe_api.pay(order.stripe_session_id))
    db.session.refresh(order)
    assert order.status == "confirmed" and order.stripe_payment_intent
    order.locale = "en"
    db.session.commit()
    return order


def refunds_of(stripe_api, order):  # noqa: F811
    return [r for r in stripe_api.refunds.values() if r["payment_intent"] == order.stripe_payment_intent]


def test_a_cancelled_shipment_of_a_card_order_is_refunded_its_value_after_the_commit(shop, paid_card_order, stripe_api):  # noqa: F811
    order = paid_card_order
    tea = shop.shipment(order, shop.tea_maker)
    assert fulfilment.cancel_shipment(tea, reason="Sen mất mùa") is True
    assert refunds_of(stripe_api, order) == []  # never inside the transaction
    db.session.commit()
    run_committed_work()
    [refund] = refunds_of(stripe_api, order)
    assert refund["amount"] == 450_000  # the tea's value, not the order's total
    tea = db.session.get(type(tea), tea.id)
    assert (tea.refund_vnd, tea.refund_status) == (450_000, "sent")
    assert order.status == "confirmed" and order.refund_status is None
    assert "being refunded to your card" in mails_to("lan@example.vn")[-1].body_text
    # Asking again sends nothing more.
    assert shipment_refunds.settle_shipment_refund(tea) is False
    assert len(refunds_of(stripe_api, order)) == 1


def test_a_card_refund_that_fails_stays_due_and_a_retry_sends_it_once(shop, paid_card_order, stripe_api):  # noqa: F811
    order = paid_card_order
    tea = shop.shipment(order, shop.tea_maker)
    fulfilment.cancel_shipment(tea, reason="Sen mất mùa")
    db.session.commit()
    stripe_api.fail_next(1, status=500)
    run_committed_work()
    tea = db.session.get(type(tea), tea.id)
    assert tea.refund_status == "due" and refunds_of(stripe_api, order) == []
    assert fulfilment.shipment_refunds_due() == [tea]
    assert shipment_refunds.settle_shipment_refund(tea) is True
    assert tea.refund_status == "sent"
    [refund] = refunds_of(stripe_api, order)
    assert refund["amount"] == 450_000
    # Staff cannot mark a card refund sent by hand.
    with pytest.raises(Exception):
        shipment_refunds.record_shipment_refund_sent(tea)


def test_the_rest_of_a_card_order_cancelled_later_refunds_what_is_left(shop, paid_card_order, stripe_api):  # noqa: F811
    order = paid_card_order
    fulfilment.cancel_shipment(shop.shipment(order, shop.tea_maker), reason="Sen mất mùa")
    db.session.commit()
    run_committed_work()
    fulfilment.cancel_shipment(shop.shipment(order, shop.xoi_maker), reason="Hết gạo")
    db.session.commit()
    run_committed_work()
    db.session.refresh(order)
    assert order.status == "refunded"
    assert sum(r["amount"] for r in refunds_of(stripe_api, order)) == order.total_vnd


def test_retry_refunds_sends_a_shipments_card_refund_that_failed(shop, paid_card_order, stripe_api, runner):  # noqa: F811
    order = paid_card_order
    tea = shop.shipment(order, shop.tea_maker)
    fulfilment.cancel_shipment(tea, reason="Sen mất mùa")
    db.session.commit()
    stripe_api.fail_next(1, status=500)
    run_committed_work()
    assert refunds_of(stripe_api, order) == []
    stripe_api.fail_next(1, status=500)
    result = runner.invoke(args=["shop", "retry-refunds"])
    assert result.exit_code == 1 and "still due 1" in result.output
    result = runner.invoke(args=["shop", "retry-refunds"])
    assert result.exit_code == 0 and "Refunded 1, still due 0" in result.output
    db.session.expire_all()
    [refund] = refunds_of(stripe_api, order)
    assert refund["amount"] == 450_000
    assert runner.invoke(args=["shop", "retry-refunds"]).output.strip() == "Refunded 0, still due 0"
