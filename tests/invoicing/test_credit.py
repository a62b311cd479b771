"""Credit: unpaid invoices plus a new order on terms stay within the limit (the message says by
how much an order is over), and an overdue invoice holds new orders until it is paid or an
admin lifts the hold."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from shop.errors import ValidationError
from shop.extensions import db
from shop.invoicing.credit import check_may_order, credit_in_use_vnd, credit_summary, overdue_invoices
from shop.invoicing.services import record_payment

TODAY = date(2026, 11, 30)
AFTER_DUE = date(2026, 12, 18)  # net 15 after delivery on 2 Dec: due 17 Dec


def test_credit_in_use_is_what_is_unpaid_on_open_invoices(shop, partner):
    _, first = shop.invoiced(partner)
    _, second = shop.invoiced(partner)
    record_payment(first, amount_vnd=100_000, paid_on=TODAY, reference="FT1")
    db.session.commit()
    assert credit_in_use_vnd(partner.id) == 2 * 663_331 - 100_000


def test_an_order_within_the_limit_is_accepted(shop, partner):
    shop.invoiced(partner)  # 663.331 ₫ unpaid of 5.000.000 ₫
    check_may_order(partner, 5_000_000 - 663_331, today=TODAY, on_terms=True)


def test_an_order_over_the_limit_is_refused_saying_by_exactly_how_much(shop, partner):
    shop.invoiced(partner)
    with force_locale("en"):
        with pytest.raises(ValidationError) as refused:
            check_may_order(partner, 5_000_000 - 663_331 + 1_250_000, today=TODAY, on_terms=True)
        message = str(refused.value.message)
    assert message.startswith("This order is over your credit limit by 1.250.000 ₫")
    assert "limit 5.000.000 ₫" in message and "unpaid invoices 663.331 ₫" in message


def test_a_prepaid_order_is_not_held_to_the_credit_limit(shop, partner):
    check_may_order(partner, 50_000_000, today=TODAY, on_terms=False)


def test_an_overdue_invoice_blocks_ordering_naming_it_and_its_due_date(shop, partner):
    _, invoice = shop.invoiced(partner)
    check_may_order(partner, 1_000, today=date(2026, 12, 17), on_terms=True)  # due today: not yet overdue
    assert overdue_invoices(partner.id, AFTER_DUE) == [invoice]
    with force_locale("en"):
        with pytest.raises(ValidationError) as refused:
            check_may_order(partner, 1_000, today=AFTER_DUE, on_terms=False)
        message = str(refused.value.message)
    assert f"Invoice {invoice.number} (due 12/17/26) is overdue" in message


def test_a_lifted_hold_lets_the_partner_order_until_its_day_ends(shop, partner):
    shop.invoiced(partner)
    partner.hold_lifted_until = date(2026, 12, 20)
    db.session.commit()
    check_may_order(partner, 1_000, today=date(2026, 12, 20), on_terms=True)
    with pytest.raises(ValidationError):
        check_may_order(partner, 1_000, today=date(2026, 12, 21), on_terms=True)


def test_paying_the_overdue_invoice_releases_the_hold(shop, partner):
    _, invoice = shop.invoiced(partner)
    record_payment(invoice, amount_vnd=invoice.total_vnd, paid_on=TODAY, reference="FT2")
    db.session.commit()
    check_may_order(partner, 1_000, today=AFTER_DUE, on_terms=True)


def test_credit_summary_shows_limit_in_use_available_and_overdue(shop, partner):
    shop.invoiced(partner)
    summary = credit_summary(partner, AFTER_DUE)
    assert (summary.limit_vnd, summary.in_use_vnd, summary.available_vnd) == (5_000_000, 663_331, 4_336_669)
    assert (summary.overdue_count, summary.overdue_vnd, summary.on_hold) == (1, 663_331, True)
