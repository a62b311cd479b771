"""Partner prices are shown only to approved partners' staff: never to anonymous visitors or
shoppers on the catalog (whether the page cache is on or off), nor to a partner not yet approved."""

from __future__ import annotations

import pytest

from shop.extensions import db
from tests.factories import UserFactory
from tests.support.partners import add_member, log_in

VOLUME_PRICE = "25.000"  # xôi's price from 10 boxes; retail is 30.000 ₫


@pytest.fixture
def app_config(app_config):
    return {**app_config, "PAGE_CACHE_SECONDS": 60}


def test_the_catalog_never_shows_a_volume_price(app, client, xoi):
    product_page = f"/products/{xoi.product.slug}"
    for _ in range(2):  # the second answer may come from the page cache
        for url in ("/products", product_page, "/products?q=xoi"):
            page = client.get(url).get_data(as_text=True)
            assert "30.000" in page or url != product_page
            assert VOLUME_PRICE not in page, url
    log_in(client, UserFactory())
    assert VOLUME_PRICE not in client.get(product_page).get_data(as_text=True)


def test_an_approved_partners_buyer_sees_the_volume_price_and_a_pending_one_does_not(app, client, partner, xoi):
    buyer = add_member(partner, "buyer")
    log_in(client, buyer)
    assert VOLUME_PRICE in client.get("/partner/order?q=Xôi").get_data(as_text=True)

    partner.status = "pending"
    db.session.commit()
    response = client.get("/partner/order?q=Xôi")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/partner/application")
    assert VOLUME_PRICE not in client.get("/partner/application").get_data(as_text=True)
