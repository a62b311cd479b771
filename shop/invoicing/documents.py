"""The invoice as a document: what its page and its PDF show besides the stored invoice (net,
VAT and gross per rate, its status today, the shop's bank account and a VietQR code for exactly
the balance with the invoice number as the transfer's reference), and the PDF itself.

The PDF is made by WeasyPrint from the same HTML as the printable page. WeasyPrint needs Pango
(Debian's libpango-1.0-0) and a font with Vietnamese glyphs (DejaVu or Noto); it is imported
only when a PDF is asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import markupsafe
from flask import current_app

from shop.invoicing.models import Invoice
from shop.invoicing.statements import status_of
from shop.payments import vietqr
from shop.pricing import VatSplit, by_rate


@dataclass(frozen=True)
class BankTransfer:
    bank_name: str
    account_number: str
    account_name: str
    amount_vnd: int
    reference: str
    qr_svg: markupsafe.Markup | None


@dataclass(frozen=True)
class InvoiceDocument:
    invoice: Invoice
    status: str  # open, overdue, paid, void
    rates: list[VatSplit]
    transfer: BankTransfer | None  # None when nothing is left to pay or no account is set


def bank_transfer(invoice: Invoice, *, qr_title: str) -> BankTransfer | None:
    """The shop's account (VIETQR_* settings) and a VietQR code asking for the invoice's exact
    balance, its number as the reference; None when nothing is due or no account is set."""
    config = current_app.config
    if invoice.balance_vnd <= 0 or not config.get("VIETQR_ACCOUNT_NUMBER"):
        return None
    svg = None
    try:
        data = vietqr.payload(
            bank_bin=config["VIETQR_BANK_BIN"],
            account=config["VIETQR_ACCOUNT_NUMBER"],
            amount_vnd=invoice.balance_vnd,
            memo=invoice.number,
        )
    except ValueError:
        current_app.logger.warning("VietQR settings do not make a code for invoice %s", invoice.number)
    else:
        svg = vietqr.qr_svg(data, title=qr_title)
    return BankTransfer(
        bank_name=config.get("VIETQR_BANK_NAME", ""),
        account_number=config["VIETQR_ACCOUNT_NUMBER"],
        account_name=config.get("VIETQR_ACCOUNT_NAME", ""),
        amount_vnd=invoice.balance_vnd,
        reference=invoice.number,
        qr_svg=svg,
    )


def invoice_document(invoice: Invoice, *, today: date, qr_title: str) -> InvoiceDocument:
    """Everything the invoice's page and PDF show, decided here (templates only lay it out)."""
    return InvoiceDocument(
        invoice=invoice,
        status=status_of(invoice, today),
        rates=by_rate((line.gross_vnd, line.vat_rate_bp) for line in invoice.lines),
        transfer=bank_transfer(invoice, qr_title=qr_title),
    )


def render_pdf(html: str, *, stylesheets: list[str] = ()) -> bytes:
    """The PDF of a page's HTML with the given stylesheet files (fonts from the system's
    fontconfig). The HTML is the shop's own template: it loads nothing from elsewhere."""
    import weasyprint  # slow to import and needs Pango: only when a PDF is asked for
    from PIL import ImageFile

    # Importing WeasyPrint makes Pillow accept truncated images, for the whole process: a damaged
    # upload would then pass as a picture (shop/catalog/images.py). The invoice has no raster image.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    def no_fetching(url: str, *args, **kwargs):
        raise ValueError(f"the invoice PDF loads nothing from {url}")

    return weasyprint.HTML(string=html, url_fetcher=no_fetching).write_pdf(
        stylesheets=[weasyprint.CSS(filename=path) for path in stylesheets]
    )
