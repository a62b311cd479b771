from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop import geo
from shop.extensions import db
from shop.models_base import TimestampMixin

STATUSES = ("pending_payment", "confirmed", "processing", "shipped", "delivered", "cancelled", "refunded")
# "scheduled": a partner's order, delivered on a chosen date within a window of its location's
# receiving hours.
DELIVERY_METHODS = ("standard", "same_day", "pickup", "scheduled")
# States an order can still be cancelled from: nothing has left the producers yet.
CANCELLABLE = frozenset({"pending_payment", "confirmed", "processing"})


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Order(geo.PlaceNames, TimestampMixin, db.Model):
    """An order as placed: contact, delivery, copied prices and names, and its state."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status_known"),
        CheckConstraint(_in("delivery_method", DELIVERY_METHODS), name="delivery_method_known"),
        CheckConstraint("subtotal_vnd >= 0 AND shipping_vnd >= 0", name="amounts_not_negative"),
        CheckConstraint("total_vnd = subtotal_vnd + shipping_vnd", name="total_adds_up"),
        CheckConstraint(
            "delivery_method = 'pickup' OR "
            "(province_code IS NOT NULL AND ward_code IS NOT NULL AND street IS NOT NULL)",
            name="address_for_delivery",
        ),
        # Expiry looks for unpaid orders past their time; this keeps it cheap on every stock read.
        Index("ix_orders_status_expires", "status", "expires_at"),
        # Checkout's limits count recent and open orders per phone number and per email.
        Index("ix_orders_phone_created", "phone", "created_at"),
        Index("ix_orders_email_created", "email", "created_at"),
        # The first order placed since a day (a producer's sales over the last 7, 30, 90 days).
        Index("ix_orders_created_at", "created_at"),
        CheckConstraint("refund_status IS NULL OR refund_status IN ('due', 'sent')", name="refund_status_known"),
        CheckConstraint(
            "delivery_method <> 'scheduled' OR (partner_id IS NOT NULL AND delivery_date IS NOT NULL "
            "AND window_start_minute IS NOT NULL AND window_end_minute > window_start_minute)",
            name="scheduled_has_date_and_window",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    # The review page's one-time token: a second "Place order" with it finds this order.
    checkout_token: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    # The code of a way to pay in shop/payments' registry (orders never look inside it); the
    # database does not list them, so a new way to pay needs no migration.
    payment_method: Mapped[str] = mapped_column(String(10), nullable=False)
    delivery_method: Mapped[str] = mapped_column(String(10), nullable=False)
    locale: Mapped[str] = mapped_column(String(5), default="vi", nullable=False)

    contact_name: Mapped[str] = mapped_column(String(120), nullable=False)
    phone: Mapped[str] = mapped_column(String(20), nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    province_code: Mapped[int | None] = mapped_column(Integer)
    ward_code: Mapped[int | None] = mapped_column(Integer)
    street: Mapped[str | None] = mapped_column(String(200))
    delivery_note: Mapped[str | None] = mapped_column(String(300))
    pickup_producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"))
    # A restaurant partner's order: for which partner and location, the delivery date and window
    # (minutes after midnight, Vietnam time) and the partner's purchase-order number.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    partner_location_id: Mapped[int | None] = mapped_column(ForeignKey("partner_locations.id"))
    delivery_date: Mapped[date | None] = mapped_column(Date)
    window_start_minute: Mapped[int | None] = mapped_column(SmallInteger)
    window_end_minute: Mapped[int | None] = mapped_column(SmallInteger)
    po_number: Mapped[str | None] = mapped_column(String(40))

    subtotal_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    shipping_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    total_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    weight_g: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(String(20))

    stripe_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_payment_intent: Mapped[str | None] = mapped_column(String(255))
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255))
    payment_attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # "due": money must go back to the shopper (a refund that failed, to be retried); "sent": it went.
    refund_status: Mapped[str | None] = mapped_column(String(10))
    # Why staff must look at the payment (e.g. Stripe reported another amount); None when all is well.
    review_reason: Mapped[str | None] = mapped_column(String(200))

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", order_by="OrderEvent.id", cascade="all, delete-orphan"
    )

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def refund_due(self) -> bool:
        """Money must still go back to the shopper: a refund the provider has not made yet
        (retried until it does) or a transfer that staff must send back by hand."""
        return self.refund_status == "due"

    @property
    def can_cancel(self) -> bool:
        """Whether the order may still be cancelled: nothing has left the producers yet (the one
        rule for the shopper's and staff's buttons and for `orders.services.cancel`). The first
        shipment to leave sets `shipped_at`, while the order may still be being prepared."""
        return self.status in CANCELLABLE and self.shipped_at is None

    def __repr__(self) -> str:
        return f"<Order {self.number or self.id} {self.status}>"


class OrderLine(db.Model):
    """A line as bought: names and unit price copied from the catalog at the time of the order,
    and the producer, who fulfils it."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_vnd >= 0", name="price_not_negative"),
        CheckConstraint("line_total_vnd = unit_price_vnd * quantity", name="line_total_adds_up"),
        # A producer's lines of an order (its shipment, in statements) and of the orders since a
        # given order (the sales dashboard): by producer, then order.
        Index("ix_order_lines_producer_order", "producer_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), nullable=False, index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"))
    sku: Mapped[str] = mapped_column(String(40), nullable=False)
    product_name_vi: Mapped[str] = mapped_column(String(200), nullable=False)
    product_name_en: Mapped[str | None] = mapped_column(String(200))
    variant_name_vi: Mapped[str] = mapped_column(String(120), nullable=False)
    variant_name_en: Mapped[str | None] = mapped_column(String(120))
    product_slug: Mapped[str | None] = mapped_column(String(120))
    unit_price_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    line_total_vnd: Mapped[int] = mapped_column(BigInteger, nullable=False)
    weight_g: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # The VAT rate of the product's group on the day of the order (basis points); the price
    # includes it. None on orders placed before rates were kept.
    vat_rate_bp: Mapped[int | None] = mapped_column(SmallInteger)

    order: Mapped[Order] = relationship(back_populates="lines")

    def product_name(self, locale: str) -> str:
        return (self.product_name_en if locale == "en" else None) or self.product_name_vi

    def variant_name(self, locale: str) -> str:
        return (self.variant_name_en if locale == "en" else None) or self.variant_name_vi


class OrderEvent(TimestampMixin, db.Model):
    """Each move of an order from one state to another: when, by whom, why."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)

    order: Mapped[Order] = relationship(back_populates="events")
