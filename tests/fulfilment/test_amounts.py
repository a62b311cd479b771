"""The money an order still involves once a producer cancelled its part: the courier collects
the rest of a cash order, and a refund of the whole order never sends back a part twice."""

from __future__ import annotations

from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.mail.services import run_committed_work
from shop.orders.services import order_url
from shop.payments import services as payments
from shop.payments import shipment_refunds
from tests.factories import PASSWORD, UserFactory
from tests.fulfilment.conftest import mails_to


def test_a_cash_order_collects_only_what_is_still_coming(shop, client):
    order = shop.order()  # cash: xôi 2 × 35.000 and tea 450.000, plus shipping
    assert fulfilment.amount_to_collect(order) == order.total_vnd
    fulfilment.cancel_shipment(shop.shipment(order, shop.tea_maker), reason="Sen mất mùa")
    db.session.commit()
    assert fulfilment.amount_to_collect(order) == order.total_vnd - 450_000
    link = order_url(order).removeprefix("http://shop.test")
    page = client.get(link).get_data(as_text=True)
    assert f"{order.total_vnd - 450_000:,}".replace(",", ".") + " ₫" in page  # 100.000 ₫: xôi and shipping


def test_a_transfer_refunded_in_parts_is_never_sent_back_twice(shop, client, login):
    admin = UserFactory(is_admin=True)
    order = shop.order(payment_method="vietqr")
    payments.record_payment(order, actor=admin.id)
    tea = shop.shipment(order, shop.tea_maker)
    fulfilment.cancel_shipment(tea, reason="Sen mất mùa")
    db.session.commit()
    assert shipment_refunds.record_shipment_refund_sent(tea) is True  # staff sent the tea's 450.000 back
    db.session.commit()
    assert fulfilment.amount_to_refund(order) == order.total_vnd - 450_000
    fulfilment.cancel_shipment(shop.shipment(order, shop.xoi_maker), reason="Hết gạo nếp")
    db.session.commit()
    run_committed_work()
    db.session.refresh(order)
    assert order.status == "cancelled" and order.refund_due
    rest = order.total_vnd - 450_000
    assert fulfilment.amount_to_refund(order) == rest
    login(admin.email, PASSWORD)
    page = client.get(f"/admin/orders/{order.number}").get_data(as_text=True)
    shown = f"{rest:,}".replace(",", ".") + " ₫"
    assert shown in page and f"{order.total_vnd:,}".replace(",", ".") + " ₫ cho người mua" not in page
    assert shown in mails_to("lan@example.vn")[-1].body_text
