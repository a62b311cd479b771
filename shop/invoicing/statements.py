"""What a partner's accountant reads: its invoices with their totals, and the monthly statement
(opening balance, invoices issued, payments received, invoices voided, closing balance) of a
Vietnam-time month, also as CSV.

The balance is what the partner owes: every invoice issued adds its total on the day of issue,
every payment takes its amount off on the day it arrived, and a voided invoice takes off what was
left unpaid on it on the day it was voided (money paid on a voided invoice goes back with its
order's refund). So the closing balance of one month is the opening balance of the next, and the
balance today is the sum of open invoices' balances.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select

from shop.extensions import db
from shop.inventory.services import csv_text
from shop.invoicing.models import Invoice, InvoicePayment
from shop.invoicing.services import local_date
from shop.settlements.periods import Period

# Statuses a list can be filtered by: the stored ones and the derived "overdue".
LIST_STATUSES = ("open", "overdue", "paid", "void")


def status_of(invoice: Invoice, today: date) -> str:
    """open, overdue (open past its due date), paid or void."""
    return "overdue" if invoice.is_overdue(today) else invoice.status


def filter_status(query, status: str | None, today: date):
    """`query` of invoices narrowed to a list status (overdue: open and due before today)."""
    if status == "overdue":
        return query.where(Invoice.status == "open", Invoice.due_on < today)
    if status == "open":
        return query.where(Invoice.status == "open", Invoice.due_on >= today)
    if status in ("paid", "void"):
        return query.where(Invoice.status == status)
    return query


@dataclass(frozen=True)
class InvoiceTotals:
    open_vnd: int
    overdue_vnd: int
    open_count: int
    overdue_count: int


def partner_totals(partner_id: int, today: date) -> InvoiceTotals:
    """What the partner owes on open invoices, and how much of it is overdue."""
    balance = Invoice.total_vnd - Invoice.paid_vnd
    overdue = Invoice.due_on < today
    row = db.session.execute(
        select(
            func.coalesce(func.sum(balance), 0),
            func.coalesce(func.sum(case((overdue, balance), else_=0)), 0),
            func.count(),
            func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
        ).where(Invoice.partner_id == partner_id, Invoice.status == "open")
    ).one()
    return InvoiceTotals(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def partner_invoices(partner_id: int, *, status: str | None, today: date, limit: int = 200) -> list[Invoice]:
    """The partner's invoices, newest first, optionally of one list status."""
    query = select(Invoice).where(Invoice.partner_id == partner_id).order_by(Invoice.id.desc()).limit(limit)
    return list(db.session.scalars(filter_status(query, status, today)))


# The monthly statement -------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    day: date
    kind: str  # invoice, payment, void
    invoice_id: int
    invoice_number: str
    reference: str | None
    charge_vnd: int  # what it adds to the balance
    credit_vnd: int  # what it takes off
    balance_vnd: int = 0  # the balance after it


_KIND_ORDER = {"invoice": 0, "payment": 1, "void": 2}


@dataclass
class Statement:
    period: Period
    opening_vnd: int
    entries: list[Entry] = field(default_factory=list)

    @property
    def invoiced_vnd(self) -> int:
        return sum(e.charge_vnd for e in self.entries)

    @property
    def paid_vnd(self) -> int:
        return sum(e.credit_vnd for e in self.entries if e.kind == "payment")

    @property
    def voided_vnd(self) -> int:
        return sum(e.credit_vnd for e in self.entries if e.kind == "void")

    @property
    def closing_vnd(self) -> int:
        return self.opening_vnd + self.invoiced_vnd - self.paid_vnd - self.voided_vnd


def _balance_before(partner_id: int, period: Period) -> int:
    issued = db.session.scalar(
        select(func.coalesce(func.sum(Invoice.total_vnd), 0)).where(
            Invoice.partner_id == partner_id, Invoice.issued_on < period.first_day
        )
    )
    paid = db.session.scalar(
        select(func.coalesce(func.sum(InvoicePayment.amount_vnd), 0))
        .join(Invoice, Invoice.id == InvoicePayment.invoice_id)
        .where(Invoice.partner_id == partner_id, InvoicePayment.paid_on < period.first_day)
    )
    voided = db.session.scalar(
        select(func.coalesce(func.sum(Invoice.total_vnd - Invoice.paid_vnd), 0)).where(
            Invoice.partner_id == partner_id, Invoice.status == "void", Invoice.voided_at < period.start
        )
    )
    return int(issued) - int(paid) - int(voided)


def monthly_statement(partner_id: int, period: Period) -> Statement:
    """The partner's statement of a month (Vietnam time): the balance it opened with, each
    invoice issued, payment received and invoice voided in it, day by day, with the balance
    after each, and the closing balance."""
    entries: list[Entry] = []
    for invoice in db.session.scalars(
        select(Invoice).where(
            Invoice.partner_id == partner_id,
            Invoice.issued_on >= period.first_day,
            Invoice.issued_on <= period.last_day,
        )
    ):
        entries.append(
            Entry(invoice.issued_on, "invoice", invoice.id, invoice.number, invoice.po_number, invoice.total_vnd, 0)
        )
    for payment, invoice in db.session.execute(
        select(InvoicePayment, Invoice)
        .join(Invoice, Invoice.id == InvoicePayment.invoice_id)
        .where(
            Invoice.partner_id == partner_id,
            InvoicePayment.paid_on >= period.first_day,
            InvoicePayment.paid_on <= period.last_day,
        )
    ):
        entries.append(
            Entry(payment.paid_on, "payment", invoice.id, invoice.number, payment.reference, 0, payment.amount_vnd)
        )
    for invoice in db.session.scalars(
        select(Invoice).where(
            Invoice.partner_id == partner_id,
            Invoice.status == "void",
            Invoice.voided_at >= period.start,
            Invoice.voided_at < period.end,
        )
    ):
        unpaid = invoice.total_vnd - invoice.paid_vnd
        entries.append(
            Entry(local_date(invoice.voided_at), "void", invoice.id, invoice.number, invoice.void_reason, 0, unpaid)
        )
    entries.sort(key=lambda e: (e.day, _KIND_ORDER[e.kind], e.invoice_id))
    statement = Statement(period, _balance_before(partner_id, period))
    balance = statement.opening_vnd
    for entry in entries:
        balance += entry.charge_vnd - entry.credit_vnd
        statement.entries.append(
            Entry(**{**entry.__dict__, "balance_vnd": balance})  # frozen: a copy with its balance
        )
    return statement


def statement_csv(statement: Statement, *, labels: dict[str, str], headers: list[str]) -> str:
    """The statement as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the
    Vietnamese): a row for the opening balance, one per entry, one for the closing balance.
    `labels` names the kinds and the opening/closing rows in the reader's language."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerow([statement.period.first_day.isoformat(), labels["opening"], "", "", "", "", statement.opening_vnd])
    for e in statement.entries:
        writer.writerow(
            [
                e.day.isoformat(),
                labels[e.kind],
                e.invoice_number,
                csv_text(e.reference or ""),
                e.charge_vnd or "",
                e.credit_vnd or "",
                e.balance_vnd,
            ]
        )
    writer.writerow([statement.period.last_day.isoformat(), labels["closing"], "", "", "", "", statement.closing_vnd])
    return out.getvalue()


# Staff's list ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListTotals:
    count: int
    total_vnd: int
    paid_vnd: int
    balance_vnd: int


def find_invoices(
    *,
    partner_id: int | None,
    status: str | None,
    start: date | None,
    end: date | None,
    today: date,
    limit: int = 200,
) -> tuple[list[Invoice], ListTotals]:
    """Invoices by partner, list status (overdue included) and days of issue (both included),
    newest first (at most `limit`), and the totals of all that match."""
    conditions = []
    if partner_id is not None:
        conditions.append(Invoice.partner_id == partner_id)
    if start is not None:
        conditions.append(Invoice.issued_on >= start)
    if end is not None:
        conditions.append(Invoice.issued_on <= end)
    listed = filter_status(select(Invoice).where(*conditions), status, today)
    invoices = list(db.session.scalars(listed.order_by(Invoice.id.desc()).limit(limit)))
    balance = case((Invoice.status == "void", 0), else_=Invoice.total_vnd - Invoice.paid_vnd)
    sums = filter_status(
        select(
            func.count(),
            func.coalesce(func.sum(case((Invoice.status == "void", 0), else_=Invoice.total_vnd)), 0),
            func.coalesce(func.sum(Invoice.paid_vnd), 0),
            func.coalesce(func.sum(balance), 0),
        ).where(*conditions),
        status,
        today,
    )
    count, total, paid, owed = db.session.execute(sums).one()
    return invoices, ListTotals(int(count), int(total), int(paid), int(owed))
