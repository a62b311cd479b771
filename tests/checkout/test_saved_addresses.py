"""Saved addresses: the checkout page says how many are kept, and exactly that many are."""

from __future__ import annotations

import re

from shop.checkout import services as checkout
from shop.extensions import db
from tests.checkout.test_views import add
from tests.factories import PASSWORD, UserFactory
from tests.support.builders import details


def save(user, n: int):
    address = checkout.save_address(user.id, details(street=f"{n} Đặng Thai Mai"))
    db.session.commit()
    return address


def streets(user) -> list[str]:
    return [address.street for address in checkout.saved_addresses(user.id)]


def test_the_last_address_within_the_limit_is_kept(app):
    user = UserFactory()
    for n in range(1, checkout.MAX_SAVED_ADDRESSES + 1):
        save(user, n)
    kept = streets(user)
    assert len(kept) == checkout.MAX_SAVED_ADDRESSES
    assert kept[0] == f"{checkout.MAX_SAVED_ADDRESSES} Đặng Thai Mai" and kept[-1] == "1 Đặng Thai Mai"


def test_one_more_replaces_the_oldest(app):
    user = UserFactory()
    for n in range(1, checkout.MAX_SAVED_ADDRESSES + 2):
        save(user, n)
    kept = streets(user)
    assert len(kept) == checkout.MAX_SAVED_ADDRESSES
    assert "1 Đặng Thai Mai" not in kept
    assert kept[0] == f"{checkout.MAX_SAVED_ADDRESSES + 1} Đặng Thai Mai" and kept[-1] == "2 Đặng Thai Mai"


def test_the_page_states_the_limit_that_is_kept(client, login, products):
    user = UserFactory(email="an@example.vn")
    login("an@example.vn", PASSWORD)
    add(client, products["tea"])
    page = client.get("/checkout").get_data(as_text=True)
    stated = int(re.search(r"Chúng tôi lưu (\d+) địa chỉ gần đây nhất", page).group(1))
    for n in range(1, stated + 2):
        save(user, n)
    page = client.get("/checkout").get_data(as_text=True)
    listed = re.findall(r"<option[^>]*>[^<]*\d+ Đặng Thai Mai", page)
    assert len(listed) == stated == len(streets(user))
    assert f"Chúng tôi lưu {stated} địa chỉ" in page
