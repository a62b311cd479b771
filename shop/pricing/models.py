"""What prices are made of besides a variant's retail price: volume breaks for partners,
negotiated price lists for one partner, and VAT rates with the dates they apply."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.models_base import TimestampMixin


class PriceBreak(db.Model):
    """From `min_qty` units in one order line, an approved partner pays `unit_price_vnd` for
    each (the producer sets them; VAT included, as every price in the shop)."""

    __tablename__ = "price_breaks"
    __table_args__ = (
        UniqueConstraint("variant_id", "min_qty", name="one_per_quantity"),
        CheckConstraint("min_qty > 1", name="min_qty_above_one"),
        CheckConstraint("unit_price_vnd > 0", name="price_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), nullable=False)
    min_qty: Mapped[int] = mapped_column(Integer, nullable=False)
    unit_price_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)


class PartnerPrice(TimestampMixin, db.Model):
    """A price an admin negotiated with one partner for one variant, valid from a date to a date
    (inclusive, Vietnam's dates; open-ended without `valid_to`). It overrides the breaks."""

    __tablename__ = "partner_prices"
    __table_args__ = (
        CheckConstraint("unit_price_vnd > 0", name="price_positive"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
        Index("ix_partner_prices_partner_variant", "partner_id", "variant_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), nullable=False)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), nullable=False)
    unit_price_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date | None] = mapped_column(Date)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class VatRate(db.Model):
    """The VAT rate of a product group (or one of its subgroups, which wins over its group) from
    a date to a date (inclusive). Rates change by law: they are rows, not code."""

    __tablename__ = "vat_rates"
    __table_args__ = (
        CheckConstraint("rate_bp BETWEEN 0 AND 10000", name="rate_range"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
        Index("ix_vat_rates_group", "group_code", "subgroup_code", "valid_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_code: Mapped[str] = mapped_column(String(30), nullable=False)
    subgroup_code: Mapped[str | None] = mapped_column(String(40))
    rate_bp: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date | None] = mapped_column(Date)
    # The law it comes from, shown to staff (e.g. "Nghị quyết 204/2025/QH15").
    basis: Mapped[str | None] = mapped_column(String(200))

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
