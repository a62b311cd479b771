from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.models_base import TimestampMixin


class OutboundMail(TimestampMixin, db.Model):
    """One message. Rows are written with the action that causes them, so a rolled-back action
    sends nothing and a committed one is never lost, even when the SMTP server is down."""

    __tablename__ = "outbound_mail"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent')", name="status_known"),
        # The per-recipient hourly limit counts a recipient's recent messages.
        Index("ix_outbound_mail_to_created", "to_addr", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to_addr: Mapped[str] = mapped_column(String(254), nullable=False)
    subject: Mapped[str] = mapped_column(String(255), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending", nullable=False, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
