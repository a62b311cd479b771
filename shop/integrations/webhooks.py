"""Outgoing webhooks: the endpoints an owner registers, the events recorded for them and the
delivery log. Flushes only; views and commands commit.

- An endpoint is an HTTPS address of a producer or a partner, told about the events it chose
  (`events_for` the organisation's kind), at most MAX_ENDPOINTS per organisation. Its address
  must be on a public host (the name is resolved: no localhost, private, link-local or reserved
  address, so that the shop cannot be made to call its own network); hosts listed in
  WEBHOOK_INSECURE_HOSTS are allowed over plain HTTP and anywhere, outside production only.
- Its secret (`whsec_…`) signs every delivery; it is shown to the owner once, when it is made
  or rolled.
- `record_event` writes an event and one pending delivery per active endpoint subscribed to it,
  in the transaction of the change that caused it (the receivers in `events.py` call it from the
  domain's signals), so a change that rolls back sends nothing and one that commits is never
  lost. Nothing is sent here: `sending.send_due` (`flask shop send-webhooks`) sends after the
  commit, retries with backoff for WEBHOOK_RETRY_HOURS and gives up then.
- An owner can pause, resume, delete an endpoint, roll its secret and replay a delivery; each
  change is written to the audit log.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from shop import audit, clock
from shop.errors import NotFound, ValidationError
from shop.extensions import db
from shop.integrations.models import (
    EVENT_TYPES,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from shop.integrations.sending import send_due  # noqa: F401  (part of this module's interface)

EVENT_LABELS = {
    "order.created": _l("An order was placed"),
    "order.cancelled": _l("An order was cancelled"),
    "shipment.shipped": _l("A shipment left"),
    "shipment.delivered": _l("A shipment was delivered"),
    "invoice.issued": _l("An invoice was issued"),
    "invoice.overdue": _l("An invoice is overdue"),
    "stock.low": _l("Stock fell to its warning level"),
}
assert set(EVENT_LABELS) == set(EVENT_TYPES)

_EVENTS_BY_KIND = {
    "producer": ("order.created", "order.cancelled", "shipment.shipped", "shipment.delivered", "stock.low"),
    "partner": (
        "order.created",
        "order.cancelled",
        "shipment.shipped",
        "shipment.delivered",
        "invoice.issued",
        "invoice.overdue",
    ),
}
MAX_ENDPOINTS = 10
URL_MAX = 500
DESCRIPTION_MAX = 200
SECRET_PREFIX = "whsec_"
EVENT_ID_PREFIX = "evt_"


def events_for(kind: str) -> list[str]:
    """The events an organisation of `kind` ("producer" or "partner") can be told about."""
    return list(_EVENTS_BY_KIND[kind])


def event_label(event_type: str) -> str:
    return str(EVENT_LABELS.get(event_type, event_type))


def _owner(producer_id: int | None, partner_id: int | None) -> tuple[str, int]:
    if (producer_id is None) == (partner_id is None):
        raise ValueError("an endpoint belongs to one producer or one partner")
    return ("producer", producer_id) if producer_id is not None else ("partner", partner_id)


def _owned_by(model, producer_id: int | None, partner_id: int | None):
    kind, owner_id = _owner(producer_id, partner_id)
    return model.producer_id == owner_id if kind == "producer" else model.partner_id == owner_id


# The address ------------------------------------------------------------------------------------


def _production() -> bool:
    return current_app.config["SHOP_ENV"] == "production"


def insecure_host_allowed(host: str | None) -> bool:
    """Whether `host` may be sent to over plain HTTP and on any address: hosts listed in
    WEBHOOK_INSECURE_HOSTS, outside production (tests, a laptop)."""
    if not host or _production():
        return False
    return host.lower() in {h.lower() for h in current_app.config.get("WEBHOOK_INSECURE_HOSTS", ())}


def is_public_address(address: str) -> bool:
    """Whether an IP address is on the public internet (not loopback, private, link-local,
    shared, multicast, reserved or unspecified; an IPv6 address that carries an IPv4 one is
    judged by that)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    return ip.is_global and not ip.is_multicast


class UnsafeAddress(Exception):
    """A webhook's host resolves to an address the shop does not send to (or to none)."""


class UnknownHost(UnsafeAddress):
    """A webhook's host name does not resolve."""


def public_addresses(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, when every one of them is public. Raises UnsafeAddress
    (no address, or one that is not public: a name that resolves to both is refused too)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnknownHost(f"cannot resolve {host}: {exc}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnknownHost(f"{host} has no address")
    for address in addresses:
        if not is_public_address(address):
            raise UnsafeAddress(f"{host} resolves to {address}, which is not a public address")
    return addresses


def check_url(raw: str | None) -> str:
    """The endpoint address, cleaned: HTTPS on a public host (or an insecure host allowed
    outside production), no user name or password, no fragment. Raises ValidationError (field
    "url")."""
    url = (raw or "").strip()
    if not url:
        raise ValidationError(_l("Enter the address to send the events to."), field="url")
    if len(url) > URL_MAX:
        raise ValidationError(_l("Keep the address under %(n)s characters.", n=URL_MAX), field="url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError(_l("This is not a web address."), field="url") from None
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host or any(ch.isspace() for ch in url):
        raise ValidationError(_l("This is not a web address."), field="url")
    if parts.username is not None or parts.password is not None:
        raise ValidationError(_l("Leave the user name and password out of the address."), field="url")
    if insecure_host_allowed(host):
        return parts._replace(fragment="").geturl()
    if parts.scheme != "https":
        raise ValidationError(_l("The address must start with https://."), field="url")
    try:
        public_addresses(host, port or 443)
    except UnknownHost:
        raise ValidationError(_l("We could not find the host %(host)s.", host=host), field="url") from None
    except UnsafeAddress:
        raise ValidationError(
            _l("This address is not on the public internet: the shop sends events only to public HTTPS addresses."),
            field="url",
        ) from None
    return parts._replace(fragment="").geturl()


def _check_events(events, kind: str) -> list[str]:
    allowed = events_for(kind)
    chosen = {str(e) for e in (events or ())}
    if not chosen:
        raise ValidationError(_l("Choose at least one event."), field="events")
    unknown = chosen - set(allowed)
    if unknown:
        raise ValidationError(
            _l("These events are not available here: %(events)s.", events=", ".join(sorted(unknown))),
            field="events",
        )
    return [e for e in allowed if e in chosen]


def _check_description(description: str | None) -> str | None:
    text = " ".join((description or "").split())
    if len(text) > DESCRIPTION_MAX:
        raise ValidationError(
            _l("Keep the description under %(n)s characters.", n=DESCRIPTION_MAX), field="description"
        )
    return text or None


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


# Endpoints --------------------------------------------------------------------------------------


def register_endpoint(
    *, url, events, description, by, producer_id: int | None = None, partner_id: int | None = None
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint for the organisation. Returns (endpoint, its secret, to show once).
    Raises ValidationError (the address, the events, the description, too many endpoints)."""
    kind, _ = _owner(producer_id, partner_id)
    clean_url = check_url(url)
    chosen = _check_events(events, kind)
    text = _check_description(description)
    count = db.session.scalar(
        select(func.count()).select_from(WebhookEndpoint).where(_owned_by(WebhookEndpoint, producer_id, partner_id))
    )
    if count >= MAX_ENDPOINTS:
        raise ValidationError(
            _l("You can have at most %(n)s endpoints: delete one you no longer use first.", n=MAX_ENDPOINTS),
            field="url",
        )
    secret = _new_secret()
    endpoint = WebhookEndpoint(
        url=clean_url,
        description=text,
        events=chosen,
        secret=secret,
        active=True,
        producer_id=producer_id,
        partner_id=partner_id,
        created_by_user_id=getattr(by, "id", None),
    )
    db.session.add(endpoint)
    db.session.flush()
    _audit("webhook_endpoint.create", endpoint, by, after={"url": endpoint.url, "events": chosen})
    return endpoint, secret


def endpoints_of(*, producer_id: int | None = None, partner_id: int | None = None) -> list[WebhookEndpoint]:
    """The organisation's endpoints, oldest first."""
    query = select(WebhookEndpoint).where(_owned_by(WebhookEndpoint, producer_id, partner_id))
    return list(db.session.scalars(query.order_by(WebhookEndpoint.id)))


def endpoint_of(endpoint_id: int, *, producer_id: int | None = None, partner_id: int | None = None) -> WebhookEndpoint:
    """The organisation's endpoint `endpoint_id`. Raises NotFound for any other id."""
    _owner(producer_id, partner_id)
    endpoint = db.session.get(WebhookEndpoint, endpoint_id) if isinstance(endpoint_id, int) else None
    if endpoint is None or (endpoint.producer_id, endpoint.partner_id) != (producer_id, partner_id):
        raise NotFound(_l("We could not find that endpoint."))
    return endpoint


def set_endpoint_active(
    endpoint_id: int, active: bool, *, by, producer_id: int | None = None, partner_id: int | None = None
) -> WebhookEndpoint:
    """Pause (False) or resume (True) an endpoint. A paused endpoint gets no new events, and what
    it still had to receive waits until it is resumed (then within the retry window, or one try).
    Raises NotFound."""
    endpoint = endpoint_of(endpoint_id, producer_id=producer_id, partner_id=partner_id)
    if endpoint.active != bool(active):
        endpoint.active = bool(active)
        db.session.flush()
        _audit("webhook_endpoint.resume" if active else "webhook_endpoint.pause", endpoint, by)
    return endpoint


def delete_endpoint(endpoint_id: int, *, by, producer_id: int | None = None, partner_id: int | None = None) -> None:
    """Delete an endpoint with its delivery log: nothing more is sent to it. Raises NotFound."""
    endpoint = endpoint_of(endpoint_id, producer_id=producer_id, partner_id=partner_id)
    _audit("webhook_endpoint.delete", endpoint, by, after={"url": endpoint.url})
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id).scalar_subquery()
    db.session.execute(
        delete(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(deliveries))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .execution_options(synchronize_session=False)
    )
    db.session.delete(endpoint)
    db.session.flush()


def roll_secret(endpoint_id: int, *, by, producer_id: int | None = None, partner_id: int | None = None) -> str:
    """Give the endpoint a new secret (returned, to show once); deliveries are signed with it
    from now on, and the old one stops verifying. Raises NotFound."""
    endpoint = endpoint_of(endpoint_id, producer_id=producer_id, partner_id=partner_id)
    secret = _new_secret()
    endpoint.secret = secret
    db.session.flush()
    _audit("webhook_endpoint.roll_secret", endpoint, by)
    return secret


def _audit(action: str, endpoint: WebhookEndpoint, by, *, after: dict | None = None) -> None:
    audit.record(
        action,
        "webhook_endpoint",
        endpoint.id,
        actor=by,
        role=endpoint.organisation_kind,
        producer_id=endpoint.producer_id,
        after={"partner_id": endpoint.partner_id, "active": endpoint.active, **(after or {})},
    )


# The delivery log -------------------------------------------------------------------------------


def deliveries_of(
    endpoint_id: int, *, producer_id: int | None = None, partner_id: int | None = None, limit: int = 50
) -> list[WebhookDelivery]:
    """The endpoint's deliveries, newest first, with their events. Raises NotFound."""
    endpoint = endpoint_of(endpoint_id, producer_id=producer_id, partner_id=partner_id)
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(max(1, min(int(limit), 500)))
    )
    return list(db.session.scalars(query))


def delivery_of(delivery_id: int, *, producer_id: int | None = None, partner_id: int | None = None) -> WebhookDelivery:
    """The organisation's delivery `delivery_id` (to one of its endpoints). Raises NotFound for
    any other."""
    _owner(producer_id, partner_id)
    delivery = db.session.get(WebhookDelivery, delivery_id) if isinstance(delivery_id, int) else None
    if delivery is None:
        raise NotFound(_l("We could not find that delivery."))
    endpoint = delivery.endpoint
    if (endpoint.producer_id, endpoint.partner_id) != (producer_id, partner_id):
        raise NotFound(_l("We could not find that delivery."))
    return delivery


def attempts_of(delivery: WebhookDelivery) -> list[WebhookAttempt]:
    """The delivery's tries, oldest first."""
    query = select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id).order_by(WebhookAttempt.id)
    return list(db.session.scalars(query))


def replay_requested(delivery: WebhookDelivery) -> bool:
    """Whether the delivery waits for a try an owner asked for: pending, tried before, and its
    last result cleared by `replay_delivery` (every try records a status code or an error)."""
    return (
        delivery.status == "pending"
        and delivery.attempts > 0
        and delivery.last_status_code is None
        and delivery.last_error is None
    )


def replay_delivery(
    delivery_id: int, *, by, producer_id: int | None = None, partner_id: int | None = None
) -> WebhookDelivery:
    """Queue the delivery again, whatever became of it: pending and due now, so the next send
    sends it (its try is marked as a replay in the log). A receiver gets the same event id
    again. Raises NotFound."""
    delivery = delivery_of(delivery_id, producer_id=producer_id, partner_id=partner_id)
    before = delivery.status
    delivery.status = "pending"
    delivery.next_attempt_at = clock.now()
    delivery.claimed_until = None
    delivery.last_status_code = None
    delivery.last_error = None
    db.session.flush()
    endpoint = delivery.endpoint
    audit.record(
        "webhook_delivery.replay",
        "webhook_delivery",
        delivery.id,
        actor=by,
        role=endpoint.organisation_kind,
        producer_id=endpoint.producer_id,
        before={"status": before},
        after={"status": "pending", "event_id": delivery.event.event_id, "endpoint_id": endpoint.id},
    )
    return delivery


# Recording events -------------------------------------------------------------------------------


def new_event_id() -> str:
    return EVENT_ID_PREFIX + secrets.token_hex(16)


def one_time_event_id(*parts) -> str:
    """A deterministic event id for an event that happens once (an order's cancellation for one
    organisation, an invoice becoming overdue): recording it again records nothing."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()
    return EVENT_ID_PREFIX + digest[:32]


def subscribers(event_type: str, *, producer_id: int | None = None, partner_id: int | None = None) -> list:
    """The organisation's active endpoints that chose `event_type`."""
    query = select(WebhookEndpoint).where(
        _owned_by(WebhookEndpoint, producer_id, partner_id), WebhookEndpoint.active.is_(True)
    )
    return [e for e in db.session.scalars(query.order_by(WebhookEndpoint.id)) if event_type in (e.events or ())]


def record_event(
    type: str,
    *,
    producer_id: int | None = None,
    partner_id: int | None = None,
    data: dict | Callable[[], dict],
    event_id: str | None = None,
) -> WebhookEvent | None:
    """Record that `type` happened for the organisation, with `data` (a dict, or a function that
    makes it, called only when someone listens), and one pending delivery, due now, per active
    endpoint subscribed to it: in the caller's transaction (flushes only). An organisation
    with no such endpoint gets nothing written. With `event_id`, an event already recorded under
    that id is not recorded again (returns None). Returns the event."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event {type!r}")
    endpoints = subscribers(type, producer_id=producer_id, partner_id=partner_id)
    if not endpoints:
        return None
    if event_id is not None and db.session.scalar(select(WebhookEvent.id).where(WebhookEvent.event_id == event_id)):
        return None
    now = clock.now()
    event = WebhookEvent(
        event_id=event_id or new_event_id(),
        type=type,
        data=data() if callable(data) else data,
        producer_id=producer_id,
        partner_id=partner_id,
        created_at=now,
    )
    db.session.add(event)
    db.session.flush()
    db.session.add_all(
        WebhookDelivery(event_id=event.id, endpoint_id=endpoint.id, status="pending", attempts=0, next_attempt_at=now)
        for endpoint in endpoints
    )
    db.session.flush()
    return event


def record_overdue_invoices(*, today=None) -> int:
    """Record `invoice.overdue` once for each invoice past its due date and not paid, for the
    partners with an endpoint that listens (run daily: `flask shop invoices-overdue`). An
    invoice already told about is not told again. Returns how many were recorded."""
    from shop.integrations import events

    return events.record_overdue_invoices(today=today or clock.today())


def init_app(app) -> None:
    """Connect the receivers that record events to the domain's signals (once per process)."""
    from shop.integrations import events

    events.connect()
