"""Delivery zones, the provinces in each, and the price of a parcel by weight."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db


class ShippingZone(db.Model):
    """A delivery zone (e.g. inner Hà Nội, the north, the south) with its transit time. Prices by
    weight are in shipping_rates; same_day_vnd is set only where same-day delivery exists."""

    __tablename__ = "shipping_zones"
    __table_args__ = (
        CheckConstraint("transit_days_min >= 0 AND transit_days_max >= transit_days_min", name="transit_days"),
        CheckConstraint("extra_per_kg_vnd >= 0", name="extra_not_negative"),
        CheckConstraint("same_day_vnd IS NULL OR same_day_vnd >= 0", name="same_day_not_negative"),
    )

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(80), nullable=False)
    name_en: Mapped[str] = mapped_column(String(80), nullable=False)
    transit_days_min: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    transit_days_max: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    # Above the heaviest band of shipping_rates: this much per started kilogram.
    extra_per_kg_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    same_day_vnd: Mapped[int | None] = mapped_column(BigInteger)

    rates: Mapped[list[ShippingRate]] = relationship(order_by="ShippingRate.max_weight_g")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi


class ShippingZoneProvince(db.Model):
    """Which zone each province (current code) belongs to."""

    __tablename__ = "shipping_zone_provinces"

    province_code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    zone_code: Mapped[str] = mapped_column(ForeignKey("shipping_zones.code"), nullable=False)


class ShippingRate(db.Model):
    """Standard delivery price of a parcel up to max_weight_g into a zone."""

    __tablename__ = "shipping_rates"
    __table_args__ = (
        UniqueConstraint("zone_code", "max_weight_g", name="uq_shipping_rates_zone_weight"),
        CheckConstraint("max_weight_g > 0", name="weight_positive"),
        CheckConstraint("price_vnd >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone_code: Mapped[str] = mapped_column(ForeignKey("shipping_zones.code"), nullable=False)
    max_weight_g: Mapped[int] = mapped_column(Integer, nullable=False)
    price_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
