"""The monthly statement: what one month closes with, the next opens with; invoices, payments
and voids each on their Vietnam day."""

from __future__ import annotations

from datetime import UTC, date, datetime

from shop.extensions import db
from shop.invoicing.services import record_payment, void_invoice
from shop.invoicing.statements import monthly_statement, partner_totals
from shop.settlements.periods import Period

OCTOBER, NOVEMBER, DECEMBER = Period(2026, 10), Period(2026, 11), Period(2026, 12)


def test_balances_carry_from_month_to_month(shop, partner, clock):
    clock.move_to(datetime(2026, 10, 20, 2, 0, tzinfo=UTC))
    _, october = shop.invoiced(
        partner, delivery_date=date(2026, 10, 21), placed=datetime(2026, 10, 20, 2, 0, tzinfo=UTC)
    )
    clock.move_to(datetime(2026, 10, 26, 2, 0, tzinfo=UTC))
    record_payment(october, amount_vnd=300_000, paid_on=date(2026, 10, 25), reference="FT-OCT")
    db.session.commit()
    clock.move_to(datetime(2026, 11, 30, 2, 0, tzinfo=UTC))
    _, november = shop.invoiced(partner)
    _, dropped = shop.invoiced(partner)
    record_payment(october, amount_vnd=363_331, paid_on=date(2026, 11, 3), reference="FT-NOV")
    void_invoice(dropped, reason="Đặt trùng")
    db.session.commit()

    oct_statement = monthly_statement(partner.id, OCTOBER)
    assert oct_statement.opening_vnd == 0
    assert [(e.kind, e.charge_vnd, e.credit_vnd, e.balance_vnd) for e in oct_statement.entries] == [
        ("invoice", 663_331, 0, 663_331),
        ("payment", 0, 300_000, 363_331),
    ]
    assert oct_statement.closing_vnd == 363_331

    nov = monthly_statement(partner.id, NOVEMBER)
    assert nov.opening_vnd == oct_statement.closing_vnd
    assert [e.kind for e in nov.entries] == ["payment", "invoice", "invoice", "void"]
    assert (nov.invoiced_vnd, nov.paid_vnd, nov.voided_vnd) == (2 * 663_331, 363_331, 663_331)
    assert nov.closing_vnd == 663_331 == november.balance_vnd
    assert monthly_statement(partner.id, DECEMBER).opening_vnd == nov.closing_vnd


def test_an_invoice_issued_late_on_the_last_evening_belongs_to_that_month_in_vietnam(shop, partner):
    # 23:30 on 31 October in Hà Nội is 16:30 UTC: October's.
    shop.invoiced(partner, delivery_date=date(2026, 11, 2), placed=datetime(2026, 10, 31, 16, 30, tzinfo=UTC))
    assert monthly_statement(partner.id, OCTOBER).closing_vnd == 663_331
    assert monthly_statement(partner.id, NOVEMBER).entries == []


def test_open_and_overdue_totals(shop, partner):
    shop.invoiced(partner, delivery_date=date(2026, 10, 2), placed=datetime(2026, 10, 1, 2, 0, tzinfo=UTC))
    shop.invoiced(partner)
    totals = partner_totals(partner.id, date(2026, 11, 30))
    assert (totals.open_vnd, totals.open_count, totals.overdue_vnd, totals.overdue_count) == (
        2 * 663_331,
        2,
        663_331,
        1,
    )
