from __future__ import annotations

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.models_base import TimestampMixin


class AuditEvent(TimestampMixin, db.Model):
    """One admin action or one producer change (listings, prices, stock, certificates).

    Append-only: the database refuses UPDATE and DELETE (triggers, migration 0010). It keeps
    plain ids, not foreign keys, so that deleting a user or a product never rewrites the log;
    `actor_email` keeps who it was."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_producer", "producer_id", "id"),
        Index("ix_audit_events_entity", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_email: Mapped[str | None] = mapped_column(String(254))
    # admin or producer: in which capacity the actor acted.
    actor_role: Mapped[str] = mapped_column(String(10), nullable=False)
    producer_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(60), nullable=False)
    entity: Mapped[str] = mapped_column(String(40), nullable=False)
    entity_id: Mapped[str | None] = mapped_column(String(40))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(500))
