"""The partner's API keys page (owners only): a key for ordering or for accounting, its secret
shown once, revoking; buyers and accountants are refused and another partner's key is a 404."""

from __future__ import annotations

import re
from html import unescape

import pytest

from shop.extensions import db
from shop.integrations.models import ApiKey
from tests.conftest import submit
from tests.support.api import api_key, bearer

SECRET = re.compile(r"ocop_[A-Za-z0-9_-]{20,}")
EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _in_english(client):
    """The pages are read in English (the tests quote their English text)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def make_key(client, **data):
    return submit(client, "/partner/api-keys", data, page="/partner/api-keys")


@pytest.mark.parametrize("role", ["ordering", "accounting"])
def test_the_owner_makes_a_key_for_a_role_and_sees_it_once(client, as_user, partner, owner, role):
    as_user(owner)
    response = make_key(client, name="Phần mềm nhà hàng", role=role)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = unescape(response.get_data(as_text=True))
    secret = SECRET.search(page).group(0)
    key = db.session.scalars(db.select(ApiKey).filter_by(partner_id=partner.id)).one()
    assert (key.name, key.role) == ("Phần mềm nhà hàng", role)
    assert client.get("/api/v1/groups", headers=bearer(secret)).status_code == 200
    listed = client.get("/partner/api-keys").get_data(as_text=True)
    assert "Phần mềm nhà hàng" in listed and SECRET.search(listed) is None


def test_a_key_needs_a_role_chosen(client, as_user, partner, owner):
    as_user(owner)
    response = make_key(client, name="Kế toán MISA")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="role-error"' in page and "Choose what the key may do" in page
    assert db.session.scalars(db.select(ApiKey).filter_by(partner_id=partner.id)).all() == []


def test_the_owner_revokes_a_key_and_the_api_refuses_it(client, as_user, partner, owner):
    key, secret = api_key(partner=partner, role="accounting")
    as_user(owner)
    response = submit(client, f"/partner/api-keys/{key.id}/revoke", {}, page="/partner/api-keys")
    assert response.status_code == 302
    assert client.get("/api/v1/groups", headers=bearer(secret)).status_code == 401
    assert "Revoked" in client.get("/partner/api-keys", headers=EN).get_data(as_text=True)


def test_another_partners_key_is_404(client, as_user, owner, other_partner):
    key, _ = api_key(partner=other_partner)
    as_user(owner)
    response = submit(client, f"/partner/api-keys/{key.id}/revoke", {}, page="/partner/api-keys")
    assert response.status_code == 404
    assert db.session.get(ApiKey, key.id).revoked_at is None


@pytest.mark.parametrize("who", ["buyer", "accountant"])
def test_buyers_and_accountants_are_refused_and_do_not_see_it_in_the_menu(request, client, as_user, partner, who):
    key, _ = api_key(partner=partner)
    as_user(request.getfixturevalue(who))
    assert client.get("/partner/api-keys").status_code == 403
    assert "/partner/api-keys" not in client.get("/partner/").get_data(as_text=True)
    assert submit(client, "/partner/api-keys", {"name": "X", "role": "ordering"}, page="/partner/").status_code == 403
    assert submit(client, f"/partner/api-keys/{key.id}/revoke", {}, page="/partner/").status_code == 403
    assert db.session.get(ApiKey, key.id).revoked_at is None


def test_the_page_reads_in_english_with_what_each_role_allows(client, as_user, owner):
    as_user(owner)
    assert "/partner/api-keys" in client.get("/partner/").get_data(as_text=True)
    page = client.get("/partner/api-keys", headers=EN).get_data(as_text=True)
    assert '<html lang="en"' in page
    for text in ("Ordering (prices, orders, standing orders)", "It cannot order or change anything", "Make the key"):
        assert text in page
