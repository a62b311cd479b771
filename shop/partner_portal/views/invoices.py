"""A partner's invoices and statements, for its accountants and owners (a buyer gets 403): the
list with what is open and overdue and the credit left, one invoice as a printable page and as a
PDF (with the shop's bank account and a VietQR code for its balance), and the monthly statement
with its CSV. The shop's invoice is a commercial document, never called an e-invoice."""

from __future__ import annotations

from flask import Response, abort, current_app, g, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shop import clock
from shop.errors import NotFound
from shop.invoicing import services as invoicing
from shop.invoicing import statements
from shop.invoicing.credit import credit_summary
from shop.invoicing.documents import invoice_document, render_pdf
from shop.invoicing.models import Invoice
from shop.partner_portal.access import ACCOUNTING, own_or_404, partner_required
from shop.partner_portal.views import bp, dashboard_panels, partner_nav
from shop.settlements.periods import Period
from shop.web import no_store

assert invoicing  # its receivers keep invoices in step with their orders: imported with the app

partner_nav.add(40, "partners.invoices", _l("Invoices"), roles=ACCOUNTING)
partner_nav.add(45, "partners.statements", _l("Statements"), roles=ACCOUNTING)

STATUS_LABELS = {
    "open": _l("Open"),
    "overdue": _l("Overdue"),
    "paid": _l("Paid"),
    "void": _l("Void"),
}


@dashboard_panels.add(30)
def _invoices_panel(partner, membership):
    if membership is None or membership.role not in ACCOUNTING or partner.status != "active":
        return None
    today = clock.today()
    return "partner_portal/invoices/_panel.html", {
        "totals": statements.partner_totals(partner.id, today),
        "credit": credit_summary(partner, today),
    }


@bp.route("/invoices")
@partner_required(roles=ACCOUNTING)
@no_store
def invoices():
    status = request.args.get("status") or None
    if status is not None and status not in statements.LIST_STATUSES:
        abort(400)
    today = clock.today()
    return render_template(
        "partner_portal/invoices/index.html",
        invoices=statements.partner_invoices(g.partner.id, status=status, today=today),
        totals=statements.partner_totals(g.partner.id, today),
        credit=credit_summary(g.partner, today),
        status=status,
        statuses=STATUS_LABELS,
        status_of=lambda invoice: statements.status_of(invoice, today),
    )


def _document(invoice_id: int):
    invoice = own_or_404(Invoice, invoice_id)
    return invoice_document(
        invoice,
        today=clock.today(),
        qr_title=_("VietQR code to pay invoice %(number)s", number=invoice.number),
    )


@bp.route("/invoices/<int:invoice_id>")
@partner_required(roles=ACCOUNTING)
@no_store
def invoices_show(invoice_id: int):
    return render_template(
        "partner_portal/invoices/show.html", doc=_document(invoice_id), statuses=STATUS_LABELS, for_pdf=False
    )


@bp.route("/invoices/<int:invoice_id>.pdf")
@partner_required(roles=ACCOUNTING)
@no_store
def invoices_pdf(invoice_id: int):
    doc = _document(invoice_id)
    html = render_template("partner_portal/invoices/pdf.html", doc=doc, statuses=STATUS_LABELS, for_pdf=True)
    css = f"{current_app.static_folder}/css/invoice.css"
    return Response(
        render_pdf(html, stylesheets=[css]),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{doc.invoice.number}.pdf"'},
    )


def _period() -> Period:
    text = request.args.get("month")
    try:
        return Period.parse(text) if text else Period.current()
    except NotFound:
        abort(404)


@bp.route("/statements", endpoint="statements")
@partner_required(roles=ACCOUNTING)
@no_store
def statement_month():
    period = _period()
    return render_template(
        "partner_portal/invoices/statement.html",
        statement=statements.monthly_statement(g.partner.id, period),
        period=period,
        current=Period.current(),
        locale=str(get_locale()),
    )


@bp.route("/statements/csv")
@partner_required(roles=ACCOUNTING)
@no_store
def statements_csv():
    period = _period()
    statement = statements.monthly_statement(g.partner.id, period)
    labels = {
        "opening": _("Opening balance"),
        "closing": _("Closing balance"),
        "invoice": _("Invoice"),
        "payment": _("Payment"),
        "void": _("Invoice voided"),
    }
    headers = [_("Date"), _("Entry"), _("Invoice"), _("Reference"), _("Charge (₫)"), _("Credit (₫)"), _("Balance (₫)")]
    return Response(
        statements.statement_csv(statement, labels=labels, headers=headers),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="sao-ke-{period.key}.csv"'},
    )
