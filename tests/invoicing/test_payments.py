"""Staff record payments against an invoice (in part or in full, never above the balance) and
void one with a reason; each is in the audit log."""

from __future__ import annotations

from datetime import date

import pytest

from shop.audit.models import AuditEvent
from shop.errors import ValidationError
from shop.extensions import db
from shop.invoicing.services import record_payment, void_invoice
from tests.support.builders import an_admin

TODAY = date(2026, 11, 30)


def test_partial_payments_until_the_balance_is_paid(shop, partner):
    admin = an_admin()
    _, invoice = shop.invoiced(partner)
    record_payment(invoice, amount_vnd=600_000, paid_on=TODAY, reference="FT26334", actor=admin)
    db.session.commit()
    assert (invoice.status, invoice.paid_vnd, invoice.balance_vnd) == ("open", 600_000, 63_331)
    record_payment(invoice, amount_vnd=63_331, paid_on=TODAY, reference="FT26335", actor=admin)
    db.session.commit()
    assert (invoice.status, invoice.balance_vnd) == ("paid", 0)
    assert invoice.paid_at is not None
    assert [p.reference for p in invoice.payments] == ["FT26334", "FT26335"]
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.entity == "invoice")).all()
    assert actions == ["invoice.payment", "invoice.payment"]


def test_a_payment_above_the_balance_is_refused(shop, partner):
    _, invoice = shop.invoiced(partner)
    with pytest.raises(ValidationError) as refused:
        record_payment(invoice, amount_vnd=663_332, paid_on=TODAY, reference=None)
    assert refused.value.field == "amount_vnd"
    db.session.rollback()
    assert invoice.paid_vnd == 0


@pytest.mark.parametrize("amount", [0, -5])
def test_a_payment_must_be_above_zero(shop, partner, amount):
    _, invoice = shop.invoiced(partner)
    with pytest.raises(ValidationError):
        record_payment(invoice, amount_vnd=amount, paid_on=TODAY, reference=None)


def test_a_payment_cannot_be_dated_in_the_future(shop, partner):
    _, invoice = shop.invoiced(partner)
    with pytest.raises(ValidationError):
        record_payment(invoice, amount_vnd=1, paid_on=date(2026, 12, 1), reference=None)


def test_a_paid_or_void_invoice_takes_no_payment(shop, partner):
    _, invoice = shop.invoiced(partner)
    void_invoice(invoice, reason="Sai đơn", actor=an_admin())
    db.session.commit()
    with pytest.raises(ValidationError):
        record_payment(invoice, amount_vnd=1, paid_on=TODAY, reference=None)


def test_voiding_needs_a_reason_and_is_audited(shop, partner):
    _, invoice = shop.invoiced(partner)
    with pytest.raises(ValidationError):
        void_invoice(invoice, reason="  ")
    void_invoice(invoice, reason="Khách đặt trùng", actor=an_admin())
    db.session.commit()
    assert (invoice.status, invoice.void_reason, invoice.balance_vnd) == ("void", "Khách đặt trùng", 0)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "invoice.void"))
    assert invoice.number in event.note


def test_an_invoice_with_payments_is_not_voided_by_staff(shop, partner):
    _, invoice = shop.invoiced(partner)
    record_payment(invoice, amount_vnd=1_000, paid_on=TODAY, reference=None)
    db.session.commit()
    with pytest.raises(ValidationError):
        void_invoice(invoice, reason="Sai")
