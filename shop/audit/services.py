"""Write and read the audit log. Callers pass what changed; `record` adds a row in the caller's
transaction, so an action that rolls back leaves no entry and one that commits always has one."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from shop import clock
from shop.audit.models import AuditEvent
from shop.extensions import db

ROLES = ("admin", "producer", "partner", "system")


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(obj, fields) -> dict:
    """The named attributes of `obj` as JSON-safe values, for `before`/`after`."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(
    action: str,
    entity: str,
    entity_id=None,
    *,
    actor=None,
    role: str = "producer",
    producer_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    note: str | None = None,
) -> AuditEvent:
    """Append one entry: `actor` (a User, or None for the system) did `action` (e.g.
    "product.update", "stock.adjust", "producer.approve") to `entity` #`entity_id`. When both
    `before` and `after` are given, only the keys whose value changed are kept."""
    if role not in ROLES:
        raise ValueError(f"unknown audit role {role!r}")
    before, after = _plain(before), _plain(after)
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    event = AuditEvent(
        actor_user_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None),
        actor_role=role,
        producer_id=producer_id,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
        note=note,
        created_at=clock.now(),  # when it was done, not when the session happens to flush
    )
    db.session.add(event)
    return event


def events(
    *,
    producer_id: int | None = None,
    entity: str | None = None,
    action: str | None = None,
    actor_email: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    """The newest entries first, filtered; page on with `before_id` (the last id shown)."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if producer_id is not None:
        query = query.where(AuditEvent.producer_id == producer_id)
    if entity:
        query = query.where(AuditEvent.entity == entity)
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if actor_email:
        query = query.where(AuditEvent.actor_email == actor_email.strip().lower())
    if since is not None:
        query = query.where(AuditEvent.created_at >= since)
    if until is not None:
        query = query.where(AuditEvent.created_at < until)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return list(db.session.scalars(query))
