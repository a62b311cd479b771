"""The API's demo: one key per kind of caller, with published secrets (README), so that `make run`
can be tried with curl at once. Like every demo account, never made with SHOP_ENV=production
(`shop.demo.seed` refuses before it gets here)."""

from __future__ import annotations

from sqlalchemy import select

from shop.extensions import db
from shop.integrations.keys import SHOWN_CHARACTERS, token_hash
from shop.integrations.models import ApiKey
from shop.partners.models import Partner
from shop.producers.models import Producer

# (secret, name, role, organisation model, its tax code)
DEMO_KEYS = (
    ("ocop_demo_producer_xoi_phu_thuong", "Kho HTX (demo)", "producer", Producer, "0109000015"),
    ("ocop_demo_partner_ordering", "Phần mềm mua hàng (demo)", "ordering", Partner, "0109001019"),
    ("ocop_demo_partner_accounting", "Phần mềm kế toán (demo)", "accounting", Partner, "0109001019"),
)


def seed_api_keys() -> int:
    """Add the demo keys that are missing; returns how many were added. Flushes only."""
    added = 0
    known = set(db.session.scalars(select(ApiKey.token_hash)))
    for secret, name, role, model, tax_code in DEMO_KEYS:
        if token_hash(secret) in known:
            continue
        organisation = db.session.scalar(select(model).where(model.tax_code == tax_code))
        if organisation is None:
            continue
        owner = {"producer_id": organisation.id} if model is Producer else {"partner_id": organisation.id}
        db.session.add(
            ApiKey(name=name, role=role, prefix=secret[:SHOWN_CHARACTERS], token_hash=token_hash(secret), **owner)
        )
        added += 1
    db.session.flush()
    return added


# --- Webhooks: a paused endpoint each, with a delivery log to look at ---------------------------
# The addresses are under .example (never resolved): the endpoints are paused, so nothing is sent.
DEMO_ENDPOINTS = (
    (Producer, "0109000015", "https://kho.xoiphuthuong.example/ocop/webhooks", "Kho HTX (demo)"),
    (Partner, "0109001019", "https://erp.xoihathanh.example/hooks/ocop", "Phần mềm mua hàng (demo)"),
)


def seed_webhooks() -> int:
    """Add the demo endpoints that are missing, each with two past deliveries (one delivered, one
    failed after a day of tries) of events about the demo's own orders. Returns how many endpoints
    were added. Flushes only."""
    import secrets
    from datetime import timedelta

    from shop import clock
    from shop.fulfilment.models import Shipment
    from shop.integrations import payloads
    from shop.integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
    from shop.integrations.webhooks import events_for, one_time_event_id
    from shop.orders.models import Order

    added = 0
    now = clock.now()
    for model, tax_code, url, description in DEMO_ENDPOINTS:
        organisation = db.session.scalar(select(model).where(model.tax_code == tax_code))
        if organisation is None:
            continue
        kind = "producer" if model is Producer else "partner"
        owner = {f"{kind}_id": organisation.id}
        if db.session.scalar(select(WebhookEndpoint.id).filter_by(url=url, **owner)):
            continue
        if kind == "partner":
            orders = db.session.scalars(
                select(Order).where(Order.partner_id == organisation.id).order_by(Order.id.desc()).limit(2)
            ).all()
            events = [("order.created", payloads.order_for_partner(o), o.id) for o in orders]
        else:
            shipments = db.session.scalars(
                select(Shipment).where(Shipment.producer_id == organisation.id).order_by(Shipment.id.desc()).limit(2)
            ).all()
            events = [("order.created", payloads.order_for_producer(s), s.id) for s in shipments]
        if len(events) < 2:
            continue
        endpoint = WebhookEndpoint(
            url=url,
            description=description,
            events=events_for(kind),
            secret="whsec_" + secrets.token_urlsafe(32),
            active=False,
            created_at=now - timedelta(days=4),
            **owner,
        )
        db.session.add(endpoint)
        db.session.flush()
        for n, (event_type, data, object_id) in enumerate(events):
            at = now - timedelta(days=3 - n)
            event = WebhookEvent(
                event_id=one_time_event_id("demo", kind, event_type, object_id),
                type=event_type,
                data=data,
                created_at=at,
                **owner,
            )
            db.session.add(event)
            db.session.flush()
            delivered = n == 0
            tries = (
                [(at + timedelta(seconds=2), 200, None)]
                if delivered
                else [
                    (at + timedelta(seconds=2), 502, None),
                    (at + timedelta(minutes=1, seconds=3), None, "timed out after 10 s"),
                    (at + timedelta(hours=24, seconds=4), 503, None),
                ]
            )
            delivery = WebhookDelivery(
                event_id=event.id,
                endpoint_id=endpoint.id,
                status="delivered" if delivered else "failed",
                attempts=len(tries),
                last_status_code=tries[-1][1],
                last_error=None if delivered else "HTTP 503",
                delivered_at=tries[-1][0] if delivered else None,
                created_at=at,
            )
            db.session.add(delivery)
            db.session.flush()
            for moment, status, error in tries:
                db.session.add(
                    WebhookAttempt(
                        delivery_id=delivery.id,
                        status_code=status,
                        error=error,
                        duration_ms=140 if status else 10_000,
                        response_excerpt="ok" if status == 200 else None,
                        created_at=moment,
                    )
                )
        added += 1
    db.session.flush()
    return added
