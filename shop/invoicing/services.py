"""Invoices to restaurant partners: issued in the transaction that places a partner order, kept
in step with the order (voided when it is cancelled, revised when a producer cancels its part,
paid when a prepaid order is paid), and the payments and voids staff record. Flushes only;
views commit.

This is the shop's commercial invoice, not a VAT e-invoice: those are issued by a registered
provider from the export (shop/invoicing/export.py).

Rules, in one place:

- One invoice per order (`invoices.order_id` is unique). Its lines are the order's lines at the
  VAT rate each line was sold at, split into net and VAT by shop.pricing (the one VAT rule); a
  delivery fee, if the order has one, is a line of its own at the highest rate of the goods
  (a fee billed with goods follows their rate; with mixed rates the highest never under-declares).
- Due date by the terms the partner had when the order was placed: prepaid on the day of issue,
  on delivery on the delivery date, net N days after the delivery date.
- The number, `HD2026-000123`, is the year of issue and the invoice's id: unique without a
  counter to keep, and set right after the row is flushed.
- A producer cancelling its part of an order that goes on: the schema keeps one invoice per
  order, so the invoice is revised in place (same number, the lines still coming, new totals)
  and the revision is written to the audit log with the totals before and after; what was
  already paid stays paid (a prepaid order's money for the cancelled part goes back through
  the shipment's refund).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from blinker import Namespace
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from shop import clock
from shop.audit import services as audit
from shop.catalog.models import Product
from shop.errors import ConflictError, NotFound, ValidationError
from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.fulfilment.models import Shipment
from shop.invoicing.models import Invoice, InvoiceLine, InvoicePayment
from shop.money import format_vnd
from shop.orders import services as orders
from shop.orders.models import Order
from shop.partners.models import TERM_DAYS, Partner, PartnerLocation
from shop.pricing import split_gross, vat_table

MAX_REASON = 300
MAX_REFERENCE = 100
SHIPPING_SKU = "GIAO-HANG"
SHIPPING_DESCRIPTION = "Phí giao hàng"  # the invoice's own language is Vietnamese (its snapshot)

_signals = Namespace()
# Sent inside the transaction that issues an invoice, once it has its number: the sender is the
# invoice, with its `order`. Webhooks subscribe (invoice.issued); invoicing never imports them.
invoice_issued = _signals.signal("invoice-issued")


def format_number(invoice_id: int, issued_on: date) -> str:
    """HD2026-000123: year of issue, then the invoice's id (6 digits or more)."""
    return f"HD{issued_on.year}-{invoice_id:06d}"


def due_on_for(terms: str, delivery_date: date | None, issued_on: date) -> date:
    """The day an invoice is due under `terms`: prepaid on the day it is issued; due on delivery
    on the delivery date; net N days after the delivery date (after the day of issue for an
    order without one). Never before the day of issue."""
    if terms not in TERM_DAYS:
        return issued_on
    base = delivery_date or issued_on
    return max(base + timedelta(days=TERM_DAYS[terms]), issued_on)


def local_date(moment: datetime) -> date:
    """Vietnam's date of an instant."""
    return clock.aware(moment).astimezone(clock.VN).date()


def _clip(text: str | None, length: int) -> str | None:
    return None if text is None else text[:length]


def _delivery_address(order: Order) -> str | None:
    parts = [order.street, order.ward_name, order.province_name]
    address = ", ".join(p for p in parts if p)
    if order.partner_location_id is not None:
        location = db.session.get(PartnerLocation, order.partner_location_id)
        if location is not None:
            address = f"{location.name} — {address}" if address else location.name
    return address or None


@dataclass(frozen=True)
class _Line:
    sku: str
    description: str
    unit: str | None
    quantity: int
    unit_price_vnd: int
    vat_rate_bp: int


def _invoice_lines(order: Order, *, day: date, excluded_producers: Iterable[int] = ()) -> list[_Line]:
    """The order's lines to invoice (but those of `excluded_producers`), with their units and
    VAT rates, and the delivery fee as a line of its own."""
    excluded = set(excluded_producers)
    kept = [line for line in order.lines if line.producer_id not in excluded]
    product_ids = {line.product_id for line in kept if line.product_id is not None}
    products = (
        {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(product_ids)))} if product_ids else {}
    )
    table = None
    lines = []
    for line in kept:
        product = products.get(line.product_id)
        rate = line.vat_rate_bp
        if rate is None:
            # An order from before rates were kept on lines: the rate in force on the day.
            if product is None:
                raise ValidationError(_l("A line of this order has no VAT rate: it cannot be invoiced."))
            table = table or vat_table(day)
            rate = table.rate_of(product)
        lines.append(
            _Line(
                sku=line.sku,
                description=_clip(f"{line.product_name_vi} — {line.variant_name_vi}", 330),
                unit=product.unit_vi if product is not None else None,
                quantity=line.quantity,
                unit_price_vnd=line.unit_price_vnd,
                vat_rate_bp=rate,
            )
        )
    if order.shipping_vnd > 0 and lines:
        lines.append(
            _Line(SHIPPING_SKU, SHIPPING_DESCRIPTION, None, 1, order.shipping_vnd, max(x.vat_rate_bp for x in lines))
        )
    return lines


def _fill(invoice: Invoice, lines: list[_Line]) -> None:
    """Put `lines` on the invoice, each split into net and VAT at its rate, and its totals."""
    invoice.lines.clear()
    db.session.flush()
    net = vat = gross_total = 0
    for position, line in enumerate(lines, start=1):
        gross = line.unit_price_vnd * line.quantity
        split = split_gross(gross, line.vat_rate_bp)
        invoice.lines.append(
            InvoiceLine(
                position=position,
                sku=line.sku,
                description=line.description,
                unit=line.unit,
                quantity=line.quantity,
                unit_price_vnd=line.unit_price_vnd,
                vat_rate_bp=line.vat_rate_bp,
                gross_vnd=gross,
                vat_vnd=split.vat_vnd,
                net_vnd=split.net_vnd,
            )
        )
        net, vat, gross_total = net + split.net_vnd, vat + split.vat_vnd, gross_total + gross
    invoice.net_vnd, invoice.vat_vnd, invoice.total_vnd = net, vat, gross_total


def issue_invoice(order: Order, *, now: datetime) -> Invoice:
    """Issue the invoice of a partner order, in the transaction that places it: the shop's and
    the partner's details as they are now, the order's lines with their VAT, the due date from
    the partner's terms, a number, status open (paid at once if the order already is). Raises
    ValidationError for an order that is not a partner's, ConflictError if it has an invoice."""
    if order.partner_id is None:
        raise ValidationError(_l("Only a partner's order gets an invoice."))
    if db.session.scalar(select(Invoice.id).where(Invoice.order_id == order.id)) is not None:
        raise ConflictError(_l("This order already has an invoice."))
    partner = db.session.get(Partner, order.partner_id)
    config = current_app.config
    issued_on = local_date(now)
    invoice = Invoice(
        order_id=order.id,
        partner_id=partner.id,
        status="open",
        issued_on=issued_on,
        due_on=due_on_for(partner.payment_terms, order.delivery_date, issued_on),
        payment_terms=partner.payment_terms,
        po_number=order.po_number,
        seller_name=_clip(config["SHOP_LEGAL_NAME"], 200),
        seller_tax_code=config["SHOP_TAX_CODE"],
        seller_address=_clip(config["SHOP_ADDRESS"], 300),
        buyer_name=partner.name,
        buyer_tax_code=partner.tax_code,
        buyer_address=_clip(partner.address, 300),
        buyer_email=partner.einvoice_email,
        delivery_address=_clip(_delivery_address(order), 300),
        paid_vnd=0,
    )
    _fill(invoice, _invoice_lines(order, day=issued_on))
    db.session.add(invoice)
    db.session.flush()
    invoice.number = format_number(invoice.id, issued_on)
    db.session.flush()
    if order.paid_at is not None and order.status not in ("pending_payment", "cancelled", "refunded"):
        _paid_at_checkout(invoice, order)
    invoice_issued.send(invoice, order=order)
    return invoice


def invoice_of_order(order_id: int) -> Invoice | None:
    return db.session.scalar(select(Invoice).where(Invoice.order_id == order_id))


def get_invoice(invoice_id: int, *, partner_id: int | None = None) -> Invoice:
    """The invoice with its lines and payments; with `partner_id`, only that partner's (the same
    NotFound for another partner's as for none)."""
    invoice = db.session.scalar(
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .options(selectinload(Invoice.lines), selectinload(Invoice.payments))
    )
    if invoice is None or (partner_id is not None and invoice.partner_id != partner_id):
        raise NotFound(_l("We could not find that invoice."))
    return invoice


# Payments and voids ---------------------------------------------------------------------------


def _guarded(invoice: Invoice, expected_paid: int, **values) -> None:
    """Change the invoice only if nobody changed its status or payments meanwhile (two staff
    recording the same transfer at once: the second is refused, not added twice)."""
    moved = db.session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.status == invoice.status, Invoice.paid_vnd == expected_paid)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise ConflictError(_l("This invoice was changed meanwhile. Please reload the page."))
    for name, value in values.items():
        setattr(invoice, name, value)


def record_payment(
    invoice: Invoice,
    *,
    amount_vnd: int,
    paid_on: date,
    reference: str | None,
    actor=None,
    now: datetime | None = None,
) -> InvoicePayment:
    """Staff saw money arrive for an invoice (a transfer, in full or in part): it is recorded,
    and the invoice is paid once nothing is left. Raises ValidationError (amount above the
    balance or not positive, a day in the future, an invoice not open), ConflictError."""
    if invoice.status != "open":
        raise ValidationError(_l("Only an open invoice can receive a payment."))
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise ValidationError(_l("Enter an amount above zero."), field="amount_vnd")
    if amount_vnd > invoice.balance_vnd:
        raise ValidationError(
            _l(
                "That is more than the balance of %(balance)s.",
                balance=format_vnd(invoice.balance_vnd),
            ),
            field="amount_vnd",
        )
    if paid_on > clock.today():
        raise ValidationError(_l("The day the money arrived cannot be in the future."), field="paid_on")
    reference = " ".join((reference or "").split()) or None
    if reference is not None and len(reference) > MAX_REFERENCE:
        raise ValidationError(_l("Keep the reference under %(max)s characters.", max=MAX_REFERENCE), field="reference")
    now = now or clock.now()
    before = audit.snapshot(invoice, ("status", "paid_vnd"))
    paid = invoice.paid_vnd + amount_vnd
    values = {"paid_vnd": paid}
    if paid == invoice.total_vnd:
        values |= {"status": "paid", "paid_at": now}
    _guarded(invoice, invoice.paid_vnd, **values)
    payment = InvoicePayment(
        invoice_id=invoice.id,
        amount_vnd=amount_vnd,
        paid_on=paid_on,
        reference=reference,
        recorded_by_user_id=getattr(actor, "id", None),
    )
    db.session.add(payment)
    db.session.flush()
    audit.record(
        "invoice.payment",
        "invoice",
        invoice.id,
        actor=actor,
        role="admin",
        before=before,
        after=audit.snapshot(invoice, ("status", "paid_vnd")),
        note=f"{invoice.number}: {format_vnd(amount_vnd)} on {paid_on.isoformat()}"
        + (f" ({reference})" if reference else ""),
    )
    db.session.expire(invoice, ["payments"])
    return payment


def _check_reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_l("Say why you void this invoice."), field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError(_l("Keep the reason under %(max)s characters.", max=MAX_REASON), field="reason")
    return reason


def void_invoice(invoice: Invoice, *, reason: str, actor=None, now: datetime | None = None) -> None:
    """Staff void an invoice (kept, with its number, never counted as owed again). An invoice
    with payments recorded is not voided here: the money is dealt with first. Raises
    ValidationError, ConflictError."""
    reason = _check_reason(reason)
    if invoice.status == "void":
        raise ValidationError(_l("This invoice is already void."))
    if invoice.paid_vnd > 0:
        raise ValidationError(
            _l("This invoice has payments recorded: it cannot be voided. Cancel its order instead, which refunds it.")
        )
    _void(invoice, reason=reason, actor=actor, role="admin", now=now)


def _void(invoice: Invoice, *, reason: str, actor=None, role: str, now: datetime | None = None) -> None:
    before = audit.snapshot(invoice, ("status",))
    _guarded(invoice, invoice.paid_vnd, status="void", voided_at=now or clock.now(), void_reason=reason[:MAX_REASON])
    db.session.flush()
    audit.record(
        "invoice.void",
        "invoice",
        invoice.id,
        actor=actor,
        role=role,
        before=before,
        after=audit.snapshot(invoice, ("status",)),
        note=f"{invoice.number}: {reason}",
    )


def _paid_at_checkout(invoice: Invoice, order: Order) -> None:
    """A prepaid order's money arrived (VietQR, card): its invoice is paid, the payment dated
    the day it was paid, with the order's number as its reference."""
    if invoice.status != "open" or invoice.balance_vnd == 0:
        return
    paid_at = clock.aware(order.paid_at) if order.paid_at else clock.now()
    amount = invoice.balance_vnd
    _guarded(invoice, invoice.paid_vnd, paid_vnd=invoice.total_vnd, status="paid", paid_at=paid_at)
    db.session.add(
        InvoicePayment(
            invoice_id=invoice.id,
            amount_vnd=amount,
            paid_on=local_date(paid_at),
            reference=_clip(f"{order.number} ({order.payment_method})", MAX_REFERENCE),
        )
    )
    db.session.flush()
    db.session.expire(invoice, ["payments"])


def revise_invoice(invoice: Invoice, order: Order, *, reason: str, now: datetime | None = None) -> bool:
    """Invoice only the order's lines still coming (those of producers whose shipment was not
    cancelled), in place: same number, dates and terms, new lines and totals; what was paid
    stays paid up to the new total, and an invoice paid in full is paid. Returns False when
    there is nothing to change (void, or already these lines)."""
    if invoice.status == "void":
        return False
    cancelled = set(
        db.session.scalars(
            select(Shipment.producer_id).where(Shipment.order_id == order.id, Shipment.status == "cancelled")
        )
    )
    lines = _invoice_lines(order, day=invoice.issued_on, excluded_producers=cancelled)
    if not lines:
        _void(invoice, reason=reason, role="system", now=now)
        return True
    before = audit.snapshot(invoice, ("net_vnd", "vat_vnd", "total_vnd", "paid_vnd", "status"))
    old_total = invoice.total_vnd
    # The row's checks hold after each statement: lower paid_vnd before the total.
    paid = min(invoice.paid_vnd, sum(line.unit_price_vnd * line.quantity for line in lines))
    if paid != invoice.paid_vnd:
        _guarded(invoice, invoice.paid_vnd, paid_vnd=paid)
    _fill(invoice, lines)
    if invoice.total_vnd == old_total:
        return False
    if invoice.paid_vnd == invoice.total_vnd and invoice.status == "open":
        invoice.status, invoice.paid_at = "paid", now or clock.now()
    db.session.flush()
    audit.record(
        "invoice.revise",
        "invoice",
        invoice.id,
        role="system",
        before=before,
        after=audit.snapshot(invoice, ("net_vnd", "vat_vnd", "total_vnd", "paid_vnd", "status")),
        note=f"{invoice.number}: {reason}",
    )
    return True


# What orders and shipments tell ---------------------------------------------------------------


@orders.order_moved.connect
def _follow_order(order: Order, *, previous: str, actor: int | None = None) -> None:
    """A partner order cancelled (or refunded) before it shipped voids its invoice; a prepaid
    one whose payment arrived (a prepaid partner's order is confirmed only by its payment:
    partners never pay cash on delivery) makes its invoice paid."""
    if order.partner_id is None:
        return
    invoice = invoice_of_order(order.id)
    if invoice is None:
        return
    if order.status in ("cancelled", "refunded") and invoice.status != "void":
        _void(invoice, reason="order cancelled", role="system")
    elif order.status == "confirmed" and previous == "pending_payment" and invoice.payment_terms not in TERM_DAYS:
        _paid_at_checkout(invoice, order)


@fulfilment.shipment_cancelled.connect
def _follow_shipment(shipment: Shipment) -> None:
    order = shipment.order
    if order.partner_id is None:
        return
    invoice = invoice_of_order(order.id)
    if invoice is not None:
        revise_invoice(invoice, order, reason=f"shipment cancelled: {shipment.cancel_reason or ''}".strip())
