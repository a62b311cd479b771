from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db
from shop.models_base import TimestampMixin
from shop.orders.models import Order
from shop.producers.models import Producer

# open: to pack; packed; shipped (carrier and tracking number); delivered; cancelled by the
# producer before shipping (its lines' stock released) or with the whole order.
SHIPMENT_STATUSES = ("open", "packed", "shipped", "delivered", "cancelled")
CARRIERS = ("ghn", "ghtk", "viettel_post", "vnpost", "ahamove", "own")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Shipment(TimestampMixin, db.Model):
    """One producer's part of an order: the order's lines with this producer_id."""

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("order_id", "producer_id"),  # one shipment per producer and order
        CheckConstraint(_in("status", SHIPMENT_STATUSES), name="status_known"),
        CheckConstraint(f"carrier IS NULL OR {_in('carrier', CARRIERS)}", name="carrier_known"),
        CheckConstraint("subtotal_vnd >= 0 AND refund_vnd >= 0", name="amounts_not_negative"),
        CheckConstraint("commission_bp IS NULL OR commission_bp BETWEEN 0 AND 10000", name="commission_range"),
        CheckConstraint("refund_status IS NULL OR refund_status IN ('due', 'sent')", name="refund_status_known"),
        # The producer's list (by status, newest first) and the monthly statements (by delivery).
        Index("ix_shipments_producer_status", "producer_id", "status", "created_at"),
        Index("ix_shipments_producer_delivered", "producer_id", "delivered_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(10), default="open", nullable=False)
    # The value of the producer's lines as ordered (copied from the lines).
    subtotal_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    carrier: Mapped[str | None] = mapped_column(String(20))
    tracking_number: Mapped[str | None] = mapped_column(String(60))
    packed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    # When the producer was mailed that the shipment is ready to prepare (paid, or COD).
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The commission rate in force when the shipment was delivered, so a later change of the
    # producer's rate never rewrites a past statement.
    commission_bp: Mapped[int | None] = mapped_column(Integer)
    # Money that must go back to the shopper for this shipment's lines (a paid order whose
    # producer cancelled its part): "due" until it has gone, then "sent".
    refund_vnd: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    refund_status: Mapped[str | None] = mapped_column(String(10))

    order: Mapped[Order] = relationship()
    producer: Mapped[Producer] = relationship()

    @property
    def lines(self):
        return [line for line in self.order.lines if line.producer_id == self.producer_id]

    def __repr__(self) -> str:
        return f"<Shipment {self.id} order={self.order_id} producer={self.producer_id} {self.status}>"
