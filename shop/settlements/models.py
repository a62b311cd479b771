from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.models_base import TimestampMixin


class Payout(TimestampMixin, db.Model):
    """Money the shop sent to a producer's bank account, recorded by an admin."""

    __tablename__ = "payouts"
    __table_args__ = (
        CheckConstraint("amount_vnd > 0", name="amount_positive"),
        CheckConstraint("length(period) = 7", name="period_is_month"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), nullable=False, index=True)
    # The statement month it settles, "2026-11".
    period: Mapped[str] = mapped_column(String(7), nullable=False)
    paid_on: Mapped[date] = mapped_column(Date, nullable=False)
    amount_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    bank_reference: Mapped[str] = mapped_column(String(60), nullable=False)
    note: Mapped[str | None] = mapped_column(String(300))
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
