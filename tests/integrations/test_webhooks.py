"""Webhook endpoints and sending: what an owner may register (HTTPS on a public host only, the
events of its kind, ten at most), the signed delivery a receiver gets, retries with backoff until
a day has passed, replays, claims that keep two senders from sending one delivery twice, and
that one organisation's receiver never hears of another's events."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from shop import clock as shop_clock
from shop.api.spec import VERIFY_SNIPPET
from shop.audit.models import AuditEvent
from shop.errors import NotFound, ValidationError
from shop.extensions import db
from shop.integrations import webhooks
from shop.integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from shop.integrations.sending import RETRY_DELAYS
from tests.integrations.conftest import deliveries, endpoint_for, send
from tests.support.builders import a_producer
from tests.support.partners import make_partner, owner_of


def documented_verify():
    """The verification function exactly as the API description shows it to receivers."""
    namespace: dict = {}
    exec(VERIFY_SNIPPET, namespace)
    return namespace["verify"]


def stock_event(producer, **data):
    event = webhooks.record_event("stock.low", producer_id=producer.id, data={"sku": "XOI-1", **data})
    db.session.commit()
    return event


# Registering endpoints ---------------------------------------------------------------------------


def test_an_owner_registers_an_endpoint_and_sees_its_secret_once(app, receiver):
    partner = make_partner()
    owner = owner_of(partner)
    endpoint, secret = webhooks.register_endpoint(
        url=receiver.url + "/ocop",
        events=["invoice.overdue", "order.created"],
        description="  Phần mềm   kế toán ",
        by=owner,
        partner_id=partner.id,
    )
    db.session.commit()

    assert secret.startswith("whsec_") and len(secret) > 40
    stored = db.session.get(WebhookEndpoint, endpoint.id)
    assert stored.active and stored.description == "Phần mềm kế toán"
    assert stored.events == ["order.created", "invoice.overdue"]  # in the list's order, once each
    assert webhooks.endpoints_of(partner_id=partner.id) == [stored]
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "webhook_endpoint.create"))
    assert (entry.actor_user_id, entry.actor_role, entry.entity_id) == (owner.id, "partner", str(endpoint.id))
    assert secret not in json.dumps(entry.after)


def test_each_kind_of_organisation_chooses_among_its_own_events(app, receiver):
    producer, partner = a_producer(), make_partner()
    assert "stock.low" in webhooks.events_for("producer") and "invoice.issued" not in webhooks.events_for("producer")
    assert "invoice.overdue" in webhooks.events_for("partner") and "stock.low" not in webhooks.events_for("partner")
    for owner, events in (
        ({"producer_id": producer.id}, ["invoice.issued"]),
        ({"partner_id": partner.id}, ["stock.low"]),
        ({"partner_id": partner.id}, []),
        ({"partner_id": partner.id}, ["order.shipped"]),
    ):
        with pytest.raises(ValidationError) as refused:
            webhooks.register_endpoint(url=receiver.url, events=events, description=None, by=None, **owner)
        assert refused.value.field == "events"
    assert set(webhooks.EVENT_LABELS) == set(webhooks.events_for("producer")) | set(webhooks.events_for("partner"))


def test_an_organisation_has_at_most_ten_endpoints(app, receiver):
    producer = a_producer()
    for n in range(webhooks.MAX_ENDPOINTS):
        endpoint_for(producer, receiver, path=f"/{n}")
    with pytest.raises(ValidationError) as refused:
        endpoint_for(producer, receiver, path="/one-more")
    assert refused.value.field == "url"
    endpoint_for(a_producer(), receiver)  # another producer counts its own


@pytest.fixture
def production(app):
    """The app as production sees addresses: the insecure hosts list no longer counts."""
    app.config["SHOP_ENV"] = "production"
    yield app
    app.config["SHOP_ENV"] = "testing"


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/ocop",  # not HTTPS
        "https://127.0.0.1/hooks",  # the shop's own machine
        "https://localhost/hooks",
        "https://10.1.2.3/hooks",  # a private network
        "https://192.168.1.10:8443/hooks",
        "https://169.254.169.254/latest/meta-data",  # the cloud's metadata service (link-local)
        "https://100.64.0.1/hooks",  # carrier-grade NAT
        "https://0.0.0.0/hooks",
        "https://[::1]/hooks",
        "https://[::ffff:10.0.0.1]/hooks",  # a private IPv4 address dressed as IPv6
        "https://[fd00::1]/hooks",
        "https://240.0.0.1/hooks",  # reserved
        "https://user:secret@93.184.216.34/hooks",  # credentials in the address
        "ftp://93.184.216.34/hooks",
        "not a url",
        "",
    ],
)
def test_production_sends_only_to_https_on_public_addresses(production, url):
    producer = a_producer()
    with pytest.raises(ValidationError) as refused:
        webhooks.register_endpoint(url=url, events=["stock.low"], description=None, by=None, producer_id=producer.id)
    assert refused.value.field == "url"
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_in_production_the_insecure_hosts_list_is_ignored_and_a_public_address_is_taken(production):
    producer = a_producer()
    assert production.config["WEBHOOK_INSECURE_HOSTS"] == ["127.0.0.1"]
    with pytest.raises(ValidationError):
        webhooks.register_endpoint(
            url="http://127.0.0.1:9/hooks", events=["stock.low"], description=None, by=None, producer_id=producer.id
        )
    endpoint, _ = webhooks.register_endpoint(
        url="https://93.184.216.34/ocop/hooks#ignored",
        events=["stock.low"],
        description=None,
        by=None,
        producer_id=producer.id,
    )
    assert endpoint.url == "https://93.184.216.34/ocop/hooks"


def test_a_name_that_resolves_to_a_private_address_is_refused(production, monkeypatch):
    import socket

    def resolves_privately(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolves_privately)
    producer = a_producer()
    with pytest.raises(ValidationError):
        webhooks.register_endpoint(
            url="https://erp.example.vn/hooks", events=["stock.low"], description=None, by=None, producer_id=producer.id
        )


def test_a_host_that_does_not_resolve_is_refused_with_its_name(production, monkeypatch):
    import socket

    def unknown(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    producer = a_producer()
    with pytest.raises(ValidationError) as refused:
        webhooks.register_endpoint(
            url="https://erp.example.invalid/hooks",
            events=["stock.low"],
            description=None,
            by=None,
            producer_id=producer.id,
        )
    assert refused.value.field == "url" and "erp.example.invalid" in str(refused.value)


def test_a_delivery_is_refused_at_send_time_when_the_address_is_no_longer_public(app, production, receiver):
    producer = a_producer()
    endpoint = WebhookEndpoint(
        producer_id=producer.id, url=receiver.url + "/hooks", events=["stock.low"], secret="whsec_x", active=True
    )
    db.session.add(endpoint)
    db.session.commit()
    stock_event(producer)

    assert send() == (0, 1)
    attempt = db.session.scalar(select(WebhookAttempt))
    assert attempt.status_code is None and attempt.error.startswith("refused")
    assert receiver.requests == []


# What a receiver gets ----------------------------------------------------------------------------


def test_a_delivery_is_signed_json_that_the_documented_snippet_verifies(app, receiver):
    producer = a_producer()
    _, secret = endpoint_for(producer, receiver, path="/ocop/hooks?source=shop")
    event = stock_event(producer, available=2)

    assert send() == (1, 0)
    [request] = receiver.requests
    assert request.path == "/ocop/hooks?source=shop"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "OCOP-Webhooks/1"
    assert request.headers["Ocop-Event-Id"] == event.event_id
    assert request.headers["Ocop-Event-Type"] == "stock.low"
    assert abs(int(request.headers["Ocop-Timestamp"]) - shop_clock.now().timestamp()) < 5
    assert request.json == {
        "id": event.event_id,
        "type": "stock.low",
        "created_at": "2026-11-30T02:00:00Z",
        "data": {"sku": "XOI-1", "available": 2},
    }
    verify = documented_verify()
    assert verify(secret, request.headers, request.body)
    assert not verify("whsec_another", request.headers, request.body)
    assert not verify(secret, request.headers, request.body.replace(b"2", b"3"))
    old = {**request.headers, "Ocop-Timestamp": str(int(request.headers["Ocop-Timestamp"]) - 600)}
    assert not verify(secret, old, request.body)  # a replayed old request

    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None and delivery.claimed_until is None
    [attempt] = webhooks.attempts_of(delivery)
    assert (attempt.status_code, attempt.error, attempt.replay) == (200, None, False)
    assert attempt.response_excerpt == '{"ok": true}'
    assert send() == (0, 0)  # delivered once


def test_a_rolled_secret_signs_from_then_on(app, receiver):
    producer = a_producer()
    endpoint, old = endpoint_for(producer, receiver)
    new = webhooks.roll_secret(endpoint.id, by=None, producer_id=producer.id)
    db.session.commit()
    stock_event(producer)
    send()
    verify = documented_verify()
    [request] = receiver.requests
    assert new != old and verify(new, request.headers, request.body) and not verify(old, request.headers, request.body)


def test_a_redirect_is_not_followed_and_counts_as_a_failure(app, receiver):
    producer = a_producer()
    endpoint_for(producer, receiver)
    receiver.answers = [302]
    stock_event(producer)

    assert send() == (0, 1)
    assert [r.path for r in receiver.requests] == ["/hooks"]
    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)


def test_a_receiver_too_slow_to_answer_is_a_failed_try(app, receiver):
    producer = a_producer()
    endpoint_for(producer, receiver)
    receiver.answers = [("slow", 2.5)]  # the app waits 1 second
    stock_event(producer)

    assert send() == (0, 1)
    attempt = db.session.scalar(select(WebhookAttempt))
    assert attempt.status_code is None and "timed out" in attempt.error
    assert 900 <= attempt.duration_ms < 2400


def test_only_the_start_of_a_long_answer_is_read_and_kept(app, receiver):
    producer = a_producer()
    endpoint_for(producer, receiver)
    receiver.answers = [("long", 1_000_000)]  # 3 MB
    stock_event(producer)

    assert send() == (1, 0)
    attempt = db.session.scalar(select(WebhookAttempt))
    assert attempt.response_excerpt == "ồ" * 500


# Retries -----------------------------------------------------------------------------------------


def test_failed_tries_are_retried_with_backoff_and_given_up_a_day_after_the_event(app, receiver, clock):
    producer = a_producer()
    endpoint_for(producer, receiver)
    receiver.default = 500
    stock_event(producer)
    created = shop_clock.now()

    waits = []
    for _ in range(20):
        assert send() == (0, 1)
        delivery = db.session.scalar(select(WebhookDelivery))
        if delivery.status == "failed":
            break
        assert send() == (0, 0)  # not due yet
        due = shop_clock.aware(delivery.next_attempt_at)
        waits.append(due - shop_clock.now())
        clock.move_to(due + timedelta(seconds=1))

    rounded = [timedelta(minutes=round(w.total_seconds() / 60)) for w in waits]
    assert rounded[:6] == list(RETRY_DELAYS)
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    tries = webhooks.attempts_of(delivery)
    assert len(tries) == delivery.attempts == len(receiver.requests) == 8
    assert all(t.status_code == 500 and t.response_excerpt == "receiver says no" for t in tries)
    # The last try is at the deadline, 24 hours after the event; nothing is tried after it.
    last = shop_clock.aware(tries[-1].created_at)
    assert timedelta(hours=24) <= last - created < timedelta(hours=24, minutes=1)
    assert delivery.last_error == "HTTP 500: not a 2xx answer"
    # The same event id in every try.
    assert {r.headers["Ocop-Event-Id"] for r in receiver.requests} == {delivery.event.event_id}
    clock.shift(timedelta(days=3))
    assert send() == (0, 0)


def test_a_receiver_that_recovers_gets_the_delivery_on_the_next_try(app, receiver, clock):
    producer = a_producer()
    endpoint_for(producer, receiver)
    receiver.answers = [503]
    stock_event(producer)
    assert send() == (0, 1)
    clock.shift(timedelta(minutes=1, seconds=1))
    assert send() == (1, 0)
    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 2, None)


def test_a_refused_connection_is_a_failed_try(app):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    producer = a_producer()
    endpoint = WebhookEndpoint(
        producer_id=producer.id, url=f"http://127.0.0.1:{port}/", events=["stock.low"], secret="whsec_x", active=True
    )
    db.session.add(endpoint)
    db.session.commit()
    stock_event(producer)
    assert send() == (0, 1)
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.status == "pending" and "Connection" in delivery.last_error


# Replays -----------------------------------------------------------------------------------------


def test_an_owner_replays_a_delivery_and_the_next_send_sends_it_again(app, receiver, clock):
    partner = make_partner()
    owner = owner_of(partner)
    endpoint, _ = endpoint_for(partner, receiver)
    webhooks.record_event("invoice.overdue", partner_id=partner.id, data={"number": "HD2026-000001"})
    db.session.commit()
    assert send() == (1, 0)
    delivery = deliveries()[0]

    replayed = webhooks.replay_delivery(delivery.id, by=owner, partner_id=partner.id)
    db.session.commit()
    assert (replayed.status, replayed.last_status_code) == ("pending", None)
    assert send() == (1, 0)

    assert [r.headers["Ocop-Event-Id"] for r in receiver.requests] == [delivery.event.event_id] * 2
    assert [a.replay for a in webhooks.attempts_of(delivery)] == [False, True]
    assert db.session.get(WebhookDelivery, delivery.id).status == "delivered"
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "webhook_delivery.replay"))
    assert (entry.actor_user_id, entry.actor_role) == (owner.id, "partner")


def test_a_failed_delivery_replayed_gets_one_more_try(app, receiver, clock):
    producer = a_producer()
    endpoint_for(producer, receiver)
    receiver.default = 500
    stock_event(producer)
    send()
    delivery = deliveries()[0]
    delivery.status, delivery.next_attempt_at = "failed", None  # as a day of retries leaves it
    db.session.commit()
    clock.shift(timedelta(days=2))

    webhooks.replay_delivery(delivery.id, by=None, producer_id=producer.id)
    db.session.commit()
    assert send() == (0, 1)
    assert db.session.get(WebhookDelivery, delivery.id).status == "failed"  # past its day: no retries
    receiver.default = 200
    webhooks.replay_delivery(delivery.id, by=None, producer_id=producer.id)
    db.session.commit()
    assert send() == (1, 0)
    assert [a.replay for a in webhooks.attempts_of(delivery)] == [False, True, True]


# Who sees what -----------------------------------------------------------------------------------


def test_an_organisation_reads_and_replays_only_its_own_endpoints_and_deliveries(app, receiver):
    producer, other = a_producer(), a_producer()
    endpoint, _ = endpoint_for(producer, receiver)
    stock_event(producer)
    delivery = deliveries()[0]
    partner = make_partner()
    for owner in ({"producer_id": other.id}, {"partner_id": partner.id}):
        with pytest.raises(NotFound):
            webhooks.endpoint_of(endpoint.id, **owner)
        with pytest.raises(NotFound):
            webhooks.deliveries_of(endpoint.id, **owner)
        with pytest.raises(NotFound):
            webhooks.delivery_of(delivery.id, **owner)
        with pytest.raises(NotFound):
            webhooks.replay_delivery(delivery.id, by=None, **owner)
        with pytest.raises(NotFound):
            webhooks.roll_secret(endpoint.id, by=None, **owner)
        with pytest.raises(NotFound):
            webhooks.delete_endpoint(endpoint.id, by=None, **owner)
    assert webhooks.deliveries_of(endpoint.id, producer_id=producer.id) == [delivery]
    assert webhooks.delivery_of(delivery.id, producer_id=producer.id) == delivery


def test_a_receiver_never_hears_of_another_organisations_events(app, receiver):
    mine, theirs = a_producer(), a_producer()
    endpoint_for(mine, receiver, path="/mine")
    endpoint_for(theirs, receiver, ["order.created"], path="/theirs")  # not told about stock
    stock_event(theirs, sku="THEIRS")
    stock_event(mine, sku="MINE")
    send()
    assert [r.json["data"]["sku"] for r in receiver.for_path("/mine")] == ["MINE"]
    assert receiver.for_path("/theirs") == []


def test_a_paused_endpoint_gets_nothing_until_resumed_and_a_deleted_one_nothing_more(app, receiver):
    producer = a_producer()
    endpoint, _ = endpoint_for(producer, receiver)
    stock_event(producer, sku="BEFORE")
    webhooks.set_endpoint_active(endpoint.id, False, by=None, producer_id=producer.id)
    db.session.commit()
    stock_event(producer, sku="WHILE-PAUSED")  # not recorded for a paused endpoint
    assert send() == (0, 0)
    webhooks.set_endpoint_active(endpoint.id, True, by=None, producer_id=producer.id)
    db.session.commit()
    assert send() == (1, 0)
    assert [r.json["data"]["sku"] for r in receiver.requests] == ["BEFORE"]

    stock_event(producer, sku="BEFORE-DELETE")
    webhooks.delete_endpoint(endpoint.id, by=None, producer_id=producer.id)
    db.session.commit()
    assert send() == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"webhook_endpoint.pause", "webhook_endpoint.resume", "webhook_endpoint.delete"} <= actions


def test_an_event_nobody_listens_to_writes_nothing(app):
    producer = a_producer()
    assert webhooks.record_event("stock.low", producer_id=producer.id, data={"sku": "X"}) is None
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_a_one_time_event_is_recorded_once(app, receiver):
    partner = make_partner()
    endpoint_for(partner, receiver)
    event_id = webhooks.one_time_event_id("invoice.overdue", 1, "partner", partner.id)
    first = webhooks.record_event("invoice.overdue", partner_id=partner.id, data={}, event_id=event_id)
    again = webhooks.record_event("invoice.overdue", partner_id=partner.id, data={}, event_id=event_id)
    assert first is not None and first.event_id == event_id and again is None
    assert len(deliveries()) == 1


# Two senders -------------------------------------------------------------------------------------


@pytest.mark.both_databases
def test_two_senders_at_once_send_each_delivery_once(app, receiver, backend):
    producers = [a_producer() for _ in range(3)]
    for producer in producers:
        endpoint_for(producer, receiver, path=f"/{producer.id}")
    for n in range(4):
        for producer in producers:
            webhooks.record_event("stock.low", producer_id=producer.id, data={"n": n})
    db.session.commit()
    receiver.default = ("slow", 0.05)  # the senders overlap
    results = []
    start = threading.Barrier(2)

    def sender():
        with app.app_context():
            start.wait()
            results.append(webhooks.send_due())
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(delivered for delivered, _ in results) == 12
    ids = [r.headers["Ocop-Event-Id"] for r in receiver.requests]
    assert len(ids) == len(set(ids)) == 12
    assert {d.status for d in deliveries()} == {"delivered"}
    assert db.session.scalar(select(func.count()).select_from(WebhookAttempt)) == 12
    assert current_app.config["WEBHOOK_TIMEOUT_SECONDS"] == 1
