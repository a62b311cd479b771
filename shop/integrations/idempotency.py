"""Requests that must take effect once. A program sends an `Idempotency-Key` with a request that
creates something (a partner's order through the API); a retry after a lost answer, or the same
request sent twice at once, then gets the first answer again instead of a second order.

The answer is stored with what it created, in the same transaction (`IdempotencyRecord`, unique
per API key and Idempotency-Key), and what is created carries a token made from the two (an
order's checkout token), so the database's unique keys let one through whatever happens. The
same key with another body (compared as canonical JSON) is refused; a refusal of the request
itself is never stored, so the program may fix it and send it again with the same key."""

from __future__ import annotations

import hashlib
import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop.errors import ConflictError
from shop.extensions import db
from shop.integrations.models import IdempotencyRecord

KEY_MAX = 255


class KeyReused(ConflictError):
    code = "idempotency_key_reused"
    default_message = _l(
        "This Idempotency-Key was already used with another request body. Use a new key for a new order."
    )


def digest(body) -> str:
    """The request body as canonical JSON (keys sorted, no spaces), hashed."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def token(api_key_id: int, idempotency_key: str) -> str:
    """A token for what the request creates: the same for every request with this API key and
    Idempotency-Key (an order's checkout token, unique in the database)."""
    return "api-" + hashlib.sha256(f"{api_key_id}\n{idempotency_key}".encode()).hexdigest()[:60]


def stored(api_key_id: int, idempotency_key: str) -> IdempotencyRecord | None:
    return db.session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.key == idempotency_key
        )
    )


def replay(record: IdempotencyRecord, body_digest: str) -> tuple[int, dict]:
    """The stored (status, answer) for a request with the same body. Raises KeyReused for
    another body."""
    if record.request_hash != body_digest:
        raise KeyReused()
    return record.status_code, record.response


def remember(
    api_key_id: int, idempotency_key: str, body_digest: str, *, status: int, answer: dict, order_id: int | None
) -> None:
    """Store the answer to a request that took effect, in its transaction (flushes only)."""
    db.session.add(
        IdempotencyRecord(
            api_key_id=api_key_id,
            key=idempotency_key,
            request_hash=body_digest,
            order_id=order_id,
            status_code=status,
            response=answer,
        )
    )
    db.session.flush()
