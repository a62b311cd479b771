"""Staff and partners' invoices: the list (by partner, status including overdue, days of issue)
with its totals, an invoice with its payments, recording a payment, voiding one, and the export
for the e-invoice provider (Decree 123/2020 Art. 10, CSV or XML)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from shop import clock
from shop.admin.views import admin_nav, bp
from shop.errors import ShopError
from shop.extensions import db
from shop.invoicing import export as invoice_export
from shop.invoicing import services as invoicing
from shop.invoicing.documents import invoice_document
from shop.invoicing.forms import PaymentForm, VoidForm
from shop.invoicing.statements import LIST_STATUSES, find_invoices, status_of
from shop.money import format_vnd
from shop.partners.models import Partner
from shop.web import form_view, no_store, put_error_on_form, role_required

admin_nav.add(45, "admin.invoices", _l("Invoices"))

STATUS_LABELS = {
    "open": _l("Open"),
    "overdue": _l("Overdue"),
    "paid": _l("Paid"),
    "void": _l("Void"),
}


def _day(name: str) -> date | None:
    """A day from the query string (YYYY-MM-DD), None when absent; 400 for anything else."""
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(400)


@bp.route("/invoices")
@role_required("admin")
@no_store
def invoices():
    partner_id = request.args.get("partner", type=int)
    status = request.args.get("status") or None
    if status is not None and status not in LIST_STATUSES:
        abort(400)
    start, end = _day("from"), _day("to")
    today = clock.today()
    found, totals = find_invoices(partner_id=partner_id, status=status, start=start, end=end, today=today)
    partners = db.session.scalars(select(Partner).order_by(Partner.name, Partner.id)).all()
    return render_template(
        "admin/invoices/index.html",
        invoices=found,
        totals=totals,
        partners=partners,
        chosen={"partner": partner_id, "status": status, "from": start, "to": end},
        statuses=STATUS_LABELS,
        status_of=lambda invoice: status_of(invoice, today),
        export_from=start or today.replace(day=1),
        export_to=end or today,
    )


def _render_invoice(invoice, payment_form: PaymentForm, void_form: VoidForm, status: int = 200):
    doc = invoice_document(
        invoice, today=clock.today(), qr_title=_("VietQR code for invoice %(number)s", number=invoice.number)
    )
    return (
        render_template(
            "admin/invoices/show.html",
            doc=doc,
            invoice=invoice,
            statuses=STATUS_LABELS,
            payment_form=payment_form,
            void_form=void_form,
            partner=db.session.get(Partner, invoice.partner_id),
        ),
        status,
    )


@bp.route("/invoices/<int:invoice_id>")
@role_required("admin")
@no_store
def invoice(invoice_id: int):
    found = invoicing.get_invoice(invoice_id)
    payment_form = PaymentForm(formdata=None)
    payment_form.paid_on.data = clock.today()
    return _render_invoice(found, payment_form, VoidForm(formdata=None))


@bp.route("/invoices/<int:invoice_id>/payments", methods=["POST"])
@role_required("admin")
@no_store
@form_view
def invoice_payment(invoice_id: int):
    found = invoicing.get_invoice(invoice_id)
    form = PaymentForm()
    if form.validate_on_submit():
        try:
            payment = invoicing.record_payment(
                found,
                amount_vnd=form.amount_vnd.data,
                paid_on=form.paid_on.data,
                reference=form.reference.data,
                actor=current_user,
            )
        except ShopError as exc:
            db.session.rollback()
            put_error_on_form(form, exc)
        else:
            db.session.commit()
            flash(
                _(
                    "Payment of %(amount)s recorded for %(number)s.",
                    amount=format_vnd(payment.amount_vnd),
                    number=found.number,
                ),
                "success",
            )
            return redirect(url_for("admin.invoice", invoice_id=found.id))
    found = invoicing.get_invoice(invoice_id)
    return _render_invoice(found, form, VoidForm(formdata=None), 400)


@bp.route("/invoices/<int:invoice_id>/void", methods=["POST"])
@role_required("admin")
@no_store
@form_view
def invoice_void(invoice_id: int):
    found = invoicing.get_invoice(invoice_id)
    form = VoidForm()
    if form.validate_on_submit():
        try:
            invoicing.void_invoice(found, reason=form.reason.data, actor=current_user)
        except ShopError as exc:
            db.session.rollback()
            put_error_on_form(form, exc)
        else:
            db.session.commit()
            flash(_("Invoice %(number)s is void.", number=found.number), "success")
            return redirect(url_for("admin.invoice", invoice_id=found.id))
    found = invoicing.get_invoice(invoice_id)
    payment_form = PaymentForm(formdata=None)
    payment_form.paid_on.data = clock.today()
    return _render_invoice(found, payment_form, form, 400)


@bp.route("/invoices/export")
@role_required("admin")
@no_store
def invoices_export():
    """Issued invoices of a range of days for import into a registered e-invoice provider."""
    start, end = _day("from"), _day("to")
    kind = request.args.get("format", "csv")
    if kind not in ("csv", "xml") or start is None or end is None:
        abort(400)
    if end < start or end - start > timedelta(days=invoice_export.MAX_DAYS):
        abort(400)
    found = invoice_export.invoices_issued(start, end)
    name = f"hoa-don-{start.isoformat()}-{end.isoformat()}.{kind}"
    if kind == "xml":
        body, mimetype = invoice_export.to_xml(found, start=start, end=end), "application/xml"
    else:
        body, mimetype = invoice_export.to_csv(found), "text/csv; charset=utf-8"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
