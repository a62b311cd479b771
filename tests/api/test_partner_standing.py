# ruff: noqa: F811 (the fixtures imported below are the tests' parameters)
"""Standing orders through the API (ordering keys): create one, read it with its next dates, and
pause, resume, skip, deliver again, change the lines and end it — through the same services as
the pages' buttons, the key named in the audit log, another partner's standing order a 404."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shop.audit.models import AuditEvent
from shop.extensions import db
from shop.wholesale.models import StandingOrder
from tests.support.api import api_key, bearer
from tests.support.builders import a_producer
from tests.support.partners import make_partner

# The wholesale tests' partner (net 15, a credit limit), location and products, as fixtures here.
from tests.wholesale.conftest import app_config, location, partner, tea, xoi  # noqa: F401

EN = {"Accept-Language": "en"}


@pytest.fixture
def ordering(partner):
    return bearer(api_key(partner=partner, role="ordering", name="Kitchen planner")[1], **EN)


def new(location, *lines, **fields):
    return {
        "name": "Xôi sáng",
        "location_id": location.id,
        "lines": [{"sku": variant.sku, "quantity": quantity} for variant, quantity in lines],
        "weekdays": ["monday", "wednesday", "friday"],
        "start_date": "2026-12-02",
        "window": {"start": "06:00", "end": "08:00"},
        "po_number": "PO-S",
        **fields,
    }


@pytest.fixture
def standing(client, ordering, location, xoi):
    answer = client.post("/api/v1/standing-orders", json=new(location, (xoi, 10)), headers=ordering)
    assert answer.status_code == 201, answer.json
    return answer.json


def test_a_standing_order_is_created_with_its_next_dates_and_the_key_in_the_audit_log(standing, location, xoi):
    assert standing["status"] == "active"
    assert standing["location"]["id"] == location.id
    assert standing["weekdays"] == ["monday", "wednesday", "friday"]
    assert (standing["start_date"], standing["end_date"]) == ("2026-12-02", None)
    assert standing["window"] == {"start": "06:00", "end": "08:00"} and standing["po_number"] == "PO-S"
    assert standing["lines"] == [
        {
            "sku": xoi.sku,
            "product_name": "Xôi Phú Thượng",
            "variant_name": "Gói 1",
            "quantity": 10,
            "valid_from": "2026-12-02",
            "valid_to": None,
        }
    ]
    assert [(d["date"], d["state"]) for d in standing["next_dates"][:3]] == [
        ("2026-12-02", "will_order"),
        ("2026-12-04", "will_order"),
        ("2026-12-07", "will_order"),
    ]
    stored = db.session.get(StandingOrder, standing["id"])
    assert stored.created_by_user_id is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "standing_order.create"))
    assert "Kitchen planner" in event.note and event.actor_user_id is None


def test_pause_resume_skip_and_unskip(client, ordering, standing):
    url = f"/api/v1/standing-orders/{standing['id']}"
    paused = client.post(f"{url}/pause", headers=ordering)
    assert paused.status_code == 200 and paused.json["status"] == "paused"
    assert {d["state"] for d in paused.json["next_dates"]} == {"paused"}
    again = client.post(f"{url}/pause", headers=ordering)
    assert again.status_code == 409 and "paused already" in again.json["error"]["message"]
    assert client.post(f"{url}/resume", headers=ordering).json["status"] == "active"

    skipped = client.post(f"{url}/skip", json={"date": "2026-12-04"}, headers=ordering)
    assert skipped.status_code == 200 and skipped.json["skipped_dates"] == ["2026-12-04"]
    assert next(d for d in skipped.json["next_dates"] if d["date"] == "2026-12-04")["state"] == "skipped"
    assert client.post(f"{url}/skip", json={"date": "2026-12-04"}, headers=ordering).status_code == 409
    not_a_day = client.post(f"{url}/skip", json={"date": "2026-12-03"}, headers=ordering)  # a Thursday
    assert not_a_day.status_code == 422 and not_a_day.json["error"]["details"][0]["field"] == "date"
    assert client.post(f"{url}/skip", json={}, headers=ordering).status_code == 422

    back = client.post(f"{url}/unskip", json={"date": "2026-12-04"}, headers=ordering)
    assert back.status_code == 200 and back.json["skipped_dates"] == []
    assert client.post(f"{url}/unskip", json={"date": "2026-12-04"}, headers=ordering).status_code == 409


def test_the_lines_change_from_a_date(client, ordering, standing, xoi, tea):
    url = f"/api/v1/standing-orders/{standing['id']}/lines"
    changed = client.put(url, json={"from": "2026-12-07", "lines": [{"sku": tea.sku, "quantity": 2}]}, headers=ordering)

    assert changed.status_code == 200
    assert [(line["sku"], line["valid_from"], line["valid_to"]) for line in changed.json["lines"]] == [
        (xoi.sku, "2026-12-02", "2026-12-06"),
        (tea.sku, "2026-12-07", None),
    ]
    bad = client.put(url, json={"from": "2026-12-14", "lines": [{"sku": "KHONG-CO", "quantity": 2}]}, headers=ordering)
    assert bad.status_code == 422 and bad.json["error"]["details"][0]["field"] == "lines.0.sku"
    off_step = client.put(
        url, json={"from": "2026-12-14", "lines": [{"sku": xoi.sku, "quantity": 7}]}, headers=ordering
    )
    assert off_step.status_code == 422 and off_step.json["error"]["details"][0]["field"] == "lines.0.quantity"
    too_soon = client.put(
        url, json={"from": "2026-11-30", "lines": [{"sku": tea.sku, "quantity": 2}]}, headers=ordering
    )
    assert too_soon.status_code == 422 and too_soon.json["error"]["details"][0]["field"] == "from"


def test_ending_on_a_date_or_as_soon_as_it_may(client, ordering, standing, location, tea):
    ended = client.post(f"/api/v1/standing-orders/{standing['id']}/end", json={"date": "2026-12-11"}, headers=ordering)
    assert ended.status_code == 200 and ended.json["end_date"] == "2026-12-11"
    past = client.post(f"/api/v1/standing-orders/{standing['id']}/end", json={"date": "2026-11-01"}, headers=ordering)
    assert past.status_code == 422 and past.json["error"]["details"][0]["field"] == "date"

    other = client.post("/api/v1/standing-orders", json=new(location, (tea, 1), name="Trà"), headers=ordering).json
    removed = client.post(f"/api/v1/standing-orders/{other['id']}/end", json={}, headers=ordering)
    assert removed.status_code == 204  # it had not started: nothing to keep
    assert db.session.get(StandingOrder, other["id"]) is None


def test_the_list_has_every_location_with_a_cursor(client, ordering, partner, location, xoi, tea):
    from tests.support.partners import make_location

    second = make_location(partner, "Chi nhánh Ba Đình")
    ids = [
        client.post("/api/v1/standing-orders", json=new(where, (tea, 1), name=f"S{n}"), headers=ordering).json["id"]
        for n, where in enumerate([location, second, location])
    ]
    first = client.get("/api/v1/standing-orders?limit=2", headers=ordering).json
    rest = client.get(f"/api/v1/standing-orders?limit=2&cursor={first['next_cursor']}", headers=ordering).json
    assert [s["id"] for s in first["data"] + rest["data"]] == ids
    assert rest["next_cursor"] is None
    assert client.get(f"/api/v1/standing-orders/{ids[1]}", headers=ordering).json["location"]["id"] == second.id


@pytest.mark.parametrize(
    "change, status, field",
    [
        ({"weekdays": ["sunday"]}, 422, "weekdays"),
        ({"weekdays": ["funday"]}, 422, "weekdays.0"),
        ({"weekdays": []}, 422, "weekdays"),
        ({"start_date": "2026-11-30"}, 422, "start_date"),
        ({"window": {"start": "10:00", "end": "12:00"}}, 422, "window"),
        ({"lines": [{"sku": "KHONG-CO", "quantity": 1}]}, 422, "lines.0.sku"),
        ({"name": "  "}, 422, "name"),
        ({"location_id": 999_999}, 404, None),
    ],
)
def test_a_refused_standing_order_names_the_field_and_saves_nothing(
    client, ordering, location, tea, change, status, field
):
    answer = client.post("/api/v1/standing-orders", json={**new(location, (tea, 1)), **change}, headers=ordering)
    assert answer.status_code == status, answer.json
    if field:
        assert field in [d["field"] for d in answer.json["error"]["details"]]
    assert db.session.scalar(select(func.count()).select_from(StandingOrder)) == 0


def test_a_prepaid_partner_has_no_standing_orders(client, xoi):
    prepaid = make_partner("Quán chay", payment_terms="prepaid")
    _, secret = api_key(partner=prepaid)
    answer = client.post(
        "/api/v1/standing-orders", json=new(prepaid.locations[0], (xoi, 10)), headers=bearer(secret, **EN)
    )
    assert answer.status_code == 422 and "on account" in answer.json["error"]["message"]


def test_another_partners_standing_order_or_location_is_404_and_other_keys_are_403(
    client, partner, ordering, standing, location, xoi
):
    other = make_partner("Nhà hàng khác", payment_terms="net7", credit_limit_vnd=1_000_000)
    _, other_secret = api_key(partner=other)
    theirs = bearer(other_secret)
    url = f"/api/v1/standing-orders/{standing['id']}"
    assert client.get(url, headers=theirs).status_code == 404
    assert client.post(f"{url}/pause", headers=theirs).status_code == 404
    assert (
        client.put(
            f"{url}/lines", json={"from": "2026-12-07", "lines": [{"sku": "X", "quantity": 1}]}, headers=theirs
        ).status_code
        == 404
    )
    assert client.get("/api/v1/standing-orders", headers=theirs).json["data"] == []
    assert client.post("/api/v1/standing-orders", json=new(location, (xoi, 5)), headers=theirs).status_code == 404
    assert db.session.get(StandingOrder, standing["id"]).status == "active"

    for secret in (api_key(partner=partner, role="accounting")[1], api_key(producer=a_producer())[1]):
        assert client.get(url, headers=bearer(secret)).status_code == 403
        assert client.post(f"{url}/pause", headers=bearer(secret)).status_code == 403
