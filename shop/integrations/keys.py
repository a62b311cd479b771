"""API keys: an owner makes one for a program (named, for one role), sees it once, and can revoke
it. A request presents it as `Authorization: Bearer <key>`; only the key's SHA-256 is stored, so a
leaked database gives no working key."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop import audit, clock
from shop.errors import NotFound, ValidationError
from shop.extensions import cache, db
from shop.integrations.models import PARTNER_ROLES, PRODUCER_ROLES, ApiKey

# Keys look like "ocop_k7Qd2m9x_<43 url-safe characters>": the readable part tells people (and
# secret scanners) what it is, and the first 14 characters are shown on the keys page.
KEY_PREFIX = "ocop_"
SHOWN_CHARACTERS = 14
NAME_MAX = 80
ROLE_LABELS = {
    "producer": _l("Stock, shipments and own products"),
    "ordering": _l("Ordering (prices, orders, standing orders)"),
    "accounting": _l("Accounting, read only (orders, invoices, statements)"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _owner_filter(*, producer_id: int | None, partner_id: int | None):
    if (producer_id is None) == (partner_id is None):
        raise ValueError("a key belongs to one producer or one partner")
    return ApiKey.producer_id == producer_id if producer_id is not None else ApiKey.partner_id == partner_id


def create_key(
    *, name: str | None, role: str, by, producer_id: int | None = None, partner_id: int | None = None
) -> tuple[ApiKey, str]:
    """Make a key for the organisation. Returns (key, the secret to show once). Raises
    ValidationError (no name, name too long, a role the organisation cannot have)."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_l("Give the key a name, e.g. the program that will use it."), field="name")
    if len(name) > NAME_MAX:
        raise ValidationError(_l("Keep the name under %(n)s characters.", n=NAME_MAX), field="name")
    roles = PRODUCER_ROLES if producer_id is not None else PARTNER_ROLES
    if role not in roles:
        raise ValidationError(_l("Choose what the key may do."), field="role")
    _owner_filter(producer_id=producer_id, partner_id=partner_id)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        role=role,
        prefix=secret[:SHOWN_CHARACTERS],
        token_hash=token_hash(secret),
        producer_id=producer_id,
        partner_id=partner_id,
        created_by_user_id=getattr(by, "id", None),
    )
    db.session.add(key)
    db.session.flush()
    _audit("api_key.create", key, by)
    return key, secret


def keys_of(*, producer_id: int | None = None, partner_id: int | None = None) -> list[ApiKey]:
    """The organisation's keys, live ones first, newest first."""
    query = select(ApiKey).where(_owner_filter(producer_id=producer_id, partner_id=partner_id))
    return list(db.session.scalars(query.order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())))


def key_of(key_id: int, *, producer_id: int | None = None, partner_id: int | None = None) -> ApiKey:
    """The organisation's key `key_id`. Raises NotFound for any other id."""
    key = db.session.get(ApiKey, key_id)
    if key is None or (key.producer_id, key.partner_id) != (producer_id, partner_id):
        raise NotFound()
    return key


def revoke_key(key_id: int, *, by, producer_id: int | None = None, partner_id: int | None = None) -> ApiKey:
    """Revoke the organisation's key: requests with it are refused from now on. Revoking twice
    changes nothing. Raises NotFound."""
    key = key_of(key_id, producer_id=producer_id, partner_id=partner_id)
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.revoked_by_user_id = getattr(by, "id", None)
        _audit("api_key.revoke", key, by)
        db.session.flush()
    return key


def _audit(action: str, key: ApiKey, by) -> None:
    audit.record(
        action,
        "api_key",
        key.id,
        actor=by,
        role="producer" if key.producer_id is not None else "partner",
        producer_id=key.producer_id,
        after={"name": key.name, "role": key.role, "partner_id": key.partner_id},
    )


def describe(key: ApiKey, note: str | None = None) -> str:
    """How the ledger and the audit log name a program acting through `key` (data, not words of
    a page), with the note the call sent."""
    label = f"API key #{key.id} “{key.name}”"
    return f"{label} — {note}" if note else label


# As in the portals: a suspended producer still fulfils what was ordered and keeps its stock right;
# a partner orders and reads its accounts only while approved.
_MAY_USE_THE_API = {"producer": frozenset({"active", "suspended"}), "partner": frozenset({"active"})}


def authenticate(token: str | None) -> ApiKey | None:
    """The live key `token` is, or None (unknown, revoked, or its organisation may no longer use
    the API: a producer or partner that is not active)."""
    if not token or not token.startswith(KEY_PREFIX) or len(token) > 200:
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.token_hash == token_hash(token)))
    if key is None or key.revoked_at is not None:
        return None
    organisation = organisation_of(key)
    if organisation is None or organisation.status not in _MAY_USE_THE_API[key.organisation_kind]:
        return None
    return key


def organisation_of(key: ApiKey):
    from shop.partners.models import Partner
    from shop.producers.models import Producer

    if key.producer_id is not None:
        return db.session.get(Producer, key.producer_id)
    return db.session.get(Partner, key.partner_id)


def _seen_key(key_id: int) -> str:
    return f"api-key-seen:{key_id}"


def record_use(key: ApiKey, *, writes: bool) -> None:
    """Remember that `key` was used now. A request that writes anyway stores it on the key; a
    read (which never writes to the database) leaves it in the shared cache."""
    now = clock.now()
    if writes:
        key.last_used_at = now
    else:
        cache.set(_seen_key(key.id), now.isoformat(), timeout=current_app.config.get("API_KEY_SEEN_SECONDS", 0))


def last_used(key: ApiKey) -> datetime | None:
    """When the key was last used, by a write (database) or a read (cache), whichever is later."""
    seen = cache.get(_seen_key(key.id))
    moments = [clock.aware(key.last_used_at)] if key.last_used_at else []
    if seen:
        moments.append(datetime.fromisoformat(seen))
    return max(moments) if moments else None
