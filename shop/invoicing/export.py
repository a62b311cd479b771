"""The export of issued invoices for a registered e-invoice provider (Viettel S-Invoice, VNPT,
MISA…), as CSV and as XML, with the content Decree 123/2020/NĐ-CP Art. 10 asks of an invoice.

The shop's own invoice page and PDF are commercial documents, not VAT e-invoices: a legal
e-invoice is issued (signed, numbered under a registered symbol, sent to the tax authority) only
by such a provider, from this export. Voided invoices are left out (they are not to be issued).

Fields (XML element / CSV column → Decree 123 Art. 10, in the XML the names of the tax
authority's e-invoice format, Decision 1450/QĐ-TCT, where one exists):

  TTChung/SHDon  invoice_number    the shop's invoice number (cl. 3 asks for a number: the
                                   provider gives the legal one; this is the reference to match)
  TTChung/NLap   issued_on         date the invoice was made (cl. 9), ISO 8601
  TTChung/DVTTe  currency          VND (cl. 13: the currency of payment)
  TTChung/HTTToan payment_method   "Chuyển khoản" (bank transfer: partners pay by transfer)
  TTChung/SDHang po_number         the buyer's purchase-order number (an extra, Art. 10 cl. 14)
  NBan/Ten, MST, DChi              seller's name, tax code, address (cl. 5)
  NMua/Ten, MST, DChi, DCTDTu      buyer's name, tax code, address (cl. 6) and e-mail
  HHDVu/STT      line_no           line number
  HHDVu/MHHDVu   sku               the goods' code
  HHDVu/THHDVu   item_name         name of the goods (cl. 6a)
  HHDVu/DVTinh   unit              unit of measure (cl. 6b)
  HHDVu/SLuong   quantity          quantity (cl. 6c)
  HHDVu/DGia     unit_price_net    unit price before VAT (cl. 6d): the line's amount before VAT
                                   over its quantity, to 4 decimals (prices are VAT-inclusive
                                   whole đồng, so the net unit price may not be whole)
  HHDVu/ThTien   amount_net        amount before VAT (cl. 6e), whole đồng
  HHDVu/TSuat    vat_rate          VAT rate ("5%", "8%", "10%") (cl. 6g)
  HHDVu/TThue    vat_amount        the line's VAT, rounded half up per line (as shop.pricing does)
  HHDVu/ThTienTT amount_gross      the line's amount with VAT (what the partner pays)
  TToan/THTTLTSuat/LTSuat          per rate: TSuat, ThTien (before VAT), TThue (VAT) (cl. 6g, 6h)
  TToan/TgTCThue, TgTThue, TgTTTBSo   totals before VAT, of VAT, with VAT (cl. 6h)

The CSV has one row per invoice line (record "line") with the invoice's and parties' columns
repeated, then per invoice one row per rate (record "rate") and one for its totals (record
"total"), so a provider's spreadsheet import can take the lines and check the sums.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from xml.etree import ElementTree as ET

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.extensions import db
from shop.inventory.services import csv_text
from shop.invoicing.models import Invoice, InvoiceLine
from shop.money import divide_half_up
from shop.pricing import by_rate, format_rate

CURRENCY = "VND"
PAYMENT_METHOD = "Chuyển khoản"
MAX_DAYS = 366


def invoices_issued(start: date, end: date) -> list[Invoice]:
    """Invoices issued from `start` to `end` (both included) and not voided, by number."""
    return list(
        db.session.scalars(
            select(Invoice)
            .where(Invoice.issued_on >= start, Invoice.issued_on <= end, Invoice.status != "void")
            .options(selectinload(Invoice.lines))
            .order_by(Invoice.id)
        )
    )


def unit_price_net(line: InvoiceLine) -> str:
    """The line's unit price before VAT, to 4 decimals without trailing zeros ("40952.381"
    is "40952.381", 409524 / 10 is "40952.4")."""
    ten_thousandths = divide_half_up(line.net_vnd * 10_000, line.quantity)
    whole, rest = divmod(ten_thousandths, 10_000)
    return str(whole) if not rest else f"{whole}.{rest:04d}".rstrip("0")


@dataclass(frozen=True)
class RateTotal:
    rate: str
    net_vnd: int
    vat_vnd: int
    gross_vnd: int


def rate_totals(invoice: Invoice) -> list[RateTotal]:
    return [
        RateTotal(format_rate(r.rate_bp), r.net_vnd, r.vat_vnd, r.gross_vnd)
        for r in by_rate((line.gross_vnd, line.vat_rate_bp) for line in invoice.lines)
    ]


def _sub(parent: ET.Element, tag: str, text=None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)  # ElementTree escapes &, <, > and quotes on writing
    return element


def to_xml(invoices: Iterable[Invoice], *, start: date, end: date) -> bytes:
    """The invoices as one UTF-8 XML document, <DSHDon> of <HDon> (see the module's table)."""
    root = ET.Element("DSHDon", {"TuNgay": start.isoformat(), "DenNgay": end.isoformat()})
    for invoice in invoices:
        data = _sub(_sub(root, "HDon"), "DLHDon", None)
        general = _sub(data, "TTChung")
        _sub(general, "SHDon", invoice.number)
        _sub(general, "NLap", invoice.issued_on.isoformat())
        _sub(general, "DVTTe", CURRENCY)
        _sub(general, "HTTToan", PAYMENT_METHOD)
        if invoice.po_number:
            _sub(general, "SDHang", invoice.po_number)
        content = _sub(data, "NDHDon")
        seller = _sub(content, "NBan")
        _sub(seller, "Ten", invoice.seller_name)
        _sub(seller, "MST", invoice.seller_tax_code)
        _sub(seller, "DChi", invoice.seller_address)
        buyer = _sub(content, "NMua")
        _sub(buyer, "Ten", invoice.buyer_name)
        _sub(buyer, "MST", invoice.buyer_tax_code)
        _sub(buyer, "DChi", invoice.buyer_address)
        if invoice.buyer_email:
            _sub(buyer, "DCTDTu", invoice.buyer_email)
        items = _sub(content, "DSHHDVu")
        for line in invoice.lines:
            item = _sub(items, "HHDVu")
            _sub(item, "STT", line.position)
            _sub(item, "MHHDVu", line.sku)
            _sub(item, "THHDVu", line.description)
            _sub(item, "DVTinh", line.unit or "")
            _sub(item, "SLuong", line.quantity)
            _sub(item, "DGia", unit_price_net(line))
            _sub(item, "ThTien", line.net_vnd)
            _sub(item, "TSuat", format_rate(line.vat_rate_bp))
            _sub(item, "TThue", line.vat_vnd)
            _sub(item, "ThTienTT", line.gross_vnd)
        totals = _sub(content, "TToan")
        per_rate = _sub(totals, "THTTLTSuat")
        for rate in rate_totals(invoice):
            entry = _sub(per_rate, "LTSuat")
            _sub(entry, "TSuat", rate.rate)
            _sub(entry, "ThTien", rate.net_vnd)
            _sub(entry, "TThue", rate.vat_vnd)
        _sub(totals, "TgTCThue", invoice.net_vnd)
        _sub(totals, "TgTThue", invoice.vat_vnd)
        _sub(totals, "TgTTTBSo", invoice.total_vnd)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


CSV_COLUMNS = (
    "record",
    "invoice_number",
    "issued_on",
    "currency",
    "payment_method",
    "po_number",
    "seller_name",
    "seller_tax_code",
    "seller_address",
    "buyer_name",
    "buyer_tax_code",
    "buyer_address",
    "buyer_email",
    "line_no",
    "sku",
    "item_name",
    "unit",
    "quantity",
    "unit_price_net",
    "amount_net",
    "vat_rate",
    "vat_amount",
    "amount_gross",
)


def to_csv(invoices: Iterable[Invoice]) -> str:
    """The invoices as CSV (UTF-8 with a byte-order mark): see the module's table."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for invoice in invoices:
        head = {
            "invoice_number": invoice.number,
            "issued_on": invoice.issued_on.isoformat(),
            "currency": CURRENCY,
            "payment_method": PAYMENT_METHOD,
            "po_number": csv_text(invoice.po_number or ""),
            "seller_name": csv_text(invoice.seller_name),
            "seller_tax_code": invoice.seller_tax_code,
            "seller_address": csv_text(invoice.seller_address),
            "buyer_name": csv_text(invoice.buyer_name),
            "buyer_tax_code": invoice.buyer_tax_code,
            "buyer_address": csv_text(invoice.buyer_address),
            "buyer_email": csv_text(invoice.buyer_email or ""),
        }
        for line in invoice.lines:
            writer.writerow(
                {
                    **head,
                    "record": "line",
                    "line_no": line.position,
                    "sku": csv_text(line.sku),
                    "item_name": csv_text(line.description),
                    "unit": csv_text(line.unit or ""),
                    "quantity": line.quantity,
                    "unit_price_net": unit_price_net(line),
                    "amount_net": line.net_vnd,
                    "vat_rate": format_rate(line.vat_rate_bp),
                    "vat_amount": line.vat_vnd,
                    "amount_gross": line.gross_vnd,
                }
            )
        for rate in rate_totals(invoice):
            writer.writerow(
                {
                    **head,
                    "record": "rate",
                    "vat_rate": rate.rate,
                    "amount_net": rate.net_vnd,
                    "vat_amount": rate.vat_vnd,
                    "amount_gross": rate.gross_vnd,
                }
            )
        writer.writerow(
            {
                **head,
                "record": "total",
                "amount_net": invoice.net_vnd,
                "vat_amount": invoice.vat_vnd,
                "amount_gross": invoice.total_vnd,
            }
        )
    return out.getvalue()
