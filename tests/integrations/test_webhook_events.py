"""Each webhook event is recorded by the real action, in its transaction, for the organisations it
concerns: a partner's order (to the partner, and to each producer its own part), a cancellation,
a shipment leaving and arriving, an invoice issued and one overdue, stock falling to its warning
level; and an action rolled back records nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from shop.catalog.models import Variant
from shop.errors import ConflictError
from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.fulfilment.models import Shipment
from shop.integrations import webhooks
from shop.integrations.models import WebhookEvent
from shop.inventory import services as inventory
from shop.orders import services as orders
from tests.integrations.conftest import TUESDAY, endpoint_for, events_of, order_for, send
from tests.support.builders import cart_with, place, stocked
from tests.support.partners import make_partner


@pytest.fixture
def listening(partner, xoi_maker, tea_maker, receiver):
    """Every organisation of the order listens to all of its events, each at its own path."""
    endpoint_for(partner, receiver, path="/partner")
    endpoint_for(xoi_maker, receiver, path="/xoi")
    endpoint_for(tea_maker, receiver, path="/tea")
    return receiver


@pytest.fixture
def rice(xoi_maker):
    """A product of the sticky-rice maker that keeps (a shopper's standard delivery may take a day)."""
    return stocked("Gạo nếp cái hoa vàng", on_hand=30, price=60_000, shelf_life_days=180, producer=xoi_maker).variants[
        0
    ]


def shipment_of(order, producer) -> Shipment:
    return db.session.scalar(select(Shipment).where(Shipment.order_id == order.id, Shipment.producer_id == producer.id))


def test_a_partners_order_tells_the_partner_everything_and_each_producer_only_its_own_part(
    partner, xoi, tea, xoi_maker, tea_maker, listening
):
    order = order_for(partner, (xoi, 20), (tea, 2), po_number="PO-0042")
    assert order.status == "confirmed"  # on account: released to the producers at once
    send()

    [to_partner] = [r.json for r in listening.for_path("/partner") if r.json["type"] == "order.created"]
    data = to_partner["data"]
    assert (data["id"], data["number"], data["status"], data["po_number"]) == (
        order.id,
        order.number,
        "confirmed",
        "PO-0042",
    )
    assert (data["delivery_date"], data["delivery_window"]) == ("2026-12-01", {"start": "06:00", "end": "08:00"})
    assert data["total_vnd"] == order.total_vnd == 20 * 30_000 + 2 * 200_000
    assert {line["sku"]: line["quantity"] for line in data["lines"]} == {xoi.sku: 20, tea.sku: 2}

    for path, maker, variant, quantity, price in (
        ("/xoi", xoi_maker, xoi, 20, 30_000),
        ("/tea", tea_maker, tea, 2, 200_000),
    ):
        [event] = [r.json for r in listening.for_path(path)]
        assert event["type"] == "order.created"
        data = event["data"]
        assert [line["sku"] for line in data["lines"]] == [variant.sku]  # never the other producer's line
        assert data["subtotal_vnd"] == quantity * price
        assert data["shipment_id"] == shipment_of(order, maker).id
        assert "total_vnd" not in data and "po_number" not in data
        assert data["number"] == order.number


def test_the_partner_is_told_of_its_invoice(partner, xoi, listening):
    order = order_for(partner, (xoi, 10))
    send()
    [event] = listening.events("invoice.issued")
    data = event["data"]
    assert data["order_id"] == order.id and data["order_number"] == order.number
    assert data["number"].startswith("HD2026-")
    assert (data["status"], data["total_vnd"], data["outstanding_vnd"]) == ("open", 300_000, 300_000)
    assert (data["issued_on"], data["due_on"]) == ("2026-11-30", "2026-12-16")  # net 15 from delivery


def test_a_producer_hears_of_a_shoppers_order_once_it_is_paid_and_not_before(xoi_maker, receiver, rice):
    endpoint_for(xoi_maker, receiver, ["order.created"])
    cart = cart_with((rice.product, 2))
    order = place(cart, payment_method="vietqr")
    assert order.status == "pending_payment"
    assert events_of("order.created") == []  # its portal does not show it either

    orders.mark_paid(order)
    db.session.commit()
    [event] = events_of("order.created", producer_id=xoi_maker.id)
    assert event.data["status"] == "confirmed" and [line["quantity"] for line in event.data["lines"]] == [2]
    orders.mark_paid(order)  # a repeated payment notice changes nothing
    db.session.commit()
    assert len(events_of("order.created")) == 1


def test_a_cancelled_order_is_told_to_its_partner_and_to_each_producer_that_had_it(
    partner, xoi, tea, xoi_maker, tea_maker, listening
):
    order = order_for(partner, (xoi, 10), (tea, 1))
    orders.cancel(order, reason="staff")
    db.session.commit()

    for owner in ({"partner_id": partner.id}, {"producer_id": xoi_maker.id}, {"producer_id": tea_maker.id}):
        [event] = events_of("order.cancelled", **owner)
        assert event.data["status"] == "cancelled" and event.data["cancel_reason"] == "staff"
    assert [line["sku"] for line in events_of("order.cancelled", producer_id=tea_maker.id)[0].data["lines"]] == [
        tea.sku
    ]


def test_an_unpaid_order_that_expires_tells_no_producer(xoi_maker, receiver, rice, clock):
    endpoint_for(xoi_maker, receiver)
    order = place(cart_with((rice.product, 1)), payment_method="vietqr")
    clock.shift(timedelta(days=2))
    orders.expire_due_orders()
    db.session.commit()
    assert db.session.get(type(order), order.id).status == "cancelled"
    assert events_of("order.cancelled") == []


def test_shipments_leaving_and_arriving_are_told_to_their_producer_and_the_partner(
    partner, xoi, tea, xoi_maker, tea_maker, listening
):
    order = order_for(partner, (xoi, 10), (tea, 1))
    shipment = shipment_of(order, xoi_maker)
    fulfilment.pack(shipment)
    fulfilment.ship(shipment, carrier="ghn", tracking_number="GHN123456789")
    db.session.commit()
    fulfilment.deliver(shipment)
    db.session.commit()
    send()

    for path in ("/xoi", "/partner"):
        events = {
            e["type"]: e["data"]
            for e in (r.json for r in listening.for_path(path))
            if e["type"].startswith("shipment.")
        }
        assert set(events) == {"shipment.shipped", "shipment.delivered"}
        shipped = events["shipment.shipped"]
        assert (shipped["id"], shipped["order_number"], shipped["status"]) == (shipment.id, order.number, "shipped")
        assert (shipped["carrier"], shipped["tracking_number"]) == ("ghn", "GHN123456789")
        assert [line["sku"] for line in shipped["lines"]] == [xoi.sku]
        assert events["shipment.delivered"]["status"] == "delivered"
    assert events_of("shipment.shipped", partner_id=partner.id)[0].data["producer_name"] == "HTX Xôi Phú Thượng"
    assert [r.json["type"] for r in listening.for_path("/tea")] == ["order.created"]  # its shipment waits


def test_staff_moving_a_whole_order_tells_each_shipment(xoi_maker, tea_maker, receiver, rice, tea):
    endpoint_for(xoi_maker, receiver, ["shipment.shipped", "shipment.delivered"], path="/xoi")
    order = place(cart_with((rice.product, 1), (tea.product, 1)))  # cash on delivery: confirmed
    fulfilment.advance_order(order, "shipped")
    fulfilment.advance_order(order, "delivered")
    db.session.commit()
    assert [e.type for e in events_of(producer_id=xoi_maker.id)] == ["shipment.shipped", "shipment.delivered"]


def test_an_invoice_past_its_due_date_is_told_once(app, runner, partner, xoi, receiver, clock):
    endpoint_for(partner, receiver, ["invoice.overdue"])
    paid_in_time = order_for(partner, (xoi, 10))
    late = order_for(partner, (xoi, 5))
    from shop.invoicing.services import invoice_of_order, record_payment

    invoice = invoice_of_order(paid_in_time.id)
    record_payment(invoice, amount_vnd=invoice.total_vnd, paid_on=date(2026, 11, 30), reference="UNC 1")
    db.session.commit()

    assert runner.invoke(args=["shop", "invoices-overdue"]).output.strip() == "Recorded 0 overdue invoices"
    clock.shift(timedelta(days=17))  # due on 16 December: now the 17th
    assert runner.invoke(args=["shop", "invoices-overdue"]).output.strip() == "Recorded 1 overdue invoices"
    assert runner.invoke(args=["shop", "invoices-overdue"]).output.strip() == "Recorded 0 overdue invoices"

    [event] = events_of("invoice.overdue", partner_id=partner.id)
    assert event.data["order_id"] == late.id
    assert (event.data["due_on"], event.data["days_overdue"], event.data["outstanding_vnd"]) == (
        "2026-12-16",
        1,
        150_000,
    )
    send()
    assert [e["type"] for e in receiver.events()] == ["invoice.overdue"]


def test_stock_falling_to_its_warning_level_is_told_once_when_it_crosses(app, xoi_maker, receiver, xoi):
    endpoint_for(xoi_maker, receiver, ["stock.low"])
    inventory.set_low_stock_threshold(xoi.id, 190, producer_id=xoi_maker.id)
    db.session.commit()

    inventory.reserve_stock([(xoi.id, 5)], order_id=None)  # 200 → 195 available: above
    db.session.commit()
    assert events_of("stock.low") == []
    inventory.reserve_stock([(xoi.id, 6)], order_id=None)  # 195 → 189: crosses
    db.session.commit()
    inventory.reserve_stock([(xoi.id, 1)], order_id=None)  # 189 → 188: already below
    db.session.commit()
    [event] = events_of("stock.low", producer_id=xoi_maker.id)
    assert event.data == {
        "variant_id": xoi.id,
        "sku": xoi.sku,
        "product_id": xoi.product_id,
        "product_name": "Xôi Phú Thượng",
        "variant_name": xoi.name_vi,
        "on_hand": 200,
        "reserved": 11,
        "available": 189,
        "threshold": 190,
    }

    inventory.adjust_stock(xoi.id, 50, reason="received", producer_id=xoi_maker.id)  # back above: 239
    db.session.commit()
    variant = db.session.get(Variant, xoi.id)
    inventory.set_on_hand(xoi.id, 100, seen=variant.on_hand, producer_id=xoi_maker.id)  # 88: crosses again
    db.session.commit()
    inventory.adjust_stock(xoi.id, -1, reason="spoilage", producer_id=xoi_maker.id)
    db.session.commit()
    assert [e.data["available"] for e in events_of("stock.low")] == [189, 88]


def test_a_partner_order_that_empties_the_shelf_tells_the_producer(partner, tea, tea_maker, receiver):
    endpoint_for(tea_maker, receiver, ["stock.low"])
    inventory.set_low_stock_threshold(tea.id, 10, producer_id=tea_maker.id)
    db.session.commit()
    order_for(partner, (tea, 45))
    [event] = events_of("stock.low")
    assert (event.data["sku"], event.data["available"]) == (tea.sku, 5)


def test_a_rolled_back_action_records_no_event(partner, xoi, listening):
    order_for(partner, (xoi, 10), commit=False)
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) > 0  # in its transaction
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0
    assert send() == (0, 0)


def test_a_refused_shipment_move_records_nothing(partner, xoi, xoi_maker, listening):
    order = order_for(partner, (xoi, 10))
    shipment = shipment_of(order, xoi_maker)
    with pytest.raises(ConflictError):
        fulfilment.deliver(shipment)  # not shipped yet
    db.session.rollback()
    assert events_of("shipment.delivered") == []


def test_another_partners_receiver_hears_nothing_of_this_order(partner, xoi, listening, receiver):
    other = make_partner("Quán Bún Chả Hàng Mành")
    endpoint_for(other, receiver, path="/other")
    order_for(partner, (xoi, 10))
    send()
    assert listening.for_path("/other") == []
    assert {e.partner_id for e in events_of() if e.partner_id} == {partner.id}


def test_events_nobody_chose_are_not_recorded(partner, xoi, receiver):
    endpoint_for(partner, receiver, ["invoice.overdue"])
    order_for(partner, (xoi, 10), day=TUESDAY)
    assert events_of() == []
    assert webhooks.subscribers("order.created", partner_id=partner.id) == []
