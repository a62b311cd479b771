"""Sending webhook deliveries, after the commit that recorded them: `send_due` (run by `flask
shop send-webhooks`, once or as a worker loop).

- A sender claims one due delivery at a time by a guarded UPDATE (`claimed_until`), and commits
  the claim before it sends: two senders never send the same delivery at once, and no
  transaction is open (no lock held) while it waits for a receiver.
- The request: `POST` of the event as JSON, signed (`Ocop-Signature: v1=<hex HMAC-SHA256 of
  "<timestamp>.<body>">` with the endpoint's secret), no redirect followed, at most
  WEBHOOK_TIMEOUT_SECONDS per step, at most EXCERPT_BYTES of the answer read. In production the
  host is resolved again at each try and the connection made to that checked address (a name
  that later resolves to a private address is refused, not followed).
- 2xx: delivered. Anything else is retried with backoff (RETRY_DELAYS) until
  WEBHOOK_RETRY_HOURS after the event, with a last try at that moment; then failed.
- The result is written by an UPDATE guarded by the number of tries the sender read, so a
  sender that overran its claim cannot record a second result for the same try.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import or_, select, update

from shop import clock
from shop.extensions import db
from shop.integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

USER_AGENT = "OCOP-Webhooks/1"
# After the first try: 1 minute, 5 minutes, 30 minutes, 2 hours, 5 hours, then every 10 hours,
# until WEBHOOK_RETRY_HOURS after the event (a last try then).
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
)
EXCERPT_BYTES = 4096
EXCERPT_CHARS = 500
ERROR_CHARS = 500
# A claim lasts the request's timeout and this margin; a sender that dies mid-send leaves the
# delivery to another sender after that.
CLAIM_MARGIN = timedelta(seconds=60)


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" with `secret` (what `Ocop-Signature: v1=` carries)."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def body_of(event: WebhookEvent) -> bytes:
    """What is POSTed: the event as JSON, in UTF-8."""
    from shop.integrations.payloads import instant

    document = {"id": event.event_id, "type": event.type, "created_at": instant(event.created_at), "data": event.data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def headers_for(event: WebhookEvent, secret: str, body: bytes, *, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Ocop-Event-Id": event.event_id,
        "Ocop-Event-Type": event.type,
        "Ocop-Timestamp": str(timestamp),
        "Ocop-Signature": f"v1={signature(secret, timestamp, body)}",
    }


def next_try(*, attempts: int, now: datetime, event_at: datetime, retry_hours: int) -> datetime | None:
    """When to try again after `attempts` tries that failed, or None: give up (the deadline,
    `retry_hours` after the event, has passed, its last try included)."""
    deadline = clock.aware(event_at) + timedelta(hours=retry_hours)
    if now >= deadline:
        return None
    delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1] if attempts > 0 else timedelta(0)
    return min(now + delay, deadline)


# The request ------------------------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to `address` (already checked) for the URL's host."""

    def __init__(self, host, port, *, address: str, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to `address` (already checked), its certificate verified for the
    URL's host name."""

    def __init__(self, host, port, *, address: str, context: ssl.SSLContext, **kwargs):
        super().__init__(host, port, context=context, **kwargs)
        self._address = address
        self._verify_context = context

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._verify_context.wrap_socket(sock, server_hostname=self.host)


@dataclass
class Answer:
    status_code: int | None
    error: str | None
    excerpt: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _excerpt(raw: bytes) -> str | None:
    text = raw.decode("utf-8", errors="replace").replace("\x00", "")  # PostgreSQL stores no NUL
    return text[:EXCERPT_CHARS] or None


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Answer:
    """POST `body` to `url` once. Never raises for the network's or the receiver's reasons: the
    answer says what happened."""
    from shop.integrations.webhooks import UnsafeAddress, insecure_host_allowed, public_addresses

    started = time.monotonic()

    def answer(status_code=None, error=None, excerpt=None) -> Answer:
        elapsed = int((time.monotonic() - started) * 1000)
        return Answer(status_code, error[:ERROR_CHARS] if error else None, excerpt, elapsed)

    parts = urlsplit(url)
    host, https = parts.hostname or "", parts.scheme == "https"
    try:
        port = parts.port or (443 if https else 80)
    except ValueError:
        return answer(error="invalid address")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if insecure_host_allowed(host):
        address = host
    elif not https:
        return answer(error="refused: only HTTPS addresses are sent to")
    else:
        try:
            address = public_addresses(host, port)[0]
        except UnsafeAddress as exc:
            return answer(error=f"refused: {exc}")
    if https:
        connection = _PinnedHTTPSConnection(
            host, port, address=address, context=ssl.create_default_context(), timeout=timeout
        )
    else:
        connection = _PinnedHTTPConnection(host, port, address=address, timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read(EXCERPT_BYTES)  # what follows is not read
        return answer(status_code=response.status, excerpt=_excerpt(raw))
    except TimeoutError:
        return answer(error=f"timed out after {timeout:g} s")
    except ssl.SSLError as exc:
        return answer(error=f"TLS error: {exc}")
    except (OSError, http.client.HTTPException) as exc:
        return answer(error=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    finally:
        connection.close()


# Sending what is due ----------------------------------------------------------------------------


def _due(now: datetime):
    return (
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
            WebhookEndpoint.active.is_(True),
        )
    )


def _claim(delivery_id: int, now: datetime, until: datetime) -> bool:
    claimed = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
        )
        .values(claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


@dataclass
class _Job:
    delivery_id: int
    attempts: int
    replay: bool
    event_at: datetime
    url: str
    body: bytes
    headers: dict[str, str]


def _prepare(delivery_id: int) -> _Job | None:
    from shop.integrations.webhooks import replay_requested

    delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
    if delivery is None:
        return None
    event, endpoint = delivery.event, delivery.endpoint
    body = body_of(event)
    return _Job(
        delivery_id=delivery.id,
        attempts=delivery.attempts,
        replay=replay_requested(delivery),
        event_at=clock.aware(event.created_at),
        url=endpoint.url,
        body=body,
        headers=headers_for(event, endpoint.secret, body, timestamp=int(clock.now().timestamp())),
    )


def _record(job: _Job, answer: Answer, *, retry_hours: int) -> str | None:
    """Write the try's result. Returns the delivery's new status, or None when another sender
    recorded this try first (this one overran its claim) or the endpoint was deleted."""
    now = clock.now()
    tries = job.attempts + 1
    values: dict = {
        "attempts": tries,
        "claimed_until": None,
        "last_status_code": answer.status_code,
        "last_error": answer.error
        if answer.error
        else (None if answer.ok else f"HTTP {answer.status_code}: not a 2xx answer"),
    }
    if answer.ok:
        values |= {"status": "delivered", "delivered_at": now, "next_attempt_at": None, "last_error": None}
    else:
        due = next_try(attempts=tries, now=now, event_at=job.event_at, retry_hours=retry_hours)
        values |= {"status": "failed", "next_attempt_at": None} if due is None else {"next_attempt_at": due}
    written = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == job.delivery_id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.attempts == job.attempts,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:
        db.session.rollback()
        return None
    db.session.add(
        WebhookAttempt(
            delivery_id=job.delivery_id,
            status_code=answer.status_code,
            error=answer.error,
            duration_ms=answer.duration_ms,
            response_excerpt=answer.excerpt,
            replay=job.replay,
            created_at=now,
        )
    )
    db.session.commit()
    return values.get("status", "pending")


def send_due(
    *, now: datetime | None = None, limit: int = 100, stop: Callable[[], bool] | None = None
) -> tuple[int, int]:
    """Send up to `limit` due deliveries, one at a time: claim it (committed), POST it with no
    transaction open, record the try (committed). Returns (delivered, failed tries). `stop`,
    asked before each delivery, ends the round early (a worker told to stop). Starts by rolling
    back whatever the session had open: call it outside a transaction."""
    config = current_app.config
    timeout = float(config["WEBHOOK_TIMEOUT_SECONDS"])
    retry_hours = int(config["WEBHOOK_RETRY_HOURS"])
    db.session.rollback()
    delivered = failed = 0
    skipped: set[int] = set()
    for _ in range(limit):
        if stop is not None and stop():
            break
        moment = now or clock.now()
        query = _due(moment)
        if skipped:
            query = query.where(WebhookDelivery.id.not_in(skipped))
        delivery_id = db.session.scalar(query.order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(1))
        if delivery_id is None:
            break
        if not _claim(delivery_id, moment, moment + timedelta(seconds=timeout) + CLAIM_MARGIN):
            db.session.rollback()
            skipped.add(delivery_id)  # another sender has it
            continue
        job = _prepare(delivery_id)
        db.session.commit()  # the claim holds from here; no transaction stays open while sending
        if job is None:
            continue
        answer = post(job.url, job.body, job.headers, timeout=timeout)
        status = _record(job, answer, retry_hours=retry_hours)
        if status == "delivered":
            delivered += 1
        elif status is not None:
            failed += 1
        if status is None:
            skipped.add(delivery_id)
    db.session.rollback()  # ends the last read: no transaction stays open between rounds
    return delivered, failed
