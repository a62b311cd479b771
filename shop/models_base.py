"""Column helpers shared by the domain models."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column

from shop import clock


def utcnow() -> datetime:
    """Column default: the shop's clock (tests set it)."""
    return clock.now()


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
