"""Who may call the API: keys (hashed, revocable, per organisation and role), no cookies, no CSRF,
rate limits per key, and one error shape for everything that goes wrong."""

from __future__ import annotations

import pytest

from shop import clock
from shop.extensions import db
from shop.integrations import keys
from shop.integrations.models import ApiKey
from tests.support.api import api_key, bearer
from tests.support.builders import a_producer
from tests.support.partners import log_in, make_partner, owner_of


def test_a_key_is_stored_only_as_its_hash_and_shown_once(app):
    producer = a_producer()
    key, secret = api_key(producer=producer)
    stored = db.session.get(ApiKey, key.id)
    assert secret.startswith("ocop_") and len(secret) > 40
    assert stored.token_hash == keys.token_hash(secret) and secret not in (stored.token_hash, stored.prefix)
    assert secret.startswith(stored.prefix)


def test_an_unknown_or_revoked_key_is_401_with_the_error_shape(client):
    partner = make_partner()
    key, secret = api_key(partner=partner)
    assert client.get("/api/v1/groups", headers=bearer(secret)).status_code == 200
    keys.revoke_key(key.id, by=owner_of(partner), partner_id=partner.id)
    db.session.commit()
    for headers in (bearer(secret), bearer("ocop_" + "x" * 43), {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/groups", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json["error"]["code"] == "unauthenticated"
        assert response.json["error"]["details"] == []


def test_a_key_of_a_partner_no_longer_approved_stops_working(client):
    partner = make_partner()
    _, secret = api_key(partner=partner)
    partner.status = "suspended"
    db.session.commit()
    assert client.get("/api/v1/groups", headers=bearer(secret)).status_code == 401


def test_api_answers_set_no_cookie_and_unknown_addresses_are_json(client):
    response = client.get("/api/v1/groups")
    assert "Set-Cookie" not in response.headers
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    wrong = client.delete("/api/v1/groups")
    assert wrong.status_code == 405 and wrong.json["error"]["code"] == "method_not_allowed"


@pytest.fixture
def limited(app):
    app.config.update(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute", API_ANONYMOUS_RATE_LIMIT="2 per minute")


def test_each_key_has_its_own_limit_and_over_it_gets_429_with_retry_after(client, limited):
    _, first = api_key(producer=a_producer())
    _, second = api_key(producer=a_producer())
    answers = [client.get("/api/v1/groups", headers=bearer(first)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get("/api/v1/groups", headers=bearer(first))
    assert refused.json["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/groups", headers=bearer(second)).status_code == 200


def test_callers_without_a_key_are_limited_by_address(client, limited):
    answers = [client.get("/api/v1/groups").status_code for _ in range(3)]
    assert answers == [200, 200, 429]


def test_reads_remember_the_last_use_without_writing_and_writes_store_it(app):
    producer = a_producer()
    key, _ = api_key(producer=producer)
    assert keys.last_used(key) is None
    keys.record_use(key, writes=False)
    assert keys.last_used(key) == clock.now().replace(microsecond=keys.last_used(key).microsecond)
    assert key.last_used_at is None


def test_answers_are_utf8_json_that_people_can_read(client):
    response = client.get("/api/v1/groups", headers={"Accept-Language": "vi"})
    assert response.mimetype == "application/json"
    assert "Thực phẩm".encode() in response.data


def test_a_logged_in_browser_session_is_not_a_key(client):
    partner = make_partner()
    log_in(client, owner_of(partner))
    assert client.get("/partner/").status_code == 200  # the session works for the pages
    response = client.get("/api/v1/orders")
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthenticated"
    assert client.post("/api/v1/orders", json={}).status_code == 401


def test_writes_need_no_csrf_token_only_the_key(client):
    _, secret = api_key(producer=a_producer())
    response = client.post("/api/v1/stock", json={"items": []}, headers=bearer(secret))
    assert response.status_code == 422  # judged on its content, not refused for a missing CSRF token
    assert response.json["error"]["code"] == "invalid"
