"""Shipments: an order split per producer, released to producers once confirmed, moved by
guarded steps with the order following, the stock leaving through the ledger, and the mails."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from shop.errors import ConflictError, ValidationError
from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.fulfilment.models import Shipment
from shop.inventory.models import StockMovement
from shop.inventory.services import ledger_totals
from shop.orders import services as orders
from shop.payments import services as payments
from tests.factories import UserFactory
from tests.fulfilment.conftest import mails_to, stock

SHOPPER = "lan@example.vn"


def in_english(order):
    order.locale = "en"
    db.session.commit()
    return order


def test_an_order_from_two_producers_is_split_into_two_shipments_with_their_values(shop):
    order = shop.order(xoi=2, tea=1)
    xoi, tea = shop.shipment(order, shop.xoi_maker), shop.shipment(order, shop.tea_maker)
    assert (xoi.subtotal_vnd, tea.subtotal_vnd) == (70_000, 450_000)
    assert (xoi.status, tea.status) == ("open", "open")
    assert [line.sku for line in xoi.lines] == [shop.xoi.variants[0].sku]
    assert [line.sku for line in tea.lines] == [shop.tea.variants[0].sku]
    assert fulfilment.create_shipments(order) == []  # made once


def test_an_order_from_one_producer_has_one_shipment(shop):
    order = shop.order(xoi=3, tea=0)
    assert [s.producer_id for s in fulfilment.shipments_of(order)] == [shop.xoi_maker.id]


def test_a_cash_order_is_released_to_its_producers_at_once_and_each_member_is_mailed_once(shop):
    order = shop.order()
    assert order.status == "confirmed"
    assert shop.shipment(order, shop.xoi_maker).notified_at is not None
    for member in (shop.xoi_owner, shop.xoi_staff, shop.tea_owner):
        [mail] = mails_to(member.email)
        assert order.number in mail.subject
    # The xôi makers' mail shows their lines only, and links to the portal's shipment page.
    [mail] = mails_to(shop.xoi_owner.email)
    assert "Xôi Phú Thượng" in mail.body_text and "Chè Sen" not in mail.body_text
    assert f"/producer/shipments/{shop.shipment(order, shop.xoi_maker).id}" in mail.body_text
    # A second confirmation (a repeated webhook, say) mails nobody again.
    assert fulfilment.release_to_producers(order) == []
    assert len(mails_to(shop.xoi_owner.email)) == 1


def test_an_unpaid_transfer_order_is_not_released_until_its_payment_is_received(shop):
    order = shop.order(payment_method="vietqr")
    assert order.status == "pending_payment"
    assert shop.shipment(order, shop.xoi_maker).notified_at is None
    assert fulfilment.shipments_page(shop.xoi_maker.id, fulfilment.ShipmentFilter()).total == 0
    assert mails_to(shop.xoi_owner.email) == []

    payments.record_payment(order, actor=UserFactory(is_admin=True).id)
    db.session.commit()
    assert fulfilment.shipments_page(shop.xoi_maker.id, fulfilment.ShipmentFilter()).total == 1
    assert len(mails_to(shop.xoi_owner.email)) == 1 and len(mails_to(shop.tea_owner.email)) == 1


def test_an_expired_unpaid_order_is_never_shown_and_its_shipments_close(shop):
    order = shop.order(payment_method="vietqr")
    orders.cancel(order, reason="expired")
    db.session.commit()
    assert {s.status for s in fulfilment.shipments_of(order)} == {"cancelled"}
    assert fulfilment.shipments_page(shop.xoi_maker.id, fulfilment.ShipmentFilter()).total == 0
    assert mails_to(shop.xoi_owner.email) == []
    assert stock(shop.xoi) == (20, 0)


def test_a_shipment_moves_open_packed_shipped_delivered(shop):
    order = shop.order()
    xoi = shop.shipment(order, shop.xoi_maker)
    fulfilment.pack(xoi)
    fulfilment.ship(xoi, carrier="ghn", tracking_number="GHN123456VN")
    fulfilment.deliver(xoi)
    db.session.commit()
    db.session.refresh(xoi)
    assert (xoi.status, xoi.carrier, xoi.tracking_number) == ("delivered", "ghn", "GHN123456VN")
    assert xoi.packed_at and xoi.shipped_at and xoi.delivered_at
    assert xoi.commission_bp == 1000  # the default rate in force on delivery, kept


@pytest.mark.parametrize(
    ("start", "move"),
    [("open", "ship"), ("open", "deliver"), ("packed", "deliver"), ("shipped", "pack"), ("delivered", "ship")],
)
def test_illegal_moves_raise_and_change_nothing(shop, start, move):
    order = shop.order()
    xoi = shop.shipment(order, shop.xoi_maker)
    xoi.status = start
    db.session.commit()
    with pytest.raises(ConflictError):
        {
            "pack": lambda: fulfilment.pack(xoi),
            "ship": lambda: fulfilment.ship(xoi, carrier="own", tracking_number=None),
            "deliver": lambda: fulfilment.deliver(xoi),
        }[move]()
    db.session.rollback()
    assert db.session.get(Shipment, xoi.id).status == start


def test_a_cancelled_shipment_moves_no_more(shop):
    order = shop.order()
    xoi = shop.shipment(order, shop.xoi_maker)
    fulfilment.cancel_shipment(xoi, reason="Hết gạo nếp")
    db.session.commit()
    with pytest.raises(fulfilment.IllegalMove):
        fulfilment.pack(xoi)


@pytest.mark.both_databases
def test_two_clicks_on_the_same_move_move_it_once(shop):
    order = shop.order()
    xoi = shop.shipment(order, shop.xoi_maker)
    # Another request packed it after this one read it as open.
    db.session.execute(update(Shipment).where(Shipment.id == xoi.id).values(status="packed"))
    with pytest.raises(ConflictError):
        fulfilment.pack(xoi)


def test_a_pending_payment_shipment_cannot_be_moved(shop):
    order = shop.order(payment_method="vietqr")
    with pytest.raises(ConflictError):
        fulfilment.pack(shop.shipment(order, shop.xoi_maker))


def test_shipping_needs_a_known_carrier_and_a_tracking_number_except_for_own_delivery(shop):
    order = shop.order()
    xoi, tea = shop.shipment(order, shop.xoi_maker), shop.shipment(order, shop.tea_maker)
    fulfilment.pack(xoi)
    fulfilment.pack(tea)
    with pytest.raises(ValidationError) as no_carrier:
        fulfilment.ship(xoi, carrier="dhl", tracking_number="X123")
    assert no_carrier.value.field == "carrier"
    with pytest.raises(ValidationError) as no_tracking:
        fulfilment.ship(xoi, carrier="ghtk", tracking_number="  ")
    assert no_tracking.value.field == "tracking_number"
    with pytest.raises(ValidationError):
        fulfilment.ship(xoi, carrier="ghtk", tracking_number="<script>")
    fulfilment.ship(tea, carrier="own", tracking_number="")
    assert (tea.status, tea.tracking_number) == ("shipped", None)


@pytest.mark.both_databases
def test_the_order_follows_its_shipments(shop):
    order = shop.order()
    xoi, tea = shop.shipment(order, shop.xoi_maker), shop.shipment(order, shop.tea_maker)
    fulfilment.pack(xoi)
    assert order.status == "processing"
    fulfilment.ship(xoi, carrier="viettel_post", tracking_number="VTP-778899")
    db.session.commit()
    # One producer has shipped, the other's is still open: the order is still being prepared.
    assert (order.status, db.session.get(Shipment, tea.id).status) == ("processing", "open")
    assert order.shipped_at is not None and not order.can_cancel  # something has left
    fulfilment.pack(tea)
    fulfilment.ship(tea, carrier="ahamove", tracking_number="AHA-1")
    assert order.status == "shipped"
    fulfilment.deliver(xoi)
    assert order.status == "shipped"
    fulfilment.deliver(tea)
    db.session.commit()
    assert order.status == "delivered"
    assert order.paid_at is not None  # cash collected on delivery
    moves = [(e.from_status, e.to_status) for e in order.events]
    assert moves[-3:] == [("confirmed", "processing"), ("processing", "shipped"), ("shipped", "delivered")]


def test_stock_leaves_the_shelf_per_shipment_through_the_ledger(shop):
    order = shop.order(xoi=2, tea=1)
    xoi = shop.shipment(order, shop.xoi_maker)
    fulfilment.pack(xoi)
    fulfilment.ship(xoi, carrier="vnpost", tracking_number="EE123456789VN")
    db.session.commit()
    assert stock(shop.xoi) == (18, 0)
    assert stock(shop.tea) == (10, 1)  # still held for the other shipment
    assert ledger_totals(shop.xoi.variants[0].id) == (18, 0)
    [shipped] = db.session.scalars(select(StockMovement).where(StockMovement.reason == "ship")).all()
    assert (shipped.variant_id, shipped.on_hand_delta, shipped.order_id) == (shop.xoi.variants[0].id, -2, order.id)


def test_the_shopper_is_mailed_when_each_shipment_leaves_and_arrives(shop):
    order = in_english(shop.order())
    xoi, tea = shop.shipment(order, shop.xoi_maker), shop.shipment(order, shop.tea_maker)
    before = len(mails_to(SHOPPER))
    fulfilment.pack(xoi)
    assert len(mails_to(SHOPPER)) == before  # packing is the producer's business
    fulfilment.ship(xoi, carrier="ghn", tracking_number="GHN-555")
    fulfilment.pack(tea)
    fulfilment.ship(tea, carrier="own", tracking_number=None)
    fulfilment.deliver(xoi)
    fulfilment.deliver(tea)
    db.session.commit()
    new = mails_to(SHOPPER)[before:]
    assert [m.subject for m in new] == [
        f"Part of order {order.number} is on its way",
        f"Order {order.number} is on its way",
        f"Part of order {order.number} is delivered",
        f"Order {order.number} is delivered",
    ]
    assert "GHN-555" in new[0].body_text and "HTX Xôi Phú Thượng" in new[0].body_text
    assert "its own transport" in new[1].body_text
    assert "lan@" not in new[0].body_text and "Đặng Thai Mai" not in new[0].body_html  # no address


def test_staff_moving_the_order_move_every_shipment_and_mail_once(shop):
    order = in_english(shop.order())
    before = len(mails_to(SHOPPER))
    fulfilment.advance_order(order, "processing")
    assert {s.status for s in fulfilment.shipments_of(order)} == {"packed"}
    fulfilment.advance_order(order, "shipped")
    db.session.commit()
    assert {s.status for s in fulfilment.shipments_of(order)} == {"shipped"}
    assert order.status == "shipped"
    assert stock(shop.xoi) == (18, 0) and stock(shop.tea) == (9, 0)
    fulfilment.advance_order(order, "delivered")
    db.session.commit()
    assert {s.status for s in fulfilment.shipments_of(order)} == {"delivered"}
    assert order.status == "delivered"
    assert len(mails_to(SHOPPER)) == before + 2


def test_staff_shipping_the_rest_of_an_order_leave_a_cancelled_shipment_be(shop):
    order = shop.order()
    fulfilment.cancel_shipment(shop.shipment(order, shop.tea_maker), reason="Hết hàng")
    fulfilment.advance_order(order, "shipped")
    db.session.commit()
    assert [(s.producer_id, s.status) for s in fulfilment.shipments_of(order)] == sorted(
        [(shop.xoi_maker.id, "shipped"), (shop.tea_maker.id, "cancelled")]
    )
    assert stock(shop.tea) == (10, 0)


def test_a_shopper_cancelling_the_order_closes_its_shipments_and_tells_the_producers(shop):
    order = shop.order()
    fulfilment.pack(shop.shipment(order, shop.xoi_maker))
    orders.cancel(order, reason="shopper")
    db.session.commit()
    assert {s.status for s in fulfilment.shipments_of(order)} == {"cancelled"}
    assert stock(shop.xoi) == (20, 0) and stock(shop.tea) == (10, 0)
    assert len(mails_to(shop.xoi_owner.email)) == 2  # ready, then withdrawn


def test_producer_cancels_its_part_of_a_transfer_order_and_a_refund_is_due(shop):
    order = shop.order(payment_method="vietqr")
    payments.record_payment(order, actor=UserFactory(is_admin=True).id)
    in_english(order)
    tea = shop.shipment(order, shop.tea_maker)
    assert fulfilment.cancel_shipment(tea, reason="Sen năm nay mất mùa") is False
    db.session.commit()
    db.session.refresh(tea)
    assert (tea.status, tea.cancel_reason) == ("cancelled", "Sen năm nay mất mùa")
    assert (tea.refund_vnd, tea.refund_status) == (450_000, "due")
    assert order.status == "confirmed" and order.refund_status is None  # the rest goes ahead
    assert stock(shop.tea) == (10, 0) and stock(shop.xoi) == (20, 2)
    assert ledger_totals(shop.tea.variants[0].id) == (10, 0)
    cancelled = mails_to(SHOPPER)[-1]
    assert cancelled.subject == f"Part of order {order.number} is cancelled"
    assert "450.000 ₫" in cancelled.body_text and "mất mùa" not in cancelled.body_text
    assert fulfilment.shipment_refunds_due() == [tea]
    # Staff send the transfer back and mark it.
    from shop.payments import shipment_refunds

    assert shipment_refunds.record_shipment_refund_sent(tea) is True
    assert tea.refund_status == "sent" and fulfilment.shipment_refunds_due() == []


def test_a_cash_order_owes_no_refund_for_a_cancelled_shipment(shop):
    order = shop.order()
    tea = shop.shipment(order, shop.tea_maker)
    fulfilment.cancel_shipment(tea, reason="Hết hàng")
    assert (tea.refund_vnd, tea.refund_status) == (0, None)


def test_cancelling_needs_a_reason_and_a_shipment_that_has_not_left(shop):
    order = shop.order()
    xoi = shop.shipment(order, shop.xoi_maker)
    with pytest.raises(ValidationError):
        fulfilment.cancel_shipment(xoi, reason="   ")
    fulfilment.pack(xoi)
    fulfilment.ship(xoi, carrier="own", tracking_number=None)
    with pytest.raises(fulfilment.IllegalMove):
        fulfilment.cancel_shipment(xoi, reason="Đổi ý")


def test_the_last_shipment_cancelled_cancels_the_whole_order_through_its_refund_flow(shop):
    order = shop.order(payment_method="vietqr")
    payments.record_payment(order, actor=UserFactory(is_admin=True).id)
    tea, xoi = shop.shipment(order, shop.tea_maker), shop.shipment(order, shop.xoi_maker)
    fulfilment.cancel_shipment(tea, reason="Hết hàng")
    fulfilment.cancel_shipment(xoi, reason="Hết gạo")
    db.session.commit()
    assert order.status == "cancelled" and order.refund_status == "due"  # the order's refund, for staff
    # The first shipment's refund is part of the order's now: nothing is owed twice.
    assert (tea.refund_status, xoi.refund_status) == (None, None)
    assert stock(shop.tea) == (10, 0) and stock(shop.xoi) == (20, 0)
    assert ledger_totals(shop.xoi.variants[0].id) == (20, 0)


def test_the_other_shipments_decide_the_order_once_one_is_cancelled(shop):
    order = shop.order()
    xoi, tea = shop.shipment(order, shop.xoi_maker), shop.shipment(order, shop.tea_maker)
    fulfilment.pack(xoi)
    fulfilment.ship(xoi, carrier="ghn", tracking_number="GHN-1")
    fulfilment.cancel_shipment(tea, reason="Hết hàng")
    assert order.status == "shipped"  # all that is left to send has left


def test_a_refund_of_a_live_order_gives_back_only_what_it_still_holds(shop):
    order = shop.order(payment_method="vietqr")
    payments.record_payment(order, actor=UserFactory(is_admin=True).id)
    fulfilment.cancel_shipment(shop.shipment(order, shop.tea_maker), reason="Hết hàng")
    orders.mark_refunded(order, note="refunded by hand")
    db.session.commit()
    assert stock(shop.tea) == (10, 0) and stock(shop.xoi) == (20, 0)
    assert ledger_totals(shop.tea.variants[0].id) == (10, 0)
