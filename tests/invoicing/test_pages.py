"""The partner's invoice pages (accountants and owners only; another partner's invoice is a
404), the printable page with its VietQR code, the PDF, and the monthly statement's CSV."""

from __future__ import annotations

import csv
import io
import re
import zlib
from datetime import UTC, date, datetime

import pytest

from shop.extensions import db
from shop.payments import vietqr
from tests.support.partners import log_in, make_partner

EN = {"Accept-Language": "en"}


@pytest.fixture
def app_config(app_config):
    return {
        **app_config,
        "VIETQR_BANK_BIN": "970436",
        "VIETQR_BANK_NAME": "Vietcombank",
        "VIETQR_ACCOUNT_NUMBER": "0011004455667",
        "VIETQR_ACCOUNT_NAME": "CONG TY CHO OCOP",
    }


def test_the_accountant_sees_the_invoices_with_open_totals_and_credit(client, shop, partner, accountant):
    _, invoice = shop.invoiced(partner)
    page = log_in(client, accountant).get("/partner/invoices", headers=EN).get_data(as_text=True)
    assert invoice.number in page
    assert "663.331 ₫" in page
    assert "Credit available" in page and "4.336.669 ₫" in page
    assert "not VAT e-invoices" in page


def test_the_owner_may_see_invoices_too(client, shop, partner, owner):
    _, invoice = shop.invoiced(partner)
    assert log_in(client, owner).get(f"/partner/invoices/{invoice.id}").status_code == 200


def test_a_buyer_gets_403_on_every_invoice_page(client, shop, partner, buyer):
    _, invoice = shop.invoiced(partner)
    log_in(client, buyer)
    for url in (
        "/partner/invoices",
        f"/partner/invoices/{invoice.id}",
        f"/partner/invoices/{invoice.id}.pdf",
        "/partner/statements",
        "/partner/statements/csv",
    ):
        assert client.get(url).status_code == 403, url


def test_another_partners_invoice_is_a_404(client, shop, partner, accountant):
    other = make_partner("Quán Phở Hồ Tây")
    _, theirs = shop.invoiced(other)
    log_in(client, accountant)
    assert client.get(f"/partner/invoices/{theirs.id}").status_code == 404
    assert client.get(f"/partner/invoices/{theirs.id}.pdf").status_code == 404
    assert client.get("/partner/invoices/999999").status_code == 404


def test_the_invoice_page_shows_parties_lines_rates_and_a_vietqr_code_for_the_balance(
    client, shop, partner, accountant
):
    _, invoice = shop.invoiced(partner)
    page = log_in(client, accountant).get(f"/partner/invoices/{invoice.id}", headers=EN).get_data(as_text=True)
    assert "Commercial invoice (not a VAT e-invoice)" in page
    for text in (
        invoice.seller_name,
        invoice.seller_tax_code,
        "Nhà hàng Sen Tây Hồ",
        partner.tax_code,
        "15 Hàng Bài",
        "PO-7731",
        "Gạo nếp cái hoa vàng",
        "hộp",
        "43.000 ₫",
        "5%",
        "8%",
        "409.524 ₫",  # net at 5%
        "17.284 ₫",  # VAT at 8%
        "663.331 ₫",
        "Vietcombank",
        "0011004455667",
        "Dec 17, 2026",  # due: net 15 after delivery on 2 Dec
    ):
        assert text in page, text
    assert f"VietQR code to pay invoice {invoice.number}" in page
    expected = vietqr.payload(bank_bin="970436", account="0011004455667", amount_vnd=663_331, memo=invoice.number)
    assert str(vietqr.qr_svg(expected, title=f"VietQR code to pay invoice {invoice.number}")) in page
    assert "e-invoice" not in page.replace("not a VAT e-invoice", "").replace("VAT e-invoice is issued", "").replace(
        "e-invoice address", ""
    ).replace("e-invoice provider", "")


def test_a_paid_invoice_shows_no_code(client, shop, partner, accountant):
    from shop.invoicing.services import record_payment

    _, invoice = shop.invoiced(partner)
    record_payment(invoice, amount_vnd=invoice.total_vnd, paid_on=invoice.issued_on, reference="FT1")
    db.session.commit()
    page = log_in(client, accountant).get(f"/partner/invoices/{invoice.id}").get_data(as_text=True)
    assert "<svg" not in page


def _pdf_text(pdf: bytes) -> str:
    """The text of a PDF's pages as far as it can be read without a PDF library: each font's
    ToUnicode map applied to the hex glyph strings WeasyPrint writes."""
    streams = [zlib.decompress(m) for m in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S) if m[:1] == b"x"]
    glyphs: dict[str, str] = {}
    for s in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", s, re.S):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                glyphs[src.decode().upper()] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", s, re.S):
            for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                width, start = len(lo), int(dst, 16)
                for n, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    glyphs[f"{code:0{width}X}"] = chr(start + n)
    text = []
    for s in streams:
        for chunk in re.findall(rb"<([0-9A-Fa-f]+)>", s):
            h = chunk.decode().upper()
            if len(h) % 4 == 0:
                text.append("".join(glyphs.get(h[i : i + 4], "") for i in range(0, len(h), 4)))
    return "".join(text)


def test_the_pdf_is_a_pdf_with_the_invoice_number_and_vietnamese_text(client, shop, partner, accountant):
    _, invoice = shop.invoiced(partner)
    response = log_in(client, accountant).get(f"/partner/invoices/{invoice.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = _pdf_text(response.data)
    assert invoice.number in text
    assert "Nhà hàng Sen Tây Hồ" in text


def test_the_statement_csv_has_opening_entries_and_closing(client, shop, partner, accountant):
    _, invoice = shop.invoiced(partner)
    response = log_in(client, accountant).get("/partner/statements/csv?month=2026-11", headers=EN)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Date"
    assert rows[1][1] == "Opening balance" and rows[1][-1] == "0"
    assert rows[2][:3] == ["2026-11-30", "Invoice", invoice.number] and rows[2][-1] == "663331"
    assert rows[-1][1] == "Closing balance" and rows[-1][-1] == "663331"


def test_the_statement_page_shows_the_month(client, shop, partner, accountant):
    shop.invoiced(partner)
    page = log_in(client, accountant).get("/partner/statements?month=2026-11", headers=EN).get_data(as_text=True)
    assert "November 2026" in page and "663.331 ₫" in page
    assert client.get("/partner/statements?month=2026-13").status_code == 404


def test_the_dashboard_shows_open_and_overdue_to_accountants_only(app, client, shop, partner, accountant, buyer):
    shop.invoiced(partner, delivery_date=date(2026, 10, 2), placed=datetime(2026, 10, 1, 2, 0, tzinfo=UTC))
    page = log_in(client, accountant).get("/partner/", headers=EN).get_data(as_text=True)
    assert "See your invoices" in page
    assert "Overdue invoices hold new orders" in page  # due 17 Oct
    page = log_in(app.test_client(), buyer).get("/partner/", headers=EN).get_data(as_text=True)
    assert "See your invoices" not in page and "Invoices" not in page
