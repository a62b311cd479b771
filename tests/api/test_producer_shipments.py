"""A producer's own system lists its shipments and marks them packed, shipped and delivered: the
same moves as the portal's buttons, so the order follows and the shopper is mailed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEvent
from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.fulfilment.models import Shipment
from shop.inventory.models import StockMovement
from shop.mail.services import run_committed_work
from shop.orders.models import Order
from tests.checkout.conftest import app_config  # noqa: F401  (a bank account for VietQR)
from tests.factories import PASSWORD
from tests.fulfilment.conftest import Shop, mails_to, stock
from tests.support.api import api_key, bearer
from tests.support.partners import make_partner

SHOPPER = "lan@example.vn"
LATE_NIGHT = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # 01:00 on 1 December in Hà Nội


@pytest.fixture
def shop(app):
    shop = Shop()
    shop.key, secret = api_key(producer=shop.xoi_maker, name="Phần mềm kho")
    shop.headers = bearer(secret, **{"Accept-Language": "en"})
    yield shop
    run_committed_work()  # the mail queued outside a request goes while the engine is open
    db.session.remove()


def get(client, shop, url):
    return client.get(f"/api/v1{url}", headers=shop.headers)


def post(client, shop, url, body=None):
    return client.post(f"/api/v1{url}", json=body, headers=shop.headers)


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


# --- Reading ------------------------------------------------------------------------------------


def test_the_list_has_the_producers_confirmed_shipments_newest_first_with_only_its_lines(client, shop):
    first = shop.order(token="tok-1", key="c1", delivery_note="Gọi trước 30 phút")
    second = shop.order(token="tok-2", key="c2", phone="0912 345 601", email="b@example.vn")
    pending = shop.order(token="tok-3", key="c3", payment_method="vietqr", phone="0912 345 602", email="c@x.vn")
    only_tea = shop.order(xoi=0, tea=1, token="tok-4", key="c4", phone="0912 345 603", email="d@example.vn")
    response = get(client, shop, "/shipments")
    assert response.status_code == 200
    data = response.json["data"]
    assert [s["order_number"] for s in data] == [second.number, first.number]
    text = response.get_data(as_text=True)
    assert pending.number not in text and only_tea.number not in text
    shipment = data[1]
    assert shipment["id"] == shop.shipment(first, shop.xoi_maker).id
    assert shipment["status"] == "open" and shipment["next_moves"] == ["packed"]
    assert shipment["lines"] == [
        {
            "sku": shop.xoi.variants[0].sku,
            "name": "Xôi Phú Thượng",
            "variant": "Gói 1",
            "quantity": 2,
            "line_total_vnd": 70_000,
        }
    ]
    assert shipment["subtotal_vnd"] == 70_000
    assert shipment["delivery"] == {"method": "standard", "date": None, "window": None}
    assert shipment["delivery_note"] == "Gọi trước 30 phút"
    assert shipment["recipient"]["name"] == "Nguyễn Thị Lan"
    assert shipment["recipient"]["address"]["street"] == "12 Đặng Thai Mai"
    assert shipment["created_at"].endswith("+00:00")
    assert "Chè Sen" not in text and "450000" not in text  # the other producer's line


def test_the_list_filters_by_status_and_day_and_pages_with_a_cursor(client, shop, clock):
    orders = [
        shop.order(token=f"tok-{n}", key=f"c{n}", phone=f"0912 345 60{n}", email=f"s{n}@example.vn") for n in range(3)
    ]
    fulfilment.pack(shop.shipment(orders[0], shop.xoi_maker))
    db.session.commit()

    def numbers(query):
        response = get(client, shop, f"/shipments?{query}")
        assert response.status_code == 200, response.json
        return [s["order_number"] for s in response.json["data"]], response.json["next_cursor"]

    assert numbers("status=packed") == ([orders[0].number], None)
    assert numbers("date_from=2026-12-01") == ([], None)
    assert numbers("date_from=2026-11-30&date_to=2026-11-30")[0] == [o.number for o in reversed(orders)]
    assert numbers("date_to=2026-11-29") == ([], None)
    page, cursor = numbers("limit=2")
    assert page == [orders[2].number, orders[1].number] and cursor
    assert numbers(f"limit=2&cursor={cursor}") == ([orders[0].number], None)
    for bad in ("status=lost", "date_from=30/11/2026", "date_from=2026-12-02&date_to=2026-12-01", "cursor=abc"):
        refused = get(client, shop, f"/shipments?{bad}")
        assert refused.status_code == 422, bad
        assert refused.json["error"]["details"][0]["field"] in ("status", "date_from", "cursor")
    # Days are Vietnam's: 01:00 on 1 December in Hà Nội is still 30 November in UTC.
    clock.move_to(LATE_NIGHT)
    late = shop.order(token="tok-9", key="c9", phone="0912 345 609", email="late@example.vn", now=LATE_NIGHT)
    assert numbers("date_from=2026-12-01") == ([late.number], None)
    assert late.number not in numbers("date_to=2026-11-30")[0]


def test_another_producers_shipment_or_one_waiting_for_payment_is_not_found(client, shop):
    order = shop.order()
    pending = shop.order(token="tok-2", key="c2", payment_method="vietqr", phone="0912 345 601", email="b@x.vn")
    mine = shop.shipment(order, shop.xoi_maker)
    assert get(client, shop, f"/shipments/{mine.id}").json["order_number"] == order.number
    for other in (shop.shipment(order, shop.tea_maker), shop.shipment(pending, shop.xoi_maker)):
        for method, url in (("get", ""), ("post", "/pack"), ("post", "/deliver")):
            response = getattr(client, method)(f"/api/v1/shipments/{other.id}{url}", headers=shop.headers)
            assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
        assert fresh(Shipment, other.id).status == "open"
    for missing in ("999999", "99999999999999999999", "-1"):
        assert get(client, shop, f"/shipments/{missing}").status_code == 404
        assert post(client, shop, f"/shipments/{missing}/pack").status_code == 404


def test_a_partner_key_gets_403_and_no_key_401(client, shop):
    order = shop.order()
    xoi = shop.shipment(order, shop.xoi_maker)
    _, partner_secret = api_key(partner=make_partner(), role="accounting")
    for headers, status in ((bearer(partner_secret), 403), ({}, 401)):
        assert client.get("/api/v1/shipments", headers=headers).status_code == status
        assert client.post(f"/api/v1/shipments/{xoi.id}/pack", headers=headers).status_code == status
    assert fresh(Shipment, xoi.id).status == "open"


# --- Moving a shipment --------------------------------------------------------------------------


def test_packing_shipping_and_delivering_move_the_order_as_from_the_portal(client, shop):
    order = shop.order()
    xoi, tea = shop.shipment(order, shop.xoi_maker), shop.shipment(order, shop.tea_maker)
    packed = post(client, shop, f"/shipments/{xoi.id}/pack")
    assert packed.status_code == 200, packed.json
    assert packed.json["status"] == "packed" and packed.json["packed_at"] and packed.json["next_moves"] == ["shipped"]
    assert fresh(Order, order.id).status == "processing"

    before = len(mails_to(SHOPPER))
    shipped = post(client, shop, f"/shipments/{xoi.id}/ship", {"carrier": "ghn", "tracking_number": " GHN  8899 "})
    assert shipped.status_code == 200, shipped.json
    assert (shipped.json["status"], shipped.json["carrier"], shipped.json["tracking_number"]) == (
        "shipped",
        "ghn",
        "GHN 8899",
    )
    assert stock(shop.xoi) == (18, 0)  # its stock left the shelf, through the ledger
    [moved] = db.session.scalars(select(StockMovement).where(StockMovement.reason == "ship")).all()
    assert moved.order_id == order.id and moved.actor_user_id is None
    assert fresh(Order, order.id).status == "processing"  # the tea has not left yet
    run_committed_work()
    [mail] = mails_to(SHOPPER)[before:]
    assert "GHN 8899" in mail.body_text

    delivered = post(client, shop, f"/shipments/{xoi.id}/deliver")
    assert delivered.status_code == 200 and delivered.json["status"] == "delivered"
    assert delivered.json["recipient"] is None  # nothing left to send: no contact, as on the portal
    fulfilment.pack(fresh(Shipment, tea.id))
    fulfilment.ship(fresh(Shipment, tea.id), carrier="own", tracking_number=None)
    fulfilment.deliver(fresh(Shipment, tea.id))
    db.session.commit()
    assert fresh(Order, order.id).status == "delivered"

    audits = db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "shipment").order_by(AuditEvent.id)).all()
    assert [a.action for a in audits] == ["shipment.pack", "shipment.ship", "shipment.deliver"]
    assert all(a.actor_user_id is None and "Phần mềm kho" in a.note and order.number in a.note for a in audits)
    assert audits[1].after == {"status": "shipped", "carrier": "ghn", "tracking_number": "GHN 8899"}


def test_a_move_made_through_the_api_shows_on_the_portals_shipment_page(client, login, shop):
    order = shop.order()
    xoi = shop.shipment(order, shop.xoi_maker)
    post(client, shop, f"/shipments/{xoi.id}/pack")
    post(client, shop, f"/shipments/{xoi.id}/ship", {"carrier": "viettel_post", "tracking_number": "VTP123456"})
    assert login(shop.xoi_owner.email, PASSWORD).status_code == 302
    html = client.get(f"/producer/shipments/{xoi.id}").get_data(as_text=True)
    assert "VTP123456" in html and "Viettel Post" in html
    assert f'action="/producer/shipments/{xoi.id}/deliver"' in html
    assert f'action="/producer/shipments/{xoi.id}/pack"' not in html


def test_shipping_needs_a_known_carrier_and_a_tracking_number_but_for_own_delivery(client, shop):
    order = shop.order()
    xoi = shop.shipment(order, shop.xoi_maker)
    post(client, shop, f"/shipments/{xoi.id}/pack")
    for body, field in (
        ({"carrier": "dhl", "tracking_number": "DHL1234"}, "carrier"),
        ({"tracking_number": "GHN1234"}, "carrier"),
        ({"carrier": "ghn"}, "tracking_number"),
        ({"carrier": "ghn", "tracking_number": "  "}, "tracking_number"),
        ({"carrier": "ghn", "tracking_number": "#!"}, "tracking_number"),
        ({"carrier": "ghn", "tracking_number": "G" * 61}, "tracking_number"),
        ({"carrier": "ghn", "tracking_number": 12345}, "tracking_number"),
    ):
        refused = post(client, shop, f"/shipments/{xoi.id}/ship", body)
        assert refused.status_code == 422, body
        assert refused.json["error"]["details"][0]["field"] == field, body
    assert fresh(Shipment, xoi.id).status == "packed" and stock(shop.xoi) == (20, 2)
    own = post(client, shop, f"/shipments/{xoi.id}/ship", {"carrier": "own"})
    assert own.status_code == 200 and own.json["tracking_number"] is None


def test_an_illegal_move_is_409_with_the_reason_and_changes_nothing(client, shop):
    order = shop.order()
    xoi = shop.shipment(order, shop.xoi_maker)
    too_soon = post(client, shop, f"/shipments/{xoi.id}/ship", {"carrier": "ghn", "tracking_number": "GHN1234"})
    assert too_soon.status_code == 409
    assert too_soon.json["error"]["code"] == "illegal_shipment_move"
    assert too_soon.json["error"]["message"] == "This shipment cannot go from “To pack” to “Shipped”."
    assert post(client, shop, f"/shipments/{xoi.id}/deliver").status_code == 409
    post(client, shop, f"/shipments/{xoi.id}/pack")
    post(client, shop, f"/shipments/{xoi.id}/ship", {"carrier": "ghn", "tracking_number": "GHN1234"})
    post(client, shop, f"/shipments/{xoi.id}/deliver")
    audits = len(db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "shipment")).all())
    again = post(client, shop, f"/shipments/{xoi.id}/pack")
    assert again.status_code == 409
    assert again.json["error"]["message"] == "This shipment cannot go from “Delivered” to “Packed”."
    assert fresh(Shipment, xoi.id).status == "delivered"
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "shipment")).all()) == audits


def test_a_cancelled_orders_shipment_cannot_be_packed(client, shop):
    order = shop.order()
    xoi = shop.shipment(order, shop.xoi_maker)
    fulfilment.cancel_shipment(xoi, reason="Hết xôi")
    fulfilment.cancel_shipment(shop.shipment(order, shop.tea_maker), reason="Hết chè")
    db.session.commit()
    shown = get(client, shop, f"/shipments/{xoi.id}").json
    assert shown["status"] == "cancelled" and shown["cancel_reason"] == "Hết xôi" and shown["next_moves"] == []
    refused = post(client, shop, f"/shipments/{xoi.id}/pack")
    assert refused.status_code == 409 and fresh(Shipment, xoi.id).status == "cancelled"
