from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shop import geo
from shop.extensions import db
from shop.models_base import TimestampMixin


class SavedAddress(geo.PlaceNames, TimestampMixin, db.Model):
    """A delivery address a shopper kept for next time."""

    __tablename__ = "saved_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    contact_name: Mapped[str] = mapped_column(String(120), nullable=False)
    phone: Mapped[str] = mapped_column(String(20), nullable=False)
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    ward_code: Mapped[int] = mapped_column(Integer, nullable=False)
    street: Mapped[str] = mapped_column(String(200), nullable=False)
