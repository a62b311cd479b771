""" "Order again": an earlier order's lines at today's prices, with what changed since."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import force_locale

from shop.extensions import db
from shop.pricing.models import PriceBreak
from shop.wholesale.reorder import fit_quantity, reorder
from tests.conftest import csrf_token_from
from tests.support.partners import log_in
from tests.wholesale.test_ordering import place, request_for

WEDNESDAY = date(2026, 12, 2)


def messages(result) -> list[str]:
    with force_locale("en"):
        return [change.message() for change in result.changes]


def test_an_unchanged_order_comes_back_as_it_was(partner, location, xoi, tea):
    order = place(partner, request_for(location, (xoi, 20), (tea, 2)))
    result = reorder(partner, order, day=WEDNESDAY, locale="en")
    assert sorted(result.items) == sorted([(xoi.id, 20), (tea.id, 2)])
    assert result.changes == []


def test_a_dearer_volume_price_and_a_cheaper_retail_price_are_both_shown(partner, location, xoi, tea):
    order = place(partner, request_for(location, (xoi, 20), (tea, 2)))
    db.session.query(PriceBreak).filter_by(variant_id=xoi.id).update({"unit_price_vnd": 27_000})
    tea.price_vnd = 180_000
    db.session.commit()
    result = reorder(partner, order, day=WEDNESDAY, locale="en")
    said = messages(result)
    assert any("the price went up from 25.000 ₫ to 27.000 ₫" in m for m in said)
    assert any("the price went down from 200.000 ₫ to 180.000 ₫" in m for m in said)


def test_a_pack_no_longer_for_sale_is_left_out_and_named(partner, location, xoi, tea):
    order = place(partner, request_for(location, (xoi, 20), (tea, 2)))
    tea.product.status = "archived"
    db.session.commit()
    result = reorder(partner, order, day=WEDNESDAY, locale="en")
    assert result.items == [(xoi.id, 20)]
    assert any(f"({tea.sku}) is no longer for sale" in m for m in messages(result))


def test_a_quantity_is_lowered_to_the_stock_in_steps_of_the_pack(partner, location, xoi):
    order = place(partner, request_for(location, (xoi, 20)))
    xoi.on_hand = xoi.reserved + 13
    db.session.commit()
    result = reorder(partner, order, day=WEDNESDAY, locale="en")
    assert result.items == [(xoi.id, 10)]
    assert any("lowered from 20 to 10, what is in stock" in m for m in messages(result))


def test_a_quantity_follows_rules_changed_since(partner, location, xoi):
    order = place(partner, request_for(location, (xoi, 15)))
    xoi.partner_step = 10
    xoi.partner_min_qty = 10
    db.session.commit()
    result = reorder(partner, order, day=WEDNESDAY, locale="en")
    assert result.items == [(xoi.id, 10)]
    assert any("15 changed to 10 to follow the current quantity rules" in m for m in messages(result))


def test_fit_quantity_raises_to_the_minimum_and_gives_up_when_stock_is_below_it(xoi):
    assert fit_quantity(xoi, 3) == (5, 5)
    xoi.on_hand = xoi.reserved + 4
    assert fit_quantity(xoi, 10) == (10, 0)


def test_order_again_from_the_order_page_shows_the_price_change_on_the_review(client, partner, location, buyer, xoi):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    order = place(partner, request_for(location, (xoi, 20)), buyer)
    db.session.query(PriceBreak).filter_by(variant_id=xoi.id).update({"unit_price_vnd": 26_000})
    db.session.commit()
    log_in(client, buyer)
    page = client.get(f"/partner/orders/{order.id}").get_data(as_text=True)
    assert "Order again" in page
    response = client.post(f"/partner/orders/{order.id}/again", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert f"/partner/order/review?location_id={location.id}" in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "What changed since that order" in html
    assert "the price went up from 25.000 ₫ to 26.000 ₫" in html
    assert re.search(r"520\.000 ₫", html)  # 20 × 26.000 ₫ at today's price
    # Shown once.
    assert "What changed" not in client.get("/partner/order/review").get_data(as_text=True)
