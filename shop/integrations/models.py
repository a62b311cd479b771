"""API keys, idempotency records for API requests, and webhooks (endpoints, the events recorded
with the change that caused them, one delivery per event and endpoint, and each attempt)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db
from shop.models_base import TimestampMixin

# What a key may do. A producer key reads its own catalog, sets stock and fulfils shipments; a
# partner key either orders (prices, orders, standing orders) or reads the accounts (orders,
# invoices, statements).
PRODUCER_ROLES = ("producer",)
PARTNER_ROLES = ("ordering", "accounting")
ROLES = (*PRODUCER_ROLES, *PARTNER_ROLES)

EVENT_TYPES = (
    "order.created",
    "order.cancelled",
    "shipment.shipped",
    "shipment.delivered",
    "invoice.issued",
    "invoice.overdue",
    "stock.low",
)
DELIVERY_STATUSES = ("pending", "delivered", "failed")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


_ONE_OWNER = "(producer_id IS NULL) <> (partner_id IS NULL)"


class OwnedByOrganisation:
    """A row that belongs to exactly one producer or one partner."""

    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))

    @property
    def organisation_kind(self) -> str:
        return "producer" if self.producer_id is not None else "partner"


class ApiKey(OwnedByOrganisation, TimestampMixin, db.Model):
    """A secret a program sends as `Authorization: Bearer <key>`. Only its SHA-256 is kept (the
    key is random, 256 bits: a slow hash would add nothing); `prefix` is the start of the key,
    shown so that people can tell their keys apart."""

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint(_ONE_OWNER, name="one_owner"),
        CheckConstraint(_in("role", ROLES), name="role_known"),
        Index("ix_api_keys_producer", "producer_id"),
        Index("ix_api_keys_partner", "partner_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    prefix: Mapped[str] = mapped_column(String(20), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Written by requests that change something (a GET never writes); reads are remembered in
    # the cache, see keys.last_used.
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(TimestampMixin, db.Model):
    """The answer given to a request that carried an `Idempotency-Key`: the same key with the same
    body gets the same answer again; with another body, 409."""

    __tablename__ = "api_idempotency"
    __table_args__ = (UniqueConstraint("api_key_id", "key", name="uq_api_idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(255), nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[dict | None] = mapped_column(JSON)


class WebhookEndpoint(OwnedByOrganisation, TimestampMixin, db.Model):
    """An HTTPS address an owner registered to be told about `events`. `secret` signs each
    delivery (HMAC-SHA256); it has to be kept as it is to sign with."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        CheckConstraint(_ONE_OWNER, name="one_owner"),
        Index("ix_webhook_endpoints_producer", "producer_id"),
        Index("ix_webhook_endpoints_partner", "partner_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(500), nullable=False)
    description: Mapped[str | None] = mapped_column(String(200))
    events: Mapped[list] = mapped_column(JSON, nullable=False)
    secret: Mapped[str] = mapped_column(String(80), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class WebhookEvent(OwnedByOrganisation, TimestampMixin, db.Model):
    """Something that happened, for one organisation, recorded in the transaction of the change
    that caused it. `event_id` is what receivers use to recognise an event they already have."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        CheckConstraint(_ONE_OWNER, name="one_owner"),
        CheckConstraint(_in("type", EVENT_TYPES), name="type_known"),
        Index("ix_webhook_events_producer", "producer_id", "id"),
        Index("ix_webhook_events_partner", "partner_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    type: Mapped[str] = mapped_column(String(40), nullable=False)
    data: Mapped[dict] = mapped_column(JSON, nullable=False)


class WebhookDelivery(TimestampMixin, db.Model):
    """One event for one endpoint: pending until the endpoint answers 2xx (delivered) or a day of
    retries has passed (failed). A sender claims a delivery (`claimed_until`) before it sends, so
    two senders never send the same one at once."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id", name="uq_webhook_deliveries_event_endpoint"),
        CheckConstraint(_in("status", DELIVERY_STATUSES), name="status_known"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id", ondelete="CASCADE"), nullable=False)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[str] = mapped_column(String(10), default="pending", nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    event: Mapped[WebhookEvent] = relationship(lazy="joined")
    endpoint: Mapped[WebhookEndpoint] = relationship()


class WebhookAttempt(TimestampMixin, db.Model):
    """One try at a delivery, for the owner's delivery log."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery", "delivery_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    response_excerpt: Mapped[str | None] = mapped_column(String(500))
    # A person asked for this try from the delivery log.
    replay: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
