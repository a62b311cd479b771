"""The producer's API keys page (owners only): make a key and see its secret once, the list,
revoking; staff are refused and another producer's key is a 404."""

from __future__ import annotations

import re
from html import unescape

import pytest

from shop.extensions import db
from shop.integrations import keys
from shop.integrations.models import ApiKey
from tests.conftest import submit
from tests.support.api import api_key, bearer

SECRET = re.compile(r"ocop_[A-Za-z0-9_-]{20,}")
EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _in_english(client):
    """The pages are read in English (the tests quote their English text)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def make_key(client, name="Kho MISA", **data):
    return submit(client, "/producer/api-keys", {"name": name, **data}, page="/producer/api-keys")


def test_the_owner_makes_a_key_sees_it_once_and_a_program_can_use_it(client, as_member, producer, owner):
    as_member(owner)
    response = make_key(client, "Kho MISA")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = unescape(response.get_data(as_text=True))
    secret = SECRET.search(page).group(0)
    assert "will not be shown again" in page
    assert f'curl -H "Authorization: Bearer {secret}" http://shop.test/api/v1/variants' in page
    key = db.session.scalars(db.select(ApiKey).filter_by(producer_id=producer.id)).one()
    assert (key.name, key.role, key.created_by_user_id) == ("Kho MISA", "producer", owner.id)
    assert client.get("/api/v1/groups", headers=bearer(secret)).status_code == 200

    listed = client.get("/producer/api-keys").get_data(as_text=True)
    assert "Kho MISA" in listed and f"{key.prefix}…" in listed and owner.name in listed
    assert secret not in listed and SECRET.search(listed) is None
    with client.session_transaction() as session:
        assert secret not in str(dict(session))


def test_a_producer_key_always_has_the_producer_role(client, as_member, producer, owner):
    as_member(owner)
    make_key(client, "Phần mềm kho", role="ordering")
    assert db.session.scalars(db.select(ApiKey.role).filter_by(producer_id=producer.id)).one() == "producer"


def test_a_key_without_a_name_is_refused_next_to_the_field(client, as_member, producer, owner):
    as_member(owner)
    response = make_key(client, "   ")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="name-error"' in page and "Give the key a name" in page
    assert SECRET.search(page) is None
    assert keys.keys_of(producer_id=producer.id) == []


def test_the_owner_revokes_a_key_and_the_api_refuses_it_from_then_on(client, as_member, producer, owner):
    key, secret = api_key(producer=producer, name="Kho cũ")
    as_member(owner)
    response = submit(client, f"/producer/api-keys/{key.id}/revoke", {}, page="/producer/api-keys")
    assert response.status_code == 302 and response.headers["Location"].endswith("/producer/api-keys")
    assert client.get("/api/v1/groups", headers=bearer(secret)).status_code == 401
    page = client.get("/producer/api-keys").get_data(as_text=True)
    assert "Revoked" in page and f"/producer/api-keys/{key.id}/revoke" not in page


def test_the_last_use_is_shown(client, as_member, producer, owner, clock):
    _, secret = api_key(producer=producer)
    as_member(owner)
    assert "Never used" in client.get("/producer/api-keys", headers=EN).get_data(as_text=True)
    client.get("/api/v1/groups", headers=bearer(secret))
    assert "Never used" not in client.get("/producer/api-keys", headers=EN).get_data(as_text=True)


def test_another_producers_key_is_404_and_stays_live(client, as_member, owner, other_producer):
    key, secret = api_key(producer=other_producer)
    as_member(owner)
    response = submit(client, f"/producer/api-keys/{key.id}/revoke", {}, page="/producer/api-keys")
    assert response.status_code == 404
    assert db.session.get(ApiKey, key.id).revoked_at is None
    assert "Test program" not in client.get("/producer/api-keys").get_data(as_text=True)


def test_staff_are_refused_and_do_not_see_it_in_the_menu(client, as_member, producer, owner, staff):
    key, _ = api_key(producer=producer)
    as_member(staff)
    assert client.get("/producer/api-keys").status_code == 403
    assert "/producer/api-keys" not in client.get("/producer/").get_data(as_text=True)
    assert submit(client, "/producer/api-keys", {"name": "X"}, page="/producer/").status_code == 403
    assert submit(client, f"/producer/api-keys/{key.id}/revoke", {}, page="/producer/").status_code == 403
    assert db.session.get(ApiKey, key.id).revoked_at is None


def test_the_owner_finds_the_page_in_the_menu_and_it_reads_in_english(client, as_member, owner):
    as_member(owner)
    assert "/producer/api-keys" in client.get("/producer/").get_data(as_text=True)
    page = client.get("/producer/api-keys", headers=EN).get_data(as_text=True)
    assert '<html lang="en"' in page
    for text in ("API keys", "Make a new key", "Stock, shipments and own products", "/api/v1/docs"):
        assert text in page
