from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.catalog.models import Variant
from shop.extensions import db
from shop.models_base import TimestampMixin, utcnow


class Cart(TimestampMixin, db.Model):
    """A visitor's cart, kept on the server: a logged-in shopper's (user_id) or a guest's
    (session_key, a random token kept in their session cookie)."""

    __tablename__ = "carts"
    # The most of one item a cart (and so an order) may hold: a shop's shelf, not a warehouse's.
    MAX_QUANTITY = 99
    __table_args__ = (CheckConstraint("user_id IS NOT NULL OR session_key IS NOT NULL", name="has_owner"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    session_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    # What the checkout form collected (contact, address, delivery, payment), kept here on the
    # server rather than in the visitor's cookie.
    checkout_details: Mapped[dict | None] = mapped_column(JSON)

    lines: Mapped[list[CartLine]] = relationship(
        back_populates="cart", order_by="CartLine.id", cascade="all, delete-orphan"
    )


class CartLine(db.Model):
    __tablename__ = "cart_lines"
    __table_args__ = (
        UniqueConstraint("cart_id", "variant_id", name="uq_cart_lines_cart_variant"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("price_seen_vnd >= 0", name="price_seen_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), nullable=False, index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    # The price the shopper last saw, so the cart can say when it changed.
    price_seen_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)

    cart: Mapped[Cart] = relationship(back_populates="lines")
    variant: Mapped[Variant] = relationship()
