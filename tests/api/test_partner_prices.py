# ruff: noqa: F811 (the fixtures imported below are the tests' parameters)
"""The partners' API, before ordering: the prices and quantity rules a partner orders at today
(what shop.pricing says for it: retail, volume breaks, its negotiated price), its delivery
locations, and the dates and windows an order can have."""

from __future__ import annotations

from datetime import date

import pytest

from shop import clock, pricing
from shop.extensions import db
from shop.pricing.models import PartnerPrice
from tests.support.api import api_key, bearer
from tests.support.builders import a_producer, stocked
from tests.support.partners import make_location, make_partner

# The wholesale tests' partner (net 15, a credit limit), location and products, as fixtures here.
from tests.wholesale.conftest import app_config, location, partner, tea, xoi  # noqa: F401

EN = {"Accept-Language": "en"}


@pytest.fixture
def ordering(partner):
    return bearer(api_key(partner=partner, role="ordering")[1], **EN)


def negotiate(partner, variant, price, valid_from=date(2026, 11, 1), valid_to=date(2026, 12, 31)):
    db.session.add(
        PartnerPrice(
            partner_id=partner.id, variant_id=variant.id, unit_price_vnd=price, valid_from=valid_from, valid_to=valid_to
        )
    )
    db.session.commit()


def test_a_pack_shows_the_ladder_rules_vat_and_stock_that_pricing_gives_the_partner(client, partner, ordering, xoi):
    answer = client.get(f"/api/v1/prices/{xoi.sku.lower()}", headers=ordering)

    assert answer.status_code == 200
    price = answer.json
    assert price["sku"] == xoi.sku
    assert price["retail_price_vnd"] == 30_000
    assert price["price_ladder"] == [
        {"from_quantity": 1, "unit_price_vnd": 30_000},
        {"from_quantity": 10, "unit_price_vnd": 25_000},
    ]
    book = pricing.price_book(partner, [xoi.id], clock.today())
    assert [(t["from_quantity"], t["unit_price_vnd"]) for t in price["price_ladder"]] == book.tiers(xoi)
    assert price["negotiated"] is None
    assert price["quantity_rules"] == {"minimum": 5, "maximum": None, "step": 5}
    assert price["vat_rate_bp"] == pricing.vat_rate_bp(xoi.product, clock.today())
    assert price["in_stock"] is True
    assert price["producer"]["name"] == "HTX Xôi"


def test_a_negotiated_price_valid_today_wins_with_its_dates(client, partner, ordering, xoi, tea):
    negotiate(partner, xoi, 22_000)
    negotiate(partner, tea, 150_000, valid_from=date(2027, 1, 1), valid_to=None)  # not yet

    answer = client.get("/api/v1/prices", headers=ordering).json["data"]
    by_sku = {p["sku"]: p for p in answer}

    assert by_sku[xoi.sku]["negotiated"] == {
        "unit_price_vnd": 22_000,
        "valid_from": "2026-11-01",
        "valid_to": "2026-12-31",
    }
    assert by_sku[xoi.sku]["price_ladder"] == [{"from_quantity": 1, "unit_price_vnd": 22_000}]
    assert pricing.partner_unit_price(partner, xoi, 5, clock.today()).unit_price_vnd == 22_000
    assert by_sku[tea.sku]["negotiated"] is None
    assert by_sku[tea.sku]["price_ladder"] == [{"from_quantity": 1, "unit_price_vnd": 200_000}]


def test_the_list_pages_with_a_cursor_and_filters_by_words_sku_and_group(client, ordering, xoi, tea):
    more = [stocked(f"Trà shan tuyết {n}", on_hand=5, group="do-uong").variants[0] for n in range(3)]

    first = client.get("/api/v1/prices?limit=2", headers=ordering).json
    second = client.get(f"/api/v1/prices?limit=2&cursor={first['next_cursor']}", headers=ordering).json
    third = client.get(f"/api/v1/prices?limit=2&cursor={second['next_cursor']}", headers=ordering).json
    seen = [p["sku"] for p in first["data"] + second["data"] + third["data"]]
    assert seen == [v.sku for v in sorted([xoi, tea, *more], key=lambda v: v.id)]
    assert third["next_cursor"] is None

    assert [p["sku"] for p in client.get("/api/v1/prices?q=xoi", headers=ordering).json["data"]] == [xoi.sku]
    skus = f"{tea.sku.lower()},{more[0].sku}"
    assert {p["sku"] for p in client.get(f"/api/v1/prices?skus={skus}", headers=ordering).json["data"]} == {
        tea.sku,
        more[0].sku,
    }
    drinks = client.get("/api/v1/prices?group=do-uong", headers=ordering).json["data"]
    assert xoi.sku not in {p["sku"] for p in drinks} and len(drinks) == 4


def test_out_of_stock_and_unpublished_packs(client, ordering, xoi):
    gone = stocked("Chè lam", on_hand=0).variants[0]
    hidden = stocked("Bánh cốm", on_hand=5, status="draft").variants[0]
    assert client.get(f"/api/v1/prices/{gone.sku}", headers=ordering).json["in_stock"] is False
    missing = client.get(f"/api/v1/prices/{hidden.sku}", headers=ordering)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "query, field",
    [("limit=0", "limit"), ("limit=101", "limit"), ("cursor=nonsense", "cursor"), ("group=thuc", "group")],
)
def test_bad_list_arguments_are_422_naming_the_argument(client, ordering, query, field):
    answer = client.get(f"/api/v1/prices?{query}", headers=ordering)
    assert answer.status_code == 422
    assert field in [d["field"] for d in answer.json["error"]["details"]]


def test_only_an_ordering_key_of_a_partner_sees_prices(client, partner, xoi):
    _, producer_secret = api_key(producer=a_producer())
    _, accounting = api_key(partner=partner, role="accounting")
    assert client.get("/api/v1/prices").status_code == 401
    for secret in (producer_secret, accounting):
        answer = client.get("/api/v1/prices", headers=bearer(secret))
        assert answer.status_code == 403 and answer.json["error"]["code"] == "forbidden"


# Locations and delivery dates ------------------------------------------------------------------


def test_locations_show_the_partners_own_with_receiving_hours_for_both_roles(client, partner, location):
    closed = make_location(partner, "Chi nhánh cũ", hours={0: (420, 600)}, active=False)
    make_partner("Nhà hàng khác")  # its location is not listed
    for role in ("ordering", "accounting"):
        answer = client.get("/api/v1/locations", headers=bearer(api_key(partner=partner, role=role)[1]))
        assert answer.status_code == 200
        listed = answer.json["data"]
        assert [loc["id"] for loc in listed] == [location.id, closed.id]
        assert listed[0]["active"] is True and listed[1]["active"] is False
        assert listed[0]["receiving_hours"][0] == {"weekday": "monday", "opens": "06:00", "closes": "11:00"}
        assert [h["weekday"] for h in listed[0]["receiving_hours"]][-1] == "saturday"
        assert listed[1]["receiving_hours"] == [{"weekday": "monday", "opens": "07:00", "closes": "10:00"}]


def test_delivery_dates_follow_the_cut_off_and_the_receiving_days(client, ordering, location, xoi, tea):
    answer = client.get(f"/api/v1/delivery-dates?location_id={location.id}&skus={xoi.sku},{tea.sku}", headers=ordering)

    assert answer.status_code == 200
    dates = answer.json["dates"]
    assert dates[0]["date"] == "2026-12-01"  # Monday 09:00, before the 16:00 cut-off: Tuesday
    assert "2026-12-06" not in [d["date"] for d in dates]  # a Sunday: closed
    assert dates[0]["windows"] == [
        {"start": "06:00", "end": "08:00"},
        {"start": "08:00", "end": "10:00"},
        {"start": "10:00", "end": "11:00"},
    ]


def test_delivery_dates_refuse_another_partners_location_and_unknown_skus(client, ordering, location, tea):
    elsewhere = make_partner("Nhà hàng khác").locations[0]
    answer = client.get(f"/api/v1/delivery-dates?location_id={elsewhere.id}&skus={tea.sku}", headers=ordering)
    assert answer.status_code == 422 and answer.json["error"]["details"][0]["field"] == "location_id"
    answer = client.get(f"/api/v1/delivery-dates?location_id={location.id}&skus=NOPE", headers=ordering)
    assert answer.status_code == 422 and answer.json["error"]["details"][0]["field"] == "skus"
    assert "NOPE" in answer.json["error"]["message"]
    assert client.get(f"/api/v1/delivery-dates?location_id={location.id}", headers=ordering).status_code == 422
