"""The export for the e-invoice provider (Decree 123/2020 Art. 10): parsed back, as XML and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from xml.etree import ElementTree as ET

from shop.extensions import db
from shop.invoicing.export import invoices_issued, to_csv, to_xml
from shop.invoicing.services import void_invoice

DAY = date(2026, 11, 30)


def test_the_xml_has_the_parties_lines_and_totals_per_rate(shop, partner):
    partner.name = "Nhà hàng <Sen> & Cốm"  # escaped, not broken
    db.session.commit()
    _, invoice = shop.invoiced(partner)
    root = ET.fromstring(to_xml(invoices_issued(DAY, DAY), start=DAY, end=DAY))
    (hdon,) = root.findall("HDon")
    general = hdon.find("DLHDon/TTChung")
    assert general.findtext("SHDon") == invoice.number
    assert general.findtext("NLap") == "2026-11-30"
    assert general.findtext("DVTTe") == "VND"
    assert general.findtext("SDHang") == "PO-7731"
    content = hdon.find("DLHDon/NDHDon")
    assert content.findtext("NBan/MST") == invoice.seller_tax_code
    assert content.findtext("NBan/Ten") == invoice.seller_name
    assert content.findtext("NBan/DChi") == invoice.seller_address
    assert content.findtext("NMua/Ten") == "Nhà hàng <Sen> & Cốm"
    assert content.findtext("NMua/MST") == partner.tax_code
    assert content.findtext("NMua/DChi").startswith("15 Hàng Bài")
    rice, xoi = content.findall("DSHHDVu/HHDVu")
    assert [rice.findtext(t) for t in ("STT", "THHDVu", "DVTinh", "SLuong", "DGia", "ThTien", "TSuat", "TThue")] == [
        "1",
        "Gạo nếp cái hoa vàng — Gói 1",
        "kg",
        "10",
        "40952.4",
        "409524",
        "5%",
        "20476",
    ]
    assert [xoi.findtext(t) for t in ("DVTinh", "SLuong", "DGia", "ThTien", "TSuat", "TThue")] == [
        "hộp",
        "7",
        "30863.8571",  # 216.047 / 7
        "216047",
        "8%",
        "17284",
    ]
    rates = [
        (r.findtext("TSuat"), r.findtext("ThTien"), r.findtext("TThue"))
        for r in content.findall("TToan/THTTLTSuat/LTSuat")
    ]
    assert rates == [("5%", "409524", "20476"), ("8%", "216047", "17284")]
    assert [content.findtext(f"TToan/{t}") for t in ("TgTCThue", "TgTThue", "TgTTTBSo")] == [
        "625571",
        "37760",
        "663331",
    ]


def test_void_invoices_and_other_days_are_left_out(shop, partner):
    _, kept = shop.invoiced(partner)
    _, voided = shop.invoiced(partner)
    void_invoice(voided, reason="Sai")
    db.session.commit()
    assert invoices_issued(DAY, DAY) == [kept]
    assert invoices_issued(date(2026, 12, 1), date(2026, 12, 31)) == []


def test_the_csv_has_line_rate_and_total_records(shop, partner):
    _, invoice = shop.invoiced(partner)
    rows = list(csv.DictReader(io.StringIO(to_csv(invoices_issued(DAY, DAY)).lstrip("\ufeff"))))
    assert [r["record"] for r in rows] == ["line", "line", "rate", "rate", "total"]
    line = rows[0]
    assert (line["invoice_number"], line["seller_tax_code"], line["buyer_tax_code"]) == (
        invoice.number,
        invoice.seller_tax_code,
        partner.tax_code,
    )
    assert (line["item_name"], line["unit"], line["quantity"], line["unit_price_net"]) == (
        "Gạo nếp cái hoa vàng — Gói 1",
        "kg",
        "10",
        "40952.4",
    )
    assert (line["amount_net"], line["vat_rate"], line["vat_amount"], line["amount_gross"]) == (
        "409524",
        "5%",
        "20476",
        "430000",
    )
    assert [(r["vat_rate"], r["amount_net"], r["vat_amount"]) for r in rows[2:4]] == [
        ("5%", "409524", "20476"),
        ("8%", "216047", "17284"),
    ]
    assert (rows[4]["amount_net"], rows[4]["vat_amount"], rows[4]["amount_gross"]) == ("625571", "37760", "663331")


def test_a_cell_that_would_be_a_formula_is_defused(shop, partner):
    partner.name = "=HYPERLINK(1)"
    db.session.commit()
    shop.invoiced(partner)
    rows = list(csv.DictReader(io.StringIO(to_csv(invoices_issued(DAY, DAY)).lstrip("\ufeff"))))
    assert rows[0]["buyer_name"] == "'=HYPERLINK(1)"
