"""Standing orders: a partner's lines delivered to one location on chosen weekdays, turned into
orders ahead of time by `flask shop run-standing-orders`."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db
from shop.models_base import TimestampMixin
from shop.partners.models import Partner, PartnerLocation

# What one run did for one standing order and date.
RUN_OUTCOMES = ("placed", "partial", "nothing", "over_credit", "on_hold", "failed")


class StandingOrder(TimestampMixin, db.Model):
    """Lines delivered to a location on some weekdays (bit 0 = Monday … bit 6 = Sunday) from a
    start date to an optional end date, in a window of the location's receiving hours."""

    __tablename__ = "standing_orders"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'paused')", name="status_known"),
        CheckConstraint("weekdays_mask BETWEEN 1 AND 127", name="weekdays_range"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_in_order"),
        CheckConstraint("window_end_minute > window_start_minute", name="window_in_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), nullable=False, index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("partner_locations.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    weekdays_mask: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date | None] = mapped_column(Date)
    window_start_minute: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    window_end_minute: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    po_number: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(8), default="active", nullable=False)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    lines: Mapped[list[StandingOrderLine]] = relationship(
        back_populates="standing_order", order_by="StandingOrderLine.id", cascade="all, delete-orphan"
    )
    skips: Mapped[list[StandingOrderSkip]] = relationship(cascade="all, delete-orphan")
    partner: Mapped[Partner] = relationship()
    location: Mapped[PartnerLocation] = relationship()

    def on_weekday(self, weekday: int) -> bool:
        return bool(self.weekdays_mask & (1 << weekday))


class StandingOrderLine(db.Model):
    """A variant and quantity of a standing order, from a date to a date (inclusive): changing
    the lines from a date on closes the old lines the day before and opens new ones."""

    __tablename__ = "standing_order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    standing_order_id: Mapped[int] = mapped_column(
        ForeignKey("standing_orders.id", ondelete="CASCADE"), nullable=False, index=True
    )
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date | None] = mapped_column(Date)

    standing_order: Mapped[StandingOrder] = relationship(back_populates="lines")

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class StandingOrderSkip(db.Model):
    """One delivery date the partner does not want (a holiday, the branch closed)."""

    __tablename__ = "standing_order_skips"

    standing_order_id: Mapped[int] = mapped_column(
        ForeignKey("standing_orders.id", ondelete="CASCADE"), primary_key=True
    )
    on_date: Mapped[date] = mapped_column(Date, primary_key=True)


class StandingOrderRun(TimestampMixin, db.Model):
    """What the run did for one standing order and delivery date. The unique key is what makes
    the run idempotent: a second run (or a second process at the same time) cannot add a second
    row, so it never creates a second order."""

    __tablename__ = "standing_order_runs"
    __table_args__ = (
        UniqueConstraint("standing_order_id", "delivery_date", name="once_per_date"),
        CheckConstraint(
            "outcome IN ('placed', 'partial', 'nothing', 'over_credit', 'on_hold', 'failed')", name="outcome_known"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    standing_order_id: Mapped[int] = mapped_column(ForeignKey("standing_orders.id", ondelete="CASCADE"), nullable=False)
    delivery_date: Mapped[date] = mapped_column(Date, nullable=False)
    outcome: Mapped[str] = mapped_column(String(12), nullable=False)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    # What could not be ordered (JSON: [{"sku":…, "wanted":…, "ordered":…}]) or why nothing was.
    detail: Mapped[str | None] = mapped_column(Text)
