"""The producer's webhooks pages (owners only): adding an endpoint (its secret shown once), the
endpoint with its delivery log, pausing, rolling the secret, deleting, one delivery with its
payload and the Replay button; staff are refused and another producer's ids are 404s."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.integrations import webhooks
from shop.integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.conftest import submit
from tests.portal.conftest import a_member

SECRET = re.compile(r"whsec_[A-Za-z0-9_-]{20,}")
EN = {"Accept-Language": "en"}
HOOK = "https://hooks.htx.test/ocop"


@pytest.fixture(autouse=True)
def _in_english(client):
    """The pages are read in English (the tests quote their English text)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def app_config(app_config):
    # The receiver's host is taken as it is (outside production), without looking its name up.
    return {**app_config, "WEBHOOK_INSECURE_HOSTS": ["hooks.htx.test"]}


def an_endpoint(producer, owner, events=("order.created", "stock.low"), url=HOOK):
    endpoint, secret = webhooks.register_endpoint(
        url=url, events=list(events), description="Kho MISA", by=owner, producer_id=producer.id
    )
    db.session.commit()
    return endpoint, secret


def a_delivery(producer, *, status="failed", attempts=3):
    """An `order.created` event for the producer and its delivery to each endpoint that listens,
    tried and failed (one logged try)."""
    event = webhooks.record_event(
        "order.created", producer_id=producer.id, data={"order": {"number": "OCOP-2611-0001", "note": "<b>xôi</b>"}}
    )
    deliveries = db.session.scalars(select(WebhookDelivery).filter_by(event_id=event.id)).all()
    for delivery in deliveries:
        delivery.status, delivery.attempts, delivery.last_status_code = status, attempts, 500
        db.session.add(WebhookAttempt(delivery_id=delivery.id, status_code=500, duration_ms=42, error="HTTP 500"))
    db.session.commit()
    return deliveries[0]


def test_the_owner_adds_an_endpoint_and_sees_its_secret_once(client, as_member, producer, owner):
    as_member(owner)
    response = submit(
        client,
        "/producer/webhooks",
        {"url": HOOK, "description": "Kho MISA", "events": ["order.created", "stock.low"]},
        page="/producer/webhooks",
    )
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(response.get_data(as_text=True)).group(0)
    endpoint = db.session.scalars(select(WebhookEndpoint).filter_by(producer_id=producer.id)).one()
    assert endpoint.secret == secret and endpoint.events == ["order.created", "stock.low"]
    assert "will not be shown again" in response.get_data(as_text=True)

    for page in ("/producer/webhooks", f"/producer/webhooks/{endpoint.id}"):
        html = client.get(page).get_data(as_text=True)
        assert HOOK in html and SECRET.search(html) is None


def test_the_form_offers_the_producers_events_in_a_fieldset(client, as_member, owner):
    as_member(owner)
    page = client.get("/producer/webhooks", headers=EN).get_data(as_text=True)
    assert "<fieldset" in page and "<legend>Events to send</legend>" in page
    for event in webhooks.events_for("producer"):
        assert f'value="{event}"' in page
    assert 'value="invoice.issued"' not in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": "ftp://hooks.htx.test/x", "events": ["order.created"]}, "url", "not a web address"),
        ({"url": "http://example.vn/ocop", "events": ["order.created"]}, "url", "must start with https://"),
        ({"url": "https://10.0.0.7/ocop", "events": ["order.created"]}, "url", "not on the public internet"),
        ({"url": HOOK}, "events", "Choose at least one event"),
        ({"url": HOOK, "events": ["invoice.issued"]}, "events", "not available here"),
    ],
)
def test_a_bad_address_or_no_event_is_shown_next_to_the_field(client, as_member, producer, owner, data, field, message):
    as_member(owner)
    response = submit(client, "/producer/webhooks", data, page="/producer/webhooks", headers=EN)
    assert response.status_code == 400
    page = unescape(response.get_data(as_text=True))
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    assert error and message in error.group(1)
    assert SECRET.search(page) is None
    assert webhooks.endpoints_of(producer_id=producer.id) == []


def test_the_list_counts_recent_deliveries_by_status(client, as_member, producer, owner):
    an_endpoint(producer, owner)
    a_delivery(producer)
    as_member(owner)
    page = client.get("/producer/webhooks", headers=EN).get_data(as_text=True)
    assert "0 delivered, 0 waiting, 1 failed" in page


def test_the_delivery_log_shows_each_delivery_with_its_status_in_words(client, as_member, producer, owner):
    endpoint, _ = an_endpoint(producer, owner)
    delivery = a_delivery(producer)
    as_member(owner)
    page = client.get(f"/producer/webhooks/{endpoint.id}", headers=EN).get_data(as_text=True)
    assert delivery.event.event_id in page and "order.created" in page
    assert ">Failed</span>" in page and "HTTP 500" in page
    assert f"/producer/webhooks/{endpoint.id}/deliveries/{delivery.id}" in page


def test_the_owner_replays_a_delivery_and_it_is_queued_again(client, as_member, producer, owner, clock):
    endpoint, _ = an_endpoint(producer, owner)
    delivery = a_delivery(producer)
    as_member(owner)
    url = f"/producer/webhooks/{endpoint.id}/deliveries/{delivery.id}"
    page = client.get(url, headers=EN).get_data(as_text=True)
    payload = json.loads(
        unescape(re.search(r'<pre class="code-example payload"[^>]*><code>(.*?)</code>', page, re.S).group(1))
    )
    assert payload["id"] == delivery.event.event_id and payload["data"]["order"]["note"] == "<b>xôi</b>"
    assert "&lt;b&gt;xôi&lt;/b&gt;" in page  # escaped, never markup
    assert "HTTP 500" in page and "Replay this delivery" in page

    response = submit(client, f"{url}/replay", {}, page=url)
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    db.session.expire_all()
    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert delivery.status == "pending" and webhooks.replay_requested(delivery)
    assert "Replay queued" in client.get(url, headers=EN).get_data(as_text=True)


def test_the_owner_pauses_and_resumes_an_endpoint(client, as_member, producer, owner):
    endpoint, _ = an_endpoint(producer, owner)
    as_member(owner)
    page = f"/producer/webhooks/{endpoint.id}"
    assert submit(client, f"{page}/pause", {}, page=page).status_code == 302
    assert db.session.get(WebhookEndpoint, endpoint.id).active is False
    assert "Paused" in client.get(page, headers=EN).get_data(as_text=True)
    submit(client, f"{page}/resume", {}, page=page)
    assert db.session.get(WebhookEndpoint, endpoint.id).active is True


def test_rolling_the_secret_shows_the_new_one_once(client, as_member, producer, owner):
    endpoint, old = an_endpoint(producer, owner)
    as_member(owner)
    page = f"/producer/webhooks/{endpoint.id}"
    response = submit(client, f"{page}/secret", {}, page=page)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    new = SECRET.search(response.get_data(as_text=True)).group(0)
    assert new != old and db.session.get(WebhookEndpoint, endpoint.id).secret == new
    assert SECRET.search(client.get(page).get_data(as_text=True)) is None


def test_the_owner_deletes_an_endpoint(client, as_member, producer, owner):
    endpoint_id = an_endpoint(producer, owner)[0].id
    a_delivery(producer)
    as_member(owner)
    page = f"/producer/webhooks/{endpoint_id}"
    response = submit(client, f"{page}/delete", {}, page=page)
    assert response.status_code == 302 and response.headers["Location"].endswith("/producer/webhooks")
    assert db.session.get(WebhookEndpoint, endpoint_id) is None
    assert db.session.scalars(select(WebhookDelivery).filter_by(endpoint_id=endpoint_id)).all() == []
    assert client.get(page).status_code == 404


def test_another_producers_endpoint_and_delivery_are_404(client, as_member, producer, owner, other_producer):
    theirs_owner = a_member(other_producer, role="owner")
    endpoint, _ = an_endpoint(other_producer, theirs_owner)
    delivery = a_delivery(other_producer)
    as_member(owner)
    page = f"/producer/webhooks/{endpoint.id}"
    assert client.get(page).status_code == 404
    assert client.get(f"{page}/deliveries/{delivery.id}").status_code == 404
    for action in ("pause", "secret", "delete", f"deliveries/{delivery.id}/replay"):
        assert submit(client, f"{page}/{action}", {}, page="/producer/webhooks").status_code == 404, action
    assert db.session.get(WebhookEndpoint, endpoint.id).active is True
    assert db.session.get(WebhookDelivery, delivery.id).status == "failed"


def test_a_delivery_is_found_only_under_its_own_endpoint(client, as_member, producer, owner):
    first, _ = an_endpoint(producer, owner)
    second, _ = an_endpoint(producer, owner, url=HOOK + "/2")
    delivery = a_delivery(producer)
    assert delivery.endpoint_id == first.id
    as_member(owner)
    assert client.get(f"/producer/webhooks/{first.id}/deliveries/{delivery.id}").status_code == 200
    assert client.get(f"/producer/webhooks/{second.id}/deliveries/{delivery.id}").status_code == 404


def test_staff_are_refused_and_do_not_see_it_in_the_menu(client, as_member, producer, owner, staff):
    endpoint, _ = an_endpoint(producer, owner)
    delivery = a_delivery(producer)
    as_member(staff)
    assert "/producer/webhooks" not in client.get("/producer/").get_data(as_text=True)
    for url in (
        "/producer/webhooks",
        f"/producer/webhooks/{endpoint.id}",
        f"/producer/webhooks/{endpoint.id}/deliveries/{delivery.id}",
    ):
        assert client.get(url).status_code == 403, url
    assert submit(client, f"/producer/webhooks/{endpoint.id}/delete", {}, page="/producer/").status_code == 403
    assert db.session.get(WebhookEndpoint, endpoint.id) is not None


def test_the_pages_read_in_english(client, as_member, producer, owner):
    endpoint, _ = an_endpoint(producer, owner)
    delivery = a_delivery(producer)
    as_member(owner)
    assert "/producer/webhooks" in client.get("/producer/").get_data(as_text=True)
    pages = {
        "/producer/webhooks": ("Add an endpoint", "How to verify a delivery", "Stock fell to its warning level"),
        f"/producer/webhooks/{endpoint.id}": ("Delivery log", "Pause the endpoint", "Delete the endpoint…"),
        f"/producer/webhooks/{endpoint.id}/deliveries/{delivery.id}": ("What is sent", "Tries", "Replay this delivery"),
    }
    for url, texts in pages.items():
        page = client.get(url, headers=EN).get_data(as_text=True)
        assert '<html lang="en"' in page
        for text in texts:
            assert text in page, (url, text)
