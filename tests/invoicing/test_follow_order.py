"""The invoice follows its order: voided when the order is cancelled, revised to the lines
still coming when a producer cancels its part, paid when a prepaid order's money arrives."""

from __future__ import annotations

from shop.audit.models import AuditEvent
from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.fulfilment.models import Shipment
from shop.invoicing.services import issue_invoice
from shop.orders import services as orders
from tests.invoicing.conftest import NOW
from tests.support.partners import make_partner


def test_cancelling_the_order_voids_its_open_invoice(shop, partner):
    order, invoice = shop.invoiced(partner)
    orders.cancel(order, reason="partner")
    db.session.commit()
    assert (invoice.status, invoice.void_reason) == ("void", "order cancelled")
    assert invoice.voided_at is not None


def test_a_producer_cancelling_its_part_leaves_the_invoice_with_the_lines_still_coming(shop, partner):
    order, invoice = shop.invoiced(partner)
    number = invoice.number
    rice = db.session.scalar(
        db.select(Shipment).where(Shipment.order_id == order.id, Shipment.producer_id == shop.rice_maker.id)
    )
    fulfilment.release_to_producers(order)
    fulfilment.cancel_shipment(rice, reason="Hết gạo")
    db.session.commit()
    db.session.refresh(invoice)
    assert invoice.number == number and invoice.status == "open"
    assert [line.vat_rate_bp for line in invoice.lines] == [800]
    assert (invoice.net_vnd, invoice.vat_vnd, invoice.total_vnd) == (216_047, 17_284, 233_331)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "invoice.revise"))
    assert event.before["total_vnd"] == 663_331 and event.after["total_vnd"] == 233_331


def test_the_last_producer_cancelling_voids_the_invoice_with_the_order(shop, partner):
    order, invoice = shop.invoiced(partner, rice=None)
    fulfilment.release_to_producers(order)
    (only,) = fulfilment.shipments_of(order)
    fulfilment.cancel_shipment(only, reason="Hết xôi")
    db.session.commit()
    assert invoice.status == "void"


def test_a_prepaid_order_paid_by_transfer_marks_its_invoice_paid(app, shop):
    partner = make_partner(payment_terms="prepaid")
    order = shop.order(partner, status="pending_payment", payment_method="vietqr")
    invoice = issue_invoice(order, now=NOW)
    db.session.commit()
    assert invoice.status == "open"
    orders.mark_paid(order)
    db.session.commit()
    assert (invoice.status, invoice.balance_vnd) == ("paid", 0)
    (payment,) = invoice.payments
    assert payment.amount_vnd == invoice.total_vnd and order.number in payment.reference


def test_an_order_on_terms_confirmed_at_once_stays_open(shop, partner):
    order = shop.order(partner, status="pending_payment")
    invoice = issue_invoice(order, now=NOW)
    orders.transition(order, "confirmed")
    db.session.commit()
    assert invoice.status == "open"
