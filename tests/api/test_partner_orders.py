# ruff: noqa: F811 (the fixtures imported below are the tests' parameters)
"""Placing and reading a partner's orders through the API: the same order as the quick order
places (prices, invoice, shipments), an Idempotency-Key that makes a retried or doubled request
one order, refusals that say which field to fix and write nothing, and each key seeing only its
own partner's orders."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from shop.audit.models import AuditEvent
from shop.catalog.models import Variant
from shop.extensions import db
from shop.fulfilment.models import Shipment
from shop.integrations.models import IdempotencyRecord
from shop.inventory.models import StockMovement
from shop.mail.models import OutboundMail
from shop.orders.models import Order
from tests.portal.conftest import a_member
from tests.support.api import api_key, bearer
from tests.support.builders import a_producer
from tests.support.partners import log_in, make_partner, owner_of

# The wholesale tests' partner (net 15, a credit limit), location and products, as fixtures here.
from tests.wholesale.conftest import app_config, location, partner, tea, xoi  # noqa: F401

EN = {"Accept-Language": "en"}


@pytest.fixture
def secret(partner):
    return api_key(partner=partner, role="ordering", name="Purchasing system", by=owner_of(partner))[1]


def headers(secret, key="order-1", **more):
    return bearer(secret, **{"Idempotency-Key": key, **EN, **more})


def body(location, *lines, day="2026-12-01", **fields):
    return {
        "location_id": location.id,
        "delivery_date": day,
        "window": {"start": "06:00", "end": "08:00"},
        "lines": [{"sku": variant.sku, "quantity": quantity} for variant, quantity in lines],
        **fields,
    }


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def mailed(number: str) -> list[str]:
    """Who was mailed about the order (its confirmation names it in the subject)."""
    return list(db.session.scalars(select(OutboundMail.to_addr).where(OutboundMail.subject.contains(number))))


def written() -> dict:
    """What a refusal must not leave behind."""
    return {
        "orders": count(Order),
        "movements": count(StockMovement),
        "reserved": db.session.scalar(select(func.coalesce(func.sum(Variant.reserved), 0))),
        "idempotency": count(IdempotencyRecord),
    }


def test_an_order_on_terms_is_placed_at_the_partners_prices_with_its_invoice_and_shipments(
    client, partner, location, secret, xoi, tea
):
    answer = client.post(
        "/api/v1/orders",
        json=body(location, (xoi, 20), (tea, 2), po_number="PO-42", note="Gọi trước 15 phút"),
        headers=headers(secret),
    )

    assert answer.status_code == 201, answer.json
    order = answer.json
    assert answer.headers["Location"].endswith(f"/api/v1/orders/{order['id']}")
    assert "Idempotent-Replayed" not in answer.headers
    assert order["status"] == "confirmed"
    assert order["delivery_date"] == "2026-12-01"
    assert order["window"] == {"start": "06:00", "end": "08:00"}
    assert order["location"] == {"id": location.id, "name": location.name}
    assert order["po_number"] == "PO-42" and order["note"] == "Gọi trước 15 phút"
    lines = {line["sku"]: line for line in order["lines"]}
    assert (lines[xoi.sku]["unit_price_vnd"], lines[xoi.sku]["line_total_vnd"]) == (25_000, 500_000)  # the break
    assert (lines[tea.sku]["unit_price_vnd"], lines[tea.sku]["quantity"]) == (200_000, 2)
    assert lines[xoi.sku]["vat_rate_bp"] == 800
    assert order["subtotal_vnd"] == order["total_vnd"] == 900_000
    assert order["vat_vnd"] == sum(r["vat_vnd"] for r in order["vat_by_rate"]) > 0
    assert order["payment"]["method"] == "invoice" and order["payment"]["payment_url"] is None
    assert order["invoice"]["number"].startswith("HD2026-") and order["invoice"]["due_on"] == "2026-12-16"
    assert len(order["shipments"]) == 2 and {s["status"] for s in order["shipments"]} == {"open"}
    assert order["api_key"]["name"] == "Purchasing system"

    stored = db.session.get(Order, order["id"])
    assert stored.partner_id == partner.id and stored.user_id is None
    assert db.session.get(Variant, xoi.id).reserved == 20
    # The person who made the key gets the order's mail; the audit log names the key.
    assert mailed(order["number"]) == [owner_of(partner).email]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "order.place"))
    assert "Purchasing system" in event.note and event.entity_id == str(order["id"])

    assert client.get(f"/api/v1/orders/{order['id']}", headers=bearer(secret)).json["number"] == order["number"]


def test_an_api_order_shows_on_the_partners_pages_and_the_producers_shipments(
    client, app, partner, location, secret, xoi
):
    number = client.post(
        "/api/v1/orders", json=body(location, (xoi, 10), po_number="PO-77"), headers=headers(secret)
    ).json["number"]
    order = db.session.scalar(select(Order).where(Order.number == number))

    log_in(client, owner_of(partner))
    listing = client.get("/partner/orders", headers=EN).get_data(as_text=True)
    assert number in listing
    page = client.get(f"/partner/orders/{order.id}", headers=EN).get_data(as_text=True)
    assert "25.000" in page and "PO-77" in page

    producer_client = app.test_client()
    log_in(producer_client, a_member(xoi.product.producer, role="owner"))
    shipment = db.session.scalar(select(Shipment).where(Shipment.order_id == order.id))
    shipment_page = producer_client.get(f"/producer/shipments/{shipment.id}", headers=EN).get_data(as_text=True)
    assert "PO-77" in shipment_page and "06:00–08:00" in shipment_page


def test_a_prepaid_partner_chooses_how_to_pay_and_gets_where_to_pay(client, location, xoi):
    prepaid = make_partner("Quán chay", payment_terms="prepaid")
    _, secret = api_key(partner=prepaid)
    where = prepaid.locations[0]
    refused = client.post("/api/v1/orders", json=body(where, (xoi, 10)), headers=headers(secret))
    assert refused.status_code == 422 and refused.json["error"]["details"][0]["field"] == "payment_method"

    placed = client.post(
        "/api/v1/orders", json=body(where, (xoi, 10), payment_method="vietqr"), headers=headers(secret)
    ).json
    assert placed["status"] == "pending_payment"
    assert placed["payment"]["method"] == "vietqr" and placed["payment"]["payment_url"].startswith("http://shop.test/")
    # Without a creator who still acts for it, the mail goes to the e-invoice address.
    assert mailed(placed["number"]) == [prepaid.einvoice_email]


# Idempotency -----------------------------------------------------------------------------------


def test_the_same_key_and_body_answer_the_same_order_again(client, location, secret, xoi):
    first = client.post("/api/v1/orders", json=body(location, (xoi, 10)), headers=headers(secret))
    # The same JSON with its keys in another order and other spacing is the same body.
    same = {"window": {"end": "08:00", "start": "06:00"}, **body(location, (xoi, 10))}
    again = client.post(
        "/api/v1/orders",
        data=json.dumps(same, indent=2),
        content_type="application/json",
        headers=headers(secret),
    )

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert count(Order) == 1
    assert db.session.get(Variant, xoi.id).reserved == 10


def test_the_same_key_with_another_body_is_409_and_orders_nothing(client, location, secret, xoi):
    client.post("/api/v1/orders", json=body(location, (xoi, 10)), headers=headers(secret))
    other = client.post("/api/v1/orders", json=body(location, (xoi, 15)), headers=headers(secret))

    assert other.status_code == 409
    assert other.json["error"]["code"] == "idempotency_key_reused"
    assert count(Order) == 1
    assert (
        client.post("/api/v1/orders", json=body(location, (xoi, 15)), headers=headers(secret, "order-2")).status_code
        == 201
    )


def test_each_key_has_its_own_idempotency_keys(client, partner, location, secret, xoi):
    _, other_secret = api_key(partner=partner, name="Kitchen tablet")
    client.post("/api/v1/orders", json=body(location, (xoi, 10)), headers=headers(secret))
    second = client.post("/api/v1/orders", json=body(location, (xoi, 10)), headers=headers(other_secret))
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers
    assert count(Order) == 2


@pytest.mark.parametrize("key", [None, "", "x" * 256, "đơn-hàng-1", "tab\there"])
def test_a_missing_or_malformed_idempotency_key_is_refused(client, location, secret, xoi, key):
    sent = bearer(secret, **EN) if key is None else bearer(secret, **EN, **{"Idempotency-Key": key})
    answer = client.post("/api/v1/orders", json=body(location, (xoi, 10)), headers=sent)
    assert answer.status_code in (400, 422)
    assert answer.json["error"]["details"][0]["field"] == "Idempotency-Key"
    assert count(Order) == 0


@pytest.mark.both_databases
def test_two_requests_at_once_with_one_key_make_one_order(app, backend, partner, location, secret, xoi):
    sent, payload = headers(secret, "twice"), body(location, (xoi, 10))
    db.session.remove()
    start = threading.Barrier(2)
    answers: list = [None, None]

    def post(n: int) -> None:
        client = app.test_client()
        try:
            start.wait(timeout=30)
            answers[n] = client.post("/api/v1/orders", json=payload, headers=sent)
        except Exception as exc:  # noqa: BLE001 (shown in the assertion)
            answers[n] = exc

    threads = [threading.Thread(target=post, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [getattr(a, "status_code", a) for a in answers] == [201, 201], answers
    assert answers[0].json == answers[1].json
    assert sorted(a.headers.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]
    assert count(Order) == 1 and count(IdempotencyRecord) == 1
    assert db.session.get(Variant, xoi.id).reserved == 10


# Refusals --------------------------------------------------------------------------------------


def _nothing_written(before: dict) -> None:
    assert written() == before


@pytest.mark.parametrize(
    "change, status, field, words",
    [
        (lambda b, xoi, tea: b["lines"].append({"sku": "KHONG-CO", "quantity": 1}), 422, "lines.2.sku", "KHONG-CO"),
        (
            lambda b, xoi, tea: b["lines"].append({"sku": xoi.sku.lower(), "quantity": 5}),
            422,
            "lines.2.sku",
            "two lines",
        ),
        (lambda b, xoi, tea: b["lines"][0].update(quantity=3), 422, "lines.0.quantity", "minimum for partners is 5"),
        (lambda b, xoi, tea: b["lines"][0].update(quantity=12), 422, "lines.0.quantity", "steps of 5"),
        (lambda b, xoi, tea: b["lines"][1].update(quantity=60), 422, "lines.1.quantity", "Only 50 available"),
        (lambda b, xoi, tea: b["lines"][0].update(quantity="10"), 422, "lines.0.quantity", ""),
        (lambda b, xoi, tea: b.update(delivery_date="2026-11-30"), 422, "delivery_date", "after today"),
        (lambda b, xoi, tea: b.update(delivery_date="2026-12-06"), 422, "delivery_date", "does not receive"),
        (lambda b, xoi, tea: b.update(delivery_date="1 December"), 422, "delivery_date", ""),
        (lambda b, xoi, tea: b.update(window={"start": "10:00", "end": "12:00"}), 422, "window", "from 06:00 to 11:00"),
        (lambda b, xoi, tea: b.update(window={"start": "08:00", "end": "06:00"}), 422, "window.end", "end after"),
        (lambda b, xoi, tea: b.update(location_id=999_999), 422, "location_id", "delivery locations"),
        (lambda b, xoi, tea: b.update(po_number="P" * 41), 422, "po_number", ""),
        (lambda b, xoi, tea: b.update(expected_total_vnd=1), 409, None, "changed"),
        (lambda b, xoi, tea: b.update(lines=[]), 422, "lines", ""),
        (lambda b, xoi, tea: b.update(surprise=True), 422, "surprise", ""),
    ],
)
def test_a_refused_order_names_the_field_and_writes_nothing(
    client, location, secret, xoi, tea, change, status, field, words
):
    sent = body(location, (xoi, 10), (tea, 2))
    change(sent, xoi, tea)
    before = written()

    answer = client.post("/api/v1/orders", json=sent, headers=headers(secret))

    assert answer.status_code == status, answer.json
    error = answer.json["error"]
    assert words in error["message"] + " ".join(d["message"] for d in error["details"])
    if field:
        assert field in [d["field"] for d in error["details"]]
    _nothing_written(before)
    assert db.session.get(Variant, xoi.id).reserved == 0


def test_another_partners_location_is_refused(client, location, secret, xoi):
    elsewhere = make_partner("Nhà hàng khác").locations[0]
    answer = client.post("/api/v1/orders", json=body(elsewhere, (xoi, 10)), headers=headers(secret))
    assert answer.status_code == 422 and answer.json["error"]["details"][0]["field"] == "location_id"


def test_a_malformed_body_is_400(client, secret):
    answer = client.post("/api/v1/orders", data="{not json", content_type="application/json", headers=headers(secret))
    assert answer.status_code == 400 and answer.json["error"]["code"] == "malformed"


def test_a_refused_request_can_be_fixed_and_sent_again_with_the_same_key(client, location, secret, xoi):
    refused = client.post("/api/v1/orders", json=body(location, (xoi, 12)), headers=headers(secret))
    assert refused.status_code == 422
    fixed = client.post("/api/v1/orders", json=body(location, (xoi, 15)), headers=headers(secret))
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed.headers


def test_over_the_credit_limit_or_with_an_overdue_invoice_nothing_is_ordered(
    client, clock, partner, location, secret, tea
):
    partner.credit_limit_vnd = 500_000
    db.session.commit()
    before = written()
    over = client.post("/api/v1/orders", json=body(location, (tea, 3)), headers=headers(secret))
    assert over.status_code == 422 and "over your credit limit" in over.json["error"]["message"]
    _nothing_written(before)

    assert client.post("/api/v1/orders", json=body(location, (tea, 2)), headers=headers(secret, "2")).status_code == 201
    clock.move_to(datetime(2026, 12, 20, 2, 0))  # its invoice was due on 16 December
    partner.credit_limit_vnd = 5_000_000
    db.session.commit()
    before = written()
    held = client.post("/api/v1/orders", json=body(location, (tea, 1), day="2026-12-22"), headers=headers(secret, "3"))
    assert held.status_code == 422 and "overdue" in held.json["error"]["message"]
    _nothing_written(before)


# Reading and scoping ---------------------------------------------------------------------------


def test_a_producer_key_or_an_accounting_key_cannot_order(client, partner, location, xoi):
    _, producer_secret = api_key(producer=a_producer())
    _, accounting = api_key(partner=partner, role="accounting")
    for secret in (producer_secret, accounting):
        answer = client.post("/api/v1/orders", json=body(location, (xoi, 10)), headers=headers(secret))
        assert answer.status_code == 403
    assert count(Order) == 0
    assert client.get("/api/v1/orders", headers=bearer(producer_secret)).status_code == 403
    assert client.get("/api/v1/orders", headers=bearer(accounting)).status_code == 200


def test_a_partner_reads_only_its_own_orders(client, partner, location, secret, xoi):
    other = make_partner("Nhà hàng khác", payment_terms="net7", credit_limit_vnd=1_000_000)
    _, other_secret = api_key(partner=other)
    theirs = client.post("/api/v1/orders", json=body(other.locations[0], (xoi, 10)), headers=headers(other_secret)).json
    mine = client.post("/api/v1/orders", json=body(location, (xoi, 10)), headers=headers(secret)).json

    assert [o["id"] for o in client.get("/api/v1/orders", headers=bearer(secret)).json["data"]] == [mine["id"]]
    missing = client.get(f"/api/v1/orders/{theirs['id']}", headers=bearer(secret))
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"


def test_orders_list_newest_first_with_a_cursor_and_filters(client, partner, location, secret, xoi, tea):
    ids = []
    for n, day in enumerate(["2026-12-01", "2026-12-02", "2026-12-03"]):
        placed = client.post("/api/v1/orders", json=body(location, (tea, 1), day=day), headers=headers(secret, f"k{n}"))
        ids.append(placed.json["id"])
    reader = bearer(secret)

    first = client.get("/api/v1/orders?limit=2", headers=reader).json
    rest = client.get(f"/api/v1/orders?limit=2&cursor={first['next_cursor']}", headers=reader).json
    assert [o["id"] for o in first["data"] + rest["data"]] == ids[::-1]
    assert rest["next_cursor"] is None

    between = client.get("/api/v1/orders?delivery_from=2026-12-02&delivery_to=2026-12-02", headers=reader).json
    assert [o["id"] for o in between["data"]] == [ids[1]]
    assert client.get("/api/v1/orders?status=cancelled", headers=reader).json["data"] == []
    assert client.get("/api/v1/orders?status=lost", headers=reader).status_code == 422
    assert date.fromisoformat(first["data"][0]["delivery_date"]) == date(2026, 12, 3)
