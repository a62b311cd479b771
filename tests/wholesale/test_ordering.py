"""Placing a partner's order: partner prices, quantity rules, delivery date and window, the
credit limit and overdue hold, one shipment per producer, the invoice; a refusal orders and
reserves nothing."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from shop.errors import ValidationError
from shop.extensions import db
from shop.fulfilment.models import Shipment
from shop.invoicing.models import Invoice
from shop.orders.models import Order
from shop.wholesale.delivery import Window
from shop.wholesale.ordering import PartnerOrderRequest, place_partner_order, price_lines

TUESDAY = date(2026, 12, 1)  # the clock: Monday 30 Nov 2026, 09:00 in Hà Nội
EARLY = Window(6 * 60, 8 * 60)


def request_for(location, *lines, day=TUESDAY, window=EARLY, **fields):
    return PartnerOrderRequest(
        location=location,
        quantities=[(variant.id, quantity) for variant, quantity in lines],
        delivery_date=day,
        window=window,
        **fields,
    )


def place(partner, request, buyer=None):
    with force_locale("en"):
        order = place_partner_order(
            partner, request, actor_user_id=buyer.id if buyer else None, email="bep@sentayho.vn", locale="vi"
        )
    db.session.commit()
    return order


def refused(partner, request) -> str:
    with force_locale("en"):
        with pytest.raises(ValidationError) as caught:
            place_partner_order(partner, request, actor_user_id=None, email="bep@sentayho.vn", locale="en")
        message = str(caught.value)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    return message


def test_an_order_on_terms_is_confirmed_at_the_volume_price_with_an_invoice_and_a_shipment_per_producer(
    partner, location, buyer, xoi, tea
):
    order = place(partner, request_for(location, (xoi, 20), (tea, 2), po_number="PO-0042"), buyer)

    assert order.status == "confirmed"
    assert order.payment_method == "invoice"
    prices = {line.sku: line.unit_price_vnd for line in order.lines}
    assert prices == {xoi.sku: 25_000, tea.sku: 200_000}
    assert order.total_vnd == 20 * 25_000 + 2 * 200_000
    assert (order.delivery_date, order.window_start_minute, order.window_end_minute) == (TUESDAY, 360, 480)
    assert order.po_number == "PO-0042"
    assert {line.vat_rate_bp for line in order.lines} == {800}
    assert db.session.scalar(select(func.count()).where(Shipment.order_id == order.id)) == 2
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    assert invoice.total_vnd == order.total_vnd
    assert invoice.due_on == date(2026, 12, 16)  # net 15 from the delivery date
    db.session.refresh(xoi)
    assert xoi.reserved == 20


def test_below_the_break_the_partner_pays_retail(partner, location, xoi):
    basket = price_lines(partner, [(xoi.id, 5)], day=TUESDAY)
    assert basket.lines[0].unit_price_vnd == 30_000
    assert basket.lines[0].quote.source == "retail"


@pytest.mark.parametrize(
    ("quantity", "message"),
    [(3, "The minimum for partners is 5."), (12, "Order in steps of 5: 10 or 15.")],
)
def test_quantities_off_the_rules_are_refused(partner, location, xoi, quantity, message):
    assert message in refused(partner, request_for(location, (xoi, quantity)))


def test_more_than_the_stock_is_refused_and_nothing_is_reserved(partner, location, tea):
    assert "Only 50 available." in refused(partner, request_for(location, (tea, 51)))
    db.session.refresh(tea)
    assert tea.reserved == 0


def test_an_order_over_the_credit_limit_says_by_how_much(partner, location, tea):
    partner.credit_limit_vnd = 300_000
    db.session.commit()
    message = refused(partner, request_for(location, (tea, 2)))
    assert "over your credit limit by 100.000 ₫" in message


def test_a_delivery_date_today_or_outside_the_receiving_hours_is_refused(partner, location, tea):
    assert "after today" in refused(partner, request_for(location, (tea, 1), day=date(2026, 11, 30)))
    sunday = date(2026, 12, 6)
    assert "does not receive deliveries" in refused(partner, request_for(location, (tea, 1), day=sunday))
    late = Window(10 * 60, 12 * 60)
    assert "from 06:00 to 11:00" in refused(partner, request_for(location, (tea, 1), window=late))


def test_after_the_cut_off_tomorrow_is_too_soon(partner, location, tea, clock):
    clock.move_to("2026-11-30T17:00:00+07:00")
    assert "first date they can deliver" in refused(partner, request_for(location, (tea, 1)))


def test_a_perishable_cannot_reach_another_province(partner, xoi):
    from tests.support.partners import make_location

    far = make_location(partner, "Chi nhánh Đà Nẵng", province_code=48, ward_code=20194)
    assert "cannot reach" in refused(partner, request_for(far, (xoi, 10)))


def test_an_unapproved_partner_cannot_order(partner, location, tea):
    partner.status = "pending"
    db.session.commit()
    assert "not approved" in refused(partner, request_for(location, (tea, 1)))


def test_a_prepaid_partner_pays_like_a_shopper(app, partner, location, tea):
    partner.payment_terms = "prepaid"
    db.session.commit()
    assert "Choose one of the payment methods" in refused(partner, request_for(location, (tea, 1)))
    order = place(partner, request_for(location, (tea, 1), payment_method="vietqr"))
    assert order.status == "pending_payment"
    assert order.payment_method == "vietqr"


@pytest.mark.both_databases
def test_two_orders_at_once_cannot_both_fit_under_the_credit_limit(app, partner, location, tea):
    import threading

    from shop.errors import ShopError
    from shop.partners.models import Partner, PartnerLocation

    partner.credit_limit_vnd = 500_000  # room for one order of 2 × 200.000 ₫, not two
    db.session.commit()
    partner_id, location_id, variant_id = partner.id, location.id, tea.id
    db.session.remove()
    start = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def order(n: int) -> None:
        with app.app_context():
            try:
                start.wait(timeout=30)
                me = db.session.get(Partner, partner_id)
                where = db.session.get(PartnerLocation, location_id)
                request = PartnerOrderRequest(where, [(variant_id, 2)], TUESDAY, EARLY, checkout_token=f"t-{n}")
                outcomes[n] = place_partner_order(me, request, actor_user_id=None, email="a@b.vn", locale="en").number
                db.session.commit()
            except ShopError as exc:
                db.session.rollback()
                outcomes[n] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=order, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    placed = [o for o in outcomes if isinstance(o, str)]
    assert len(placed) == 1, outcomes
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1


def test_the_buyers_mail_and_the_producers_shipment_page_name_the_delivery_date_and_window(
    app, client, partner, location, buyer, xoi
):
    from shop.mail.models import OutboundMail
    from tests.portal.conftest import a_member
    from tests.support.partners import log_in

    order = place(partner, request_for(location, (xoi, 10), po_number="PO-77"), buyer)
    mail = db.session.scalar(select(OutboundMail).where(OutboundMail.to_addr == "bep@sentayho.vn"))
    assert "Thứ Ba, 1 tháng 12, 2026, 06:00–08:00" in mail.body_text

    shipment = db.session.scalar(select(Shipment).where(Shipment.order_id == order.id))
    log_in(client, a_member(xoi.product.producer, role="owner"))
    page = client.get(f"/producer/shipments/{shipment.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Tuesday, December 1, 2026, 06:00–08:00" in page
    assert "PO-77" in page


@pytest.mark.both_databases
def test_a_placed_order_is_the_callers_to_commit_or_roll_back(app, partner, location, tea):
    place_partner_order(partner, request_for(location, (tea, 1)), actor_user_id=None, email="a@b.vn", locale="en")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    db.session.refresh(tea)
    assert tea.reserved == 0
