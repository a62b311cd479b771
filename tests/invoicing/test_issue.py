"""Issuing a partner order's invoice: the seller and buyer as they are, lines at their VAT
rates split into net and VAT (rounded half up per line), totals per rate, the due date from the
terms and a unique number."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shop.errors import ConflictError
from shop.extensions import db
from shop.invoicing.services import due_on_for, issue_invoice
from shop.pricing import by_rate
from tests.invoicing.conftest import DELIVERY, NOW
from tests.support.partners import make_partner


def test_lines_at_5_and_8_percent_split_into_net_and_vat_rounded_half_up_per_line(shop, partner):
    _, invoice = shop.invoiced(partner)

    rice, xoi = invoice.lines
    assert (rice.quantity, rice.unit_price_vnd, rice.gross_vnd, rice.vat_rate_bp) == (10, 43_000, 430_000, 500)
    assert (rice.vat_vnd, rice.net_vnd) == (20_476, 409_524)  # 430.000 × 5/105 = 20.476,19
    assert (xoi.gross_vnd, xoi.vat_rate_bp) == (233_331, 800)
    assert (xoi.vat_vnd, xoi.net_vnd) == (17_284, 216_047)  # 233.331 × 8/108 = 17.283,78
    assert (invoice.net_vnd, invoice.vat_vnd, invoice.total_vnd) == (625_571, 37_760, 663_331)
    per_rate = by_rate((line.gross_vnd, line.vat_rate_bp) for line in invoice.lines)
    assert [(r.rate_bp, r.net_vnd, r.vat_vnd, r.gross_vnd) for r in per_rate] == [
        (500, 409_524, 20_476, 430_000),
        (800, 216_047, 17_284, 233_331),
    ]


def test_invoice_copies_seller_buyer_delivery_po_and_units(app, shop, partner):
    order, invoice = shop.invoiced(partner)

    assert invoice.seller_name == app.config["SHOP_LEGAL_NAME"]
    assert invoice.seller_tax_code == app.config["SHOP_TAX_CODE"]
    assert invoice.seller_address == app.config["SHOP_ADDRESS"]
    assert (invoice.buyer_name, invoice.buyer_tax_code) == ("Nhà hàng Sen Tây Hồ", partner.tax_code)
    assert invoice.buyer_address.startswith("15 Hàng Bài")
    assert invoice.buyer_email == partner.einvoice_email
    assert partner.locations[0].name in invoice.delivery_address and "27 Xuân Diệu" in invoice.delivery_address
    assert invoice.po_number == "PO-7731"
    assert [line.unit for line in invoice.lines] == ["kg", "hộp"]
    assert invoice.lines[0].description == "Gạo nếp cái hoa vàng — Gói 1"
    assert (invoice.status, invoice.paid_vnd, invoice.balance_vnd) == ("open", 0, 663_331)
    assert invoice.total_vnd == order.total_vnd


def test_a_later_change_of_the_partners_address_leaves_the_invoice_as_issued(shop, partner):
    _, invoice = shop.invoiced(partner)
    partner.street = "99 Lý Thường Kiệt"
    partner.name = "Công ty Sen Mới"
    db.session.commit()
    db.session.refresh(invoice)
    assert invoice.buyer_name == "Nhà hàng Sen Tây Hồ"
    assert invoice.buyer_address.startswith("15 Hàng Bài")


def test_issued_on_is_vietnams_date_of_the_moment_of_ordering(shop, partner):
    # 23:30 on Sunday 29 November in Hà Nội is still the 29th there (16:30 UTC).
    _, invoice = shop.invoiced(partner, placed=datetime(2026, 11, 29, 16, 30, tzinfo=UTC))
    assert invoice.issued_on == date(2026, 11, 29)
    assert invoice.number.startswith("HD2026-")


@pytest.mark.parametrize(
    ("terms", "due"),
    [
        ("prepaid", date(2026, 11, 30)),
        ("on_delivery", DELIVERY),
        ("net7", date(2026, 12, 9)),
        ("net15", date(2026, 12, 17)),
        ("net30", date(2027, 1, 1)),
    ],
)
def test_due_date_follows_the_terms_from_the_delivery_date(terms, due):
    assert due_on_for(terms, DELIVERY, date(2026, 11, 30)) == due


def test_due_date_is_never_before_the_day_of_issue():
    assert due_on_for("on_delivery", date(2026, 11, 1), date(2026, 11, 30)) == date(2026, 11, 30)
    assert due_on_for("net7", None, date(2026, 11, 30)) == date(2026, 12, 7)


def test_invoice_takes_the_partners_terms_when_issued(app, shop):
    partner = make_partner(payment_terms="net30", credit_limit_vnd=10_000_000)
    _, invoice = shop.invoiced(partner)
    assert (invoice.payment_terms, invoice.due_on) == ("net30", date(2027, 1, 1))


@pytest.mark.both_databases
def test_numbers_are_unique_and_follow_the_year_and_id(backend, shop, partner):
    invoices = [shop.invoiced(partner)[1] for _ in range(3)]
    numbers = [i.number for i in invoices]
    assert len(set(numbers)) == 3
    assert numbers == [f"HD2026-{i.id:06d}" for i in invoices]


def test_an_order_gets_one_invoice(shop, partner):
    order, _ = shop.invoiced(partner)
    with pytest.raises(ConflictError):
        issue_invoice(order, now=NOW)


def test_a_delivery_fee_is_a_line_of_its_own_at_the_goods_highest_rate(shop, partner):
    order, invoice = shop.invoiced(partner, shipping_vnd=30_000)
    fee = invoice.lines[-1]
    assert (fee.description, fee.quantity, fee.gross_vnd, fee.vat_rate_bp) == ("Phí giao hàng", 1, 30_000, 800)
    assert invoice.total_vnd == order.total_vnd == 693_331
