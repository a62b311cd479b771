"""The fake Stripe API, driven by the real stripe client as the app will drive it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
import stripe

from tests.support.fake_stripe import FakeStripe, parse_form

ORDER = "OCOP-2611-0042"
SECRET = "whsec_test_secret"


def item(quantity=1, **price) -> dict:
    price = {"currency": "vnd", "unit_amount": 5, "product_data": {"name": "x"}, **price}
    return {"quantity": quantity, "price_data": price}


def session_params(**overrides) -> dict:
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 2,
                "price_data": {"currency": "vnd", "unit_amount": 125000, "product_data": {"name": "Xôi Phú Thượng"}},
            },
            {"quantity": 1, "price_data": {"currency": "vnd", "unit_amount": 30000, "product_data": {"name": "Chè"}}},
        ],
        "success_url": f"http://shop.test/payments/stripe/return?order={ORDER}&session_id={{CHECKOUT_SESSION_ID}}",
        "cancel_url": f"http://shop.test/orders/{ORDER}",
        "client_reference_id": "42",
        "metadata": {"order_number": ORDER},
        "customer_email": "a@b.example",
        "expires_at": 1790000000,
        "locale": "vi",
        "payment_intent_data": {"metadata": {"order_number": ORDER}},
    }
    params.update(overrides)
    return params


@pytest.fixture
def fake():
    with FakeStripe() as fake:
        yield fake


def make_client(fake: FakeStripe, key: str = "sk_test_x", retries: int = 0) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": fake.url}, max_network_retries=retries)


@pytest.fixture
def client(fake):
    return make_client(fake)


def create(client, key: str = "order-42-checkout-1", **overrides):
    return client.v1.checkout.sessions.create(params=session_params(**overrides), options={"idempotency_key": key})


def test_parse_form_nests_brackets_and_lists():
    text = "line_items[0][price_data][unit_amount]=125000&line_items[1][quantity]=2&metadata[order_number]=X&mode="
    assert parse_form(text) == {
        "line_items": [{"price_data": {"unit_amount": "125000"}}, {"quantity": "2"}],
        "metadata": {"order_number": "X"},
        "mode": "",
    }


def test_create_retrieve_and_expire_a_session(fake, client):
    session = create(client)
    assert session.id.startswith("cs_test_")
    assert session.url == f"{fake.url}/pay/{session.id}"
    assert (session.status, session.payment_status, session.payment_intent) == ("open", "unpaid", None)
    assert session.amount_total == 2 * 125000 + 30000
    assert session.currency == "vnd"
    assert session.client_reference_id == "42"
    assert session.metadata.to_dict() == {"order_number": ORDER}
    assert session.expires_at == 1790000000
    assert session.success_url.endswith("session_id={CHECKOUT_SESSION_ID}")
    assert session.customer_email == "a@b.example"
    assert session.livemode is False

    method, path, params, key = fake.requests[-1]
    assert (method, path, key) == ("POST", "/v1/checkout/sessions", "order-42-checkout-1")
    assert params["line_items"][0]["price_data"]["product_data"]["name"] == "Xôi Phú Thượng"

    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"
    expired = client.v1.checkout.sessions.expire(session.id)
    assert expired.status == "expired"
    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.checkout.sessions.expire(session.id)
    assert excinfo.value.http_status == 400


def test_the_hosted_page_stands_in_for_checkout(fake, client):
    session = create(client)
    with urllib.request.urlopen(session.url) as response:
        assert "280000 VND" in response.read().decode()


def test_unknown_ids_are_resource_missing(client):
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.checkout.sessions.retrieve("cs_test_nope")
    assert (excinfo.value.http_status, excinfo.value.code) == (404, "resource_missing")
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.refunds.retrieve("re_nope")
    assert excinfo.value.code == "resource_missing"


@pytest.mark.parametrize(
    ("overrides", "param"),
    [
        ({"mode": "subscription"}, "mode"),
        ({"line_items": []}, "line_items"),
        ({"cancel_url": None}, "cancel_url"),
        ({"line_items": [item(currency="usd")]}, "line_items[0]"),
        ({"line_items": [item(unit_amount="1.5")]}, "line_items[0]"),
        ({"line_items": [item(quantity=0)]}, "line_items[0]"),
    ],
)
def test_invalid_sessions_are_refused(fake, client, overrides, param):
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        create(client, **overrides)
    assert (excinfo.value.http_status, excinfo.value.param) == (400, param)
    assert fake.sessions == {}


def test_requests_need_a_secret_key(fake):
    with pytest.raises(stripe.AuthenticationError) as excinfo:
        make_client(fake, key="pk_test_x").v1.checkout.sessions.retrieve("cs_test_nope")
    assert excinfo.value.http_status == 401
    request = urllib.request.Request(f"{fake.url}/v1/refunds/re_x")
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request)
    with excinfo.value as response:
        assert json.loads(response.read())["error"]["type"] == "invalid_request_error"


def test_idempotent_replay_returns_the_same_session(fake, client):
    first = create(client)
    again = create(client)
    assert again.id == first.id
    assert len(fake.sessions) == 1
    assert create(client, key="order-42-checkout-2").id != first.id
    assert len(fake.sessions) == 2


def test_a_key_reused_with_other_params_is_refused(fake, client):
    create(client)
    with pytest.raises(stripe.IdempotencyError) as excinfo:
        create(client, customer_email="other@b.example")
    assert excinfo.value.http_status == 400
    assert len(fake.sessions) == 1


def test_an_outage_raises_api_error_and_keeps_the_key_free(fake, client):
    fake.fail_next()
    with pytest.raises(stripe.APIError) as excinfo:
        create(client)
    assert excinfo.value.http_status == 500
    assert fake.sessions == {}
    session = create(client)  # same key, now succeeds: the failure did not consume it
    assert list(fake.sessions) == [session.id]


def test_a_dropped_connection_raises_api_connection_error(fake, client):
    fake.fail_next(2, drop=True)
    for _ in range(2):
        with pytest.raises(stripe.APIConnectionError):
            create(client)
    assert fake.sessions == {}
    assert len(fake.requests) == 2
    assert create(client).amount_total == 280000


def test_an_answer_lost_after_stripe_acted_is_replayed_for_the_same_key(fake, client):
    paid = fake.pay(create(client).id)
    fake.fail_next(1, drop=True, after=True)
    params = {"payment_intent": paid["payment_intent"]}
    with pytest.raises(stripe.APIConnectionError):
        client.v1.refunds.create(params=params, options={"idempotency_key": "order-42-refund"})
    [made] = fake.refunds  # the refund happened although its answer was lost
    again = client.v1.refunds.create(params=params, options={"idempotency_key": "order-42-refund"})
    assert again.id == made and len(fake.refunds) == 1
    fake.forget_idempotency_keys()
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.refunds.create(params=params, options={"idempotency_key": "order-42-refund"})
    assert excinfo.value.code == "charge_already_refunded"


def test_client_retries_reuse_the_idempotency_key(fake):
    fake.fail_next(1, status=503)
    session = create(make_client(fake, retries=1), key=None)  # the client makes up a key itself
    keys = {key for _, _, _, key in fake.requests}
    assert len(fake.requests) == 2 and len(keys) == 1 and None not in keys
    assert list(fake.sessions) == [session.id]


def test_refunds_after_payment(fake, client):
    session = create(client)
    with pytest.raises(stripe.InvalidRequestError):  # nothing paid yet: no payment intent
        client.v1.refunds.create(params={"payment_intent": "pi_nope"})
    paid = fake.pay(session.id)
    assert (paid["status"], paid["payment_status"]) == ("complete", "paid")
    retrieved = client.v1.checkout.sessions.retrieve(session.id)
    assert retrieved.payment_intent == paid["payment_intent"]
    pi = paid["payment_intent"]

    partial = client.v1.refunds.create(
        params={"payment_intent": pi, "amount": 30000, "metadata": {"order_number": ORDER}},
        options={"idempotency_key": "order-42-refund-1"},
    )
    assert (partial.status, partial.amount, partial.currency) == ("succeeded", 30000, "vnd")
    assert partial.id.startswith("re_") and partial.payment_intent == pi
    assert client.v1.refunds.retrieve(partial.id).metadata.to_dict() == {"order_number": ORDER}

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.refunds.create(params={"payment_intent": pi, "amount": 250001})
    assert (excinfo.value.http_status, excinfo.value.param) == (400, "amount")

    rest = client.v1.refunds.create(params={"payment_intent": pi})
    assert rest.amount == 250000
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.refunds.create(params={"payment_intent": pi, "amount": 1})
    assert excinfo.value.code == "charge_already_refunded"
    assert len(fake.refunds) == 2


def test_pay_and_expire_need_an_open_session(fake, client):
    session = create(client)
    fake.expire(session.id)
    with pytest.raises(ValueError):
        fake.pay(session.id)


def test_signed_webhooks_verify_with_construct_event(fake, client):
    session = fake.pay(create(client).id)
    body, headers = fake.webhook("checkout.session.completed", session, SECRET)
    event = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], SECRET)
    assert event.type == "checkout.session.completed"
    assert event.data.object.metadata.order_number == ORDER
    assert event.data.object.payment_status == "paid"
    assert event.id.startswith("evt_") and event.livemode is False

    tampered = body.replace(b'"paid"', b'"unpaid"')
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, headers["Stripe-Signature"], SECRET)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, headers["Stripe-Signature"], "whsec_wrong")
    text = body.decode()
    assert stripe.Webhook.construct_event(text, fake.sign(text, SECRET), SECRET).id == event.id


def test_refund_events_match_the_api(fake, client):
    pi = fake.pay(create(client).id)["payment_intent"]
    refund = client.v1.refunds.create(params={"payment_intent": pi, "amount": 80000})
    charged = fake.refund_event(refund.id)
    assert charged["type"] == "charge.refunded"
    charge = charged["data"]["object"]
    assert (charge["object"], charge["payment_intent"], charge["id"]) == ("charge", pi, refund.charge)
    assert (charge["amount"], charge["amount_refunded"], charge["refunded"]) == (280000, 80000, False)
    assert charge["metadata"] == {"order_number": ORDER}
    updated = fake.refund_event(refund.id, "refund.updated")
    assert updated["data"]["object"] == refund.to_dict()
    body = json.dumps(updated).encode()
    assert stripe.Webhook.construct_event(body, fake.sign(body, SECRET), SECRET).data.object.id == refund.id
