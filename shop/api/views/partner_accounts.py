"""Restaurant partners' accounts (accounting keys): invoices with their lines, VAT per rate,
payments and what is left to pay, and the monthly statement — what the partner's invoices and
statements pages show, from shop.invoicing."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select

from shop import clock
from shop.api.auth import requires_key
from shop.api.schemas import CursorArgs, error_responses, page_schema
from shop.api.views.partner_common import current_partner, cursor_id, page, utc
from shop.extensions import db
from shop.invoicing import services as invoicing
from shop.invoicing import statements
from shop.invoicing.documents import bank_transfer
from shop.invoicing.models import Invoice
from shop.pricing import by_rate
from shop.settlements.periods import Period

bp = Blueprint(
    "api_partner_accounts",
    __name__,
    description="Restaurant partners' accounts: invoices and monthly statements (an accounting key).",
)

STATUS_DESCRIPTION = "open, overdue (open past its due date), paid or void."


class PartnerInvoiceSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"example": 57})
    number = ma.fields.String(required=True, metadata={"example": "HD2026-000057"})
    order_id = ma.fields.Integer(required=True, metadata={"example": 1042})
    status = ma.fields.String(required=True, metadata={"description": STATUS_DESCRIPTION, "example": "open"})
    issued_on = ma.fields.Date(required=True, metadata={"example": "2026-11-30"})
    due_on = ma.fields.Date(required=True, metadata={"example": "2026-12-16"})
    payment_terms = ma.fields.String(required=True, metadata={"example": "net15"})
    po_number = ma.fields.String(allow_none=True, required=True, metadata={"example": "PO-0042"})
    net_vnd = ma.fields.Integer(required=True, metadata={"example": 833333})
    vat_vnd = ma.fields.Integer(required=True, metadata={"example": 66667})
    total_vnd = ma.fields.Integer(required=True, metadata={"example": 900000})
    paid_vnd = ma.fields.Integer(required=True, metadata={"example": 0})
    outstanding_vnd = ma.fields.Integer(
        required=True, metadata={"description": "What is left to pay (0 for a void invoice).", "example": 900000}
    )


PartnerInvoicePageSchema = page_schema(PartnerInvoiceSchema, "PartnerInvoicePage")


class PartnerInvoicePartySchema(ma.Schema):
    name = ma.fields.String(required=True)
    tax_code = ma.fields.String(required=True, metadata={"example": "0101234567"})
    address = ma.fields.String(required=True)


class PartnerInvoiceLineSchema(ma.Schema):
    position = ma.fields.Integer(required=True, metadata={"example": 1})
    sku = ma.fields.String(required=True, metadata={"example": "XOI-PT-HOP10"})
    description = ma.fields.String(required=True, metadata={"example": "Xôi Phú Thượng — Hộp 10 phần"})
    unit = ma.fields.String(allow_none=True, required=True, metadata={"example": "hộp"})
    quantity = ma.fields.Integer(required=True, metadata={"example": 20})
    unit_price_vnd = ma.fields.Integer(required=True, metadata={"description": "VAT included.", "example": 25000})
    vat_rate_bp = ma.fields.Integer(required=True, metadata={"example": 800})
    net_vnd = ma.fields.Integer(required=True, metadata={"example": 462963})
    vat_vnd = ma.fields.Integer(required=True, metadata={"example": 37037})
    gross_vnd = ma.fields.Integer(required=True, metadata={"example": 500000})


class PartnerInvoiceRateSchema(ma.Schema):
    rate_bp = ma.fields.Integer(required=True, metadata={"example": 800})
    net_vnd = ma.fields.Integer(required=True, metadata={"example": 462963})
    vat_vnd = ma.fields.Integer(required=True, metadata={"example": 37037})
    gross_vnd = ma.fields.Integer(required=True, metadata={"example": 500000})


class PartnerInvoicePaymentSchema(ma.Schema):
    amount_vnd = ma.fields.Integer(required=True, metadata={"example": 400000})
    paid_on = ma.fields.Date(required=True, metadata={"example": "2026-12-05"})
    reference = ma.fields.String(allow_none=True, required=True, metadata={"example": "HD2026-000057"})


class PartnerBankTransferSchema(ma.Schema):
    bank_name = ma.fields.String(required=True)
    account_number = ma.fields.String(required=True)
    account_name = ma.fields.String(required=True)
    amount_vnd = ma.fields.Integer(required=True, metadata={"example": 500000})
    reference = ma.fields.String(
        required=True, metadata={"description": "Write it in the transfer's memo.", "example": "HD2026-000057"}
    )


class PartnerInvoiceDetailSchema(PartnerInvoiceSchema):
    seller = ma.fields.Nested(PartnerInvoicePartySchema, required=True)
    buyer = ma.fields.Nested(PartnerInvoicePartySchema, required=True)
    delivery_address = ma.fields.String(allow_none=True, required=True)
    lines = ma.fields.List(ma.fields.Nested(PartnerInvoiceLineSchema), required=True)
    vat_by_rate = ma.fields.List(ma.fields.Nested(PartnerInvoiceRateSchema), required=True)
    payments = ma.fields.List(ma.fields.Nested(PartnerInvoicePaymentSchema), required=True)
    bank_transfer = ma.fields.Nested(
        PartnerBankTransferSchema,
        allow_none=True,
        required=True,
        metadata={"description": "How to pay what is left; null when nothing is."},
    )
    voided_at = ma.fields.DateTime(allow_none=True, required=True)
    void_reason = ma.fields.String(allow_none=True, required=True)


class InvoiceListArgs(CursorArgs):
    status = ma.fields.String(
        load_default=None,
        validate=ma.validate.OneOf(statements.LIST_STATUSES),
        metadata={"description": STATUS_DESCRIPTION},
    )


def invoice_data(invoice: Invoice, today) -> dict:
    return {
        "id": invoice.id,
        "number": invoice.number,
        "order_id": invoice.order_id,
        "status": statements.status_of(invoice, today),
        "issued_on": invoice.issued_on,
        "due_on": invoice.due_on,
        "payment_terms": invoice.payment_terms,
        "po_number": invoice.po_number,
        "net_vnd": invoice.net_vnd,
        "vat_vnd": invoice.vat_vnd,
        "total_vnd": invoice.total_vnd,
        "paid_vnd": invoice.paid_vnd,
        "outstanding_vnd": invoice.balance_vnd,
    }


@bp.route("/invoices")
@requires_key(bp, "accounting")
@bp.arguments(InvoiceListArgs, location="query")
@bp.response(200, PartnerInvoicePageSchema)
@error_responses(bp, 422)
def invoices(args):
    """Your invoices

    Newest first; filter by status (`overdue`: open and past its due date)."""
    before = cursor_id(args["cursor"])
    today = clock.today()
    query = select(Invoice).where(Invoice.partner_id == current_partner().id)
    if before is not None:
        query = query.where(Invoice.id < before)
    query = statements.filter_status(query, args["status"], today)
    rows = list(db.session.scalars(query.order_by(Invoice.id.desc()).limit(args["limit"] + 1)))
    return page(rows, args["limit"], lambda invoice: invoice_data(invoice, today))


@bp.route("/invoices/<int:invoice_id>")
@requires_key(bp, "accounting")
@bp.response(200, PartnerInvoiceDetailSchema)
@error_responses(bp, 404)
def invoice(invoice_id: int):
    """One of your invoices

    Its lines (net, VAT and gross at each line's rate), the totals per VAT rate, its payments, what
    is left to pay and how to pay it by bank transfer. 404 for an invoice that is not yours."""
    found = invoicing.get_invoice(invoice_id, partner_id=current_partner().id)
    transfer = bank_transfer(found, qr_title=_("VietQR code to pay invoice %(number)s", number=found.number))
    return {
        **invoice_data(found, clock.today()),
        "seller": {"name": found.seller_name, "tax_code": found.seller_tax_code, "address": found.seller_address},
        "buyer": {"name": found.buyer_name, "tax_code": found.buyer_tax_code, "address": found.buyer_address},
        "delivery_address": found.delivery_address,
        "lines": [
            {
                "position": line.position,
                "sku": line.sku,
                "description": line.description,
                "unit": line.unit,
                "quantity": line.quantity,
                "unit_price_vnd": line.unit_price_vnd,
                "vat_rate_bp": line.vat_rate_bp,
                "net_vnd": line.net_vnd,
                "vat_vnd": line.vat_vnd,
                "gross_vnd": line.gross_vnd,
            }
            for line in found.lines
        ],
        "vat_by_rate": [
            {"rate_bp": r.rate_bp, "net_vnd": r.net_vnd, "vat_vnd": r.vat_vnd, "gross_vnd": r.gross_vnd}
            for r in by_rate((line.gross_vnd, line.vat_rate_bp) for line in found.lines)
        ],
        "payments": [
            {"amount_vnd": p.amount_vnd, "paid_on": p.paid_on, "reference": p.reference} for p in found.payments
        ],
        "bank_transfer": {
            "bank_name": transfer.bank_name,
            "account_number": transfer.account_number,
            "account_name": transfer.account_name,
            "amount_vnd": transfer.amount_vnd,
            "reference": transfer.reference,
        }
        if transfer
        else None,
        "voided_at": utc(found.voided_at),
        "void_reason": found.void_reason,
    }


# Statements ------------------------------------------------------------------------------------


class PartnerStatementEntrySchema(ma.Schema):
    date = ma.fields.Date(required=True, metadata={"example": "2026-11-30"})
    kind = ma.fields.String(required=True, metadata={"description": "invoice, payment or void.", "example": "invoice"})
    invoice_id = ma.fields.Integer(required=True, metadata={"example": 57})
    invoice_number = ma.fields.String(required=True, metadata={"example": "HD2026-000057"})
    reference = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The PO number, the payment's reference or why it was voided."},
    )
    charge_vnd = ma.fields.Integer(required=True, metadata={"example": 900000})
    credit_vnd = ma.fields.Integer(required=True, metadata={"example": 0})
    balance_vnd = ma.fields.Integer(required=True, metadata={"description": "After this entry.", "example": 900000})


class PartnerStatementSchema(ma.Schema):
    month = ma.fields.String(required=True, metadata={"example": "2026-11"})
    first_day = ma.fields.Date(required=True, metadata={"example": "2026-11-01"})
    last_day = ma.fields.Date(required=True, metadata={"example": "2026-11-30"})
    opening_balance_vnd = ma.fields.Integer(required=True, metadata={"example": 0})
    invoiced_vnd = ma.fields.Integer(required=True, metadata={"example": 900000})
    paid_vnd = ma.fields.Integer(required=True, metadata={"example": 0})
    voided_vnd = ma.fields.Integer(required=True, metadata={"example": 0})
    closing_balance_vnd = ma.fields.Integer(required=True, metadata={"example": 900000})
    entries = ma.fields.List(ma.fields.Nested(PartnerStatementEntrySchema), required=True)


@bp.route("/statements/<string:month>")
@requires_key(bp, "accounting")
@bp.response(200, PartnerStatementSchema)
@error_responses(bp, 404)
def statement(month: str):
    """Your statement of a month

    `month` is `YYYY-MM`, a calendar month in Vietnam time: the balance it opened with, each
    invoice issued, payment received and invoice voided in it with the balance after each, and
    the closing balance (the next month's opening). 404 for anything but a month."""
    period = Period.parse(month)
    found = statements.monthly_statement(current_partner().id, period)
    return {
        "month": period.key,
        "first_day": period.first_day,
        "last_day": period.last_day,
        "opening_balance_vnd": found.opening_vnd,
        "invoiced_vnd": found.invoiced_vnd,
        "paid_vnd": found.paid_vnd,
        "voided_vnd": found.voided_vnd,
        "closing_balance_vnd": found.closing_vnd,
        "entries": [
            {
                "date": e.day,
                "kind": e.kind,
                "invoice_id": e.invoice_id,
                "invoice_number": e.invoice_number,
                "reference": e.reference,
                "charge_vnd": e.charge_vnd,
                "credit_vnd": e.credit_vnd,
                "balance_vnd": e.balance_vnd,
            }
            for e in found.entries
        ],
    }
