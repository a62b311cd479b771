"""The partner's webhooks pages (owners only): the partner's events, adding an endpoint (its
secret shown once), the delivery log and replaying a delivery; buyers and accountants are refused
and another partner's endpoint or delivery is a 404."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.integrations import webhooks
from shop.integrations.models import WebhookDelivery, WebhookEndpoint
from tests.conftest import submit
from tests.support.partners import owner_of

SECRET = re.compile(r"whsec_[A-Za-z0-9_-]{20,}")
EN = {"Accept-Language": "en"}
HOOK = "https://hooks.nhahang.test/ocop"


@pytest.fixture(autouse=True)
def _in_english(client):
    """The pages are read in English (the tests quote their English text)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def app_config(app_config):
    # The receiver's host is taken as it is (outside production), without looking its name up.
    return {**app_config, "WEBHOOK_INSECURE_HOSTS": ["hooks.nhahang.test"]}


def an_endpoint(partner, owner):
    endpoint, _ = webhooks.register_endpoint(
        url=HOOK, events=["invoice.issued"], description=None, by=owner, partner_id=partner.id
    )
    db.session.commit()
    return endpoint


def a_delivery(partner):
    event = webhooks.record_event("invoice.issued", partner_id=partner.id, data={"invoice": {"number": "HD-0001"}})
    delivery = db.session.scalars(select(WebhookDelivery).filter_by(event_id=event.id)).one()
    delivery.status, delivery.attempts, delivery.last_error = "failed", 8, "timed out"
    db.session.commit()
    return delivery


def test_the_owner_adds_an_endpoint_for_the_partners_events(client, as_user, partner, owner):
    as_user(owner)
    page = client.get("/partner/webhooks", headers=EN).get_data(as_text=True)
    assert 'value="invoice.overdue"' in page and 'value="stock.low"' not in page
    response = submit(
        client,
        "/partner/webhooks",
        {"url": HOOK, "events": ["order.created", "invoice.overdue"]},
        page="/partner/webhooks",
    )
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(response.get_data(as_text=True)).group(0)
    endpoint = db.session.scalars(select(WebhookEndpoint).filter_by(partner_id=partner.id)).one()
    assert endpoint.secret == secret and endpoint.events == ["order.created", "invoice.overdue"]
    assert SECRET.search(client.get("/partner/webhooks").get_data(as_text=True)) is None


def test_an_event_only_producers_get_is_refused_next_to_the_events(client, as_user, partner, owner):
    as_user(owner)
    response = submit(
        client, "/partner/webhooks", {"url": HOOK, "events": ["stock.low"]}, page="/partner/webhooks", headers=EN
    )
    assert response.status_code == 400
    assert 'id="events-error"' in response.get_data(as_text=True)
    assert webhooks.endpoints_of(partner_id=partner.id) == []


def test_the_owner_sees_the_log_and_replays_a_delivery(client, as_user, partner, owner, clock):
    endpoint = an_endpoint(partner, owner)
    delivery = a_delivery(partner)
    as_user(owner)
    log = client.get(f"/partner/webhooks/{endpoint.id}", headers=EN).get_data(as_text=True)
    assert delivery.event.event_id in log and "timed out" in log and ">Failed</span>" in log
    url = f"/partner/webhooks/{endpoint.id}/deliveries/{delivery.id}"
    assert "HD-0001" in client.get(url).get_data(as_text=True)
    assert submit(client, f"{url}/replay", {}, page=url).status_code == 302
    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert delivery.status == "pending" and webhooks.replay_requested(delivery)


def test_another_partners_endpoint_and_delivery_are_404(client, as_user, owner, other_partner):
    endpoint = an_endpoint(other_partner, owner_of(other_partner))
    delivery = a_delivery(other_partner)
    as_user(owner)
    page = f"/partner/webhooks/{endpoint.id}"
    assert client.get(page).status_code == 404
    assert client.get(f"{page}/deliveries/{delivery.id}").status_code == 404
    assert submit(client, f"{page}/deliveries/{delivery.id}/replay", {}, page="/partner/").status_code == 404
    assert submit(client, f"{page}/pause", {}, page="/partner/").status_code == 404
    assert db.session.get(WebhookDelivery, delivery.id).status == "failed"


@pytest.mark.parametrize("who", ["buyer", "accountant"])
def test_buyers_and_accountants_are_refused(request, client, as_user, partner, owner, who):
    endpoint = an_endpoint(partner, owner)
    as_user(request.getfixturevalue(who))
    assert "/partner/webhooks" not in client.get("/partner/").get_data(as_text=True)
    assert client.get("/partner/webhooks").status_code == 403
    assert client.get(f"/partner/webhooks/{endpoint.id}").status_code == 403
    assert (
        submit(client, "/partner/webhooks", {"url": HOOK, "events": ["order.created"]}, page="/partner/").status_code
        == 403
    )
    assert submit(client, f"/partner/webhooks/{endpoint.id}/delete", {}, page="/partner/").status_code == 403
    assert len(webhooks.endpoints_of(partner_id=partner.id)) == 1


def test_the_pages_read_in_english(client, as_user, partner, owner):
    endpoint = an_endpoint(partner, owner)
    delivery = a_delivery(partner)
    as_user(owner)
    assert "/partner/webhooks" in client.get("/partner/").get_data(as_text=True)
    for url, text in (
        ("/partner/webhooks", "An invoice is overdue"),
        (f"/partner/webhooks/{endpoint.id}", "Roll the signing secret…"),
        (f"/partner/webhooks/{endpoint.id}/deliveries/{delivery.id}", "Replay this delivery"),
    ):
        page = client.get(url, headers=EN).get_data(as_text=True)
        assert '<html lang="en"' in page and text in page, url
