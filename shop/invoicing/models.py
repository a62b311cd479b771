"""The shop's commercial invoices to restaurant partners, their lines, and the payments staff
record against them. Not a legal e-invoice: those are issued by a registered provider, from the
export (Decree 123/2020, Art. 10)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db
from shop.models_base import TimestampMixin

# open: issued, money due; paid: paid in full; void: cancelled with its order (kept, numbered).
# "Overdue" is an open invoice past its due date (Vietnam's date): derived, never stored.
INVOICE_STATUSES = ("open", "paid", "void")


class Invoice(TimestampMixin, db.Model):
    """One partner order's invoice, with the seller's and buyer's details as they were when it
    was issued (a later change of address never rewrites it)."""

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'paid', 'void')", name="status_known"),
        CheckConstraint("net_vnd + vat_vnd = total_vnd", name="total_adds_up"),
        CheckConstraint("paid_vnd >= 0 AND paid_vnd <= total_vnd", name="paid_within_total"),
        CheckConstraint("due_on >= issued_on", name="due_after_issue"),
        Index("ix_invoices_partner_status_due", "partner_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True, nullable=False)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(8), default="open", nullable=False)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    payment_terms: Mapped[str] = mapped_column(String(12), nullable=False)
    po_number: Mapped[str | None] = mapped_column(String(40))

    seller_name: Mapped[str] = mapped_column(String(200), nullable=False)
    seller_tax_code: Mapped[str] = mapped_column(String(14), nullable=False)
    seller_address: Mapped[str] = mapped_column(String(300), nullable=False)
    buyer_name: Mapped[str] = mapped_column(String(200), nullable=False)
    buyer_tax_code: Mapped[str] = mapped_column(String(14), nullable=False)
    buyer_address: Mapped[str] = mapped_column(String(300), nullable=False)
    buyer_email: Mapped[str | None] = mapped_column(String(254))
    delivery_address: Mapped[str | None] = mapped_column(String(300))

    net_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    vat_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    total_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    paid_vnd: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", nullable=False)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    void_reason: Mapped[str | None] = mapped_column(String(300))

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", cascade="all, delete-orphan"
    )
    payments: Mapped[list[InvoicePayment]] = relationship(
        back_populates="invoice", order_by="InvoicePayment.id", cascade="all, delete-orphan"
    )

    @property
    def balance_vnd(self) -> int:
        return 0 if self.status == "void" else self.total_vnd - self.paid_vnd

    def is_overdue(self, today: date) -> bool:
        return self.status == "open" and self.due_on < today

    def __repr__(self) -> str:
        return f"<Invoice {self.number or self.id} {self.status}>"


class InvoiceLine(db.Model):
    """A line as invoiced: the gross (VAT-inclusive) price the partner pays, and its VAT and net
    at the line's rate, rounded half up to whole đồng."""

    __tablename__ = "invoice_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("gross_vnd = unit_price_vnd * quantity", name="gross_adds_up"),
        CheckConstraint("net_vnd + vat_vnd = gross_vnd", name="net_and_vat_add_up"),
        CheckConstraint("vat_rate_bp BETWEEN 0 AND 10000", name="vat_rate_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    sku: Mapped[str] = mapped_column(String(40), nullable=False)
    description: Mapped[str] = mapped_column(String(330), nullable=False)
    unit: Mapped[str | None] = mapped_column(String(60))
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    unit_price_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    vat_rate_bp: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    gross_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    vat_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    net_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class InvoicePayment(TimestampMixin, db.Model):
    """Money an admin saw arrive for an invoice (a transfer, in full or in part)."""

    __tablename__ = "invoice_payments"
    __table_args__ = (CheckConstraint("amount_vnd > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), nullable=False, index=True)
    amount_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    paid_on: Mapped[date] = mapped_column(Date, nullable=False)
    reference: Mapped[str | None] = mapped_column(String(100))
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    invoice: Mapped[Invoice] = relationship(back_populates="payments")
