from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.models_base import TimestampMixin

# What moved stock: orders (reserve, release, ship), a count that sets the figure ("set"), the
# producer's adjustments by a signed amount, and a producer's own system through the API ("api";
# the note names the key).
ORDER_REASONS = ("reserve", "release", "ship")
ADJUST_REASONS = ("received", "spoilage", "correction", "returned", "count")
REASONS = ("set", *ORDER_REASONS, *ADJUST_REASONS, "api")


class StockMovement(TimestampMixin, db.Model):
    """One change to a variant's stock, append-only. Summing the deltas of a variant gives its
    on_hand and reserved columns (the ledger test checks it), so every change is explained."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(f"reason IN ({', '.join(repr(r) for r in REASONS)})", name="reason_known"),
        CheckConstraint("on_hand_delta <> 0 OR reserved_delta <> 0", name="changes_something"),
        Index("ix_stock_movements_variant", "variant_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), nullable=False)
    on_hand_delta: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    reserved_delta: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    reason: Mapped[str] = mapped_column(String(12), nullable=False)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(200))


class StockUpload(TimestampMixin, db.Model):
    """A producer's bulk CSV, parsed and previewed, kept until it is applied (all rows in one
    transaction) or replaced. `rows` holds what each row will change, as previewed, so applying
    checks that nothing moved since (compare-and-set per row)."""

    __tablename__ = "stock_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    rows: Mapped[list] = mapped_column(JSON, nullable=False)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
