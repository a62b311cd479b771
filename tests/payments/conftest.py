"""Card payments against a fake Stripe API on 127.0.0.1: the app configured for it, a product to
buy and small helpers that place a card order and post signed webhooks."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.orders.models import Order
from tests.checkout.conftest import BANK
from tests.checkout.test_views import add, checkout, place
from tests.conftest import csrf_token_from, submit
from tests.support.builders import stocked
from tests.support.fake_stripe import FakeStripe

SECRET = "whsec_test_secret"


@pytest.fixture(scope="session")
def stripe_api():
    with FakeStripe() as fake:
        yield fake


@pytest.fixture
def app_config(app_config, stripe_api):
    return {
        **app_config,
        **BANK,
        "STRIPE_SECRET_KEY": "sk_test_shop",
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "STRIPE_API_BASE": stripe_api.url,
        "STRIPE_MAX_NETWORK_RETRIES": 0,
    }


@pytest.fixture
def tea(app):
    return stocked("Chè Sen Quảng An", price=450_000, on_hand=10, shelf_life_days=365)


@pytest.fixture
def evil_host(app, monkeypatch):
    """Every request arrives with `Host: evil.example`, and the app, as in production, has no
    SERVER_NAME to fall back on."""
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    inner = app.wsgi_app
    monkeypatch.setattr(app, "wsgi_app", lambda environ, start: inner({**environ, "HTTP_HOST": "evil.example"}, start))


def card_order(client, tea, quantity="2"):
    """Place a card order and go on to pay as a browser does: placing leads to a page that posts
    to the pay step (its script or its button). Returns the order and the pay step's answer."""
    add(client, tea, quantity)
    placed = place(client, checkout(client, payment_method="stripe").get_data(as_text=True))
    order = db.session.scalar(select(Order).order_by(Order.id.desc()))
    assert placed.headers["Location"].endswith(f"/orders/{order.number}/pay")
    page = client.get(placed.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    response = client.post(f"/orders/{order.number}/pay", data={"csrf_token": csrf_token_from(html)})
    db.session.refresh(order)
    return order, response


def post_event(client, stripe_api, type_, obj, secret=SECRET):
    body, headers = stripe_api.webhook(type_, obj, secret)
    return client.post("/payments/stripe/webhook", data=body, headers=headers), body, headers


def paid_card_order(client, tea, stripe_api):
    """A card order paid through Stripe and confirmed by its webhook."""
    order, _ = card_order(client, tea)
    post_event(client, stripe_api, "checkout.session.completed", stripe_api.pay(order.stripe_session_id))
    db.session.refresh(order)
    assert order.status == "confirmed"
    return order


def cancel(client, order):
    return submit(client, f"/orders/{order.number}/cancel", {}, page=f"/orders/{order.number}")


def refund_requests(stripe_api, since: int = 0) -> list:
    """The refund requests that reached the fake Stripe (after the first `since` requests)."""
    return [r for r in stripe_api.requests[since:] if r[:2] == ("POST", "/v1/refunds")]


def return_from_stripe(client, url: str):
    """Come back from Stripe's page as a browser does: the page (a GET, which changes nothing)
    posts the session id back, as its script or its button does."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    session_id = re.search(r'name="session_id" value="([^"]*)"', html).group(1)
    return client.post(url.split("?")[0], data={"csrf_token": csrf_token_from(html), "session_id": session_id})


def return_url(order) -> str:
    return f"/payments/stripe/return/{order.number}?session_id={order.stripe_session_id}"
