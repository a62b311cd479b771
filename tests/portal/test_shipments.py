"""The producer's shipments in the portal: the list, one shipment with what is needed to send it,
the packing slip, the moves and the cancellation, the dashboard panel, and who may see what."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.fulfilment.models import Shipment
from shop.mail.services import run_committed_work
from tests.checkout.conftest import app_config  # noqa: F401  (a bank account for VietQR)
from tests.conftest import submit
from tests.fulfilment.conftest import Shop, stock
from tests.portal.conftest import a_member
from tests.support.builders import a_user


@pytest.fixture
def shop(app):
    yield Shop()
    run_committed_work()  # the mail queued outside a request goes while the engine is open
    db.session.remove()


def page_of(client, url: str):
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def test_the_list_shows_only_the_producers_own_confirmed_shipments_newest_first(client, as_member, shop):
    first = shop.order(token="tok-1", key="c1")
    second = shop.order(token="tok-2", key="c2", phone="0912 345 601", email="b@example.vn")
    pending = shop.order(token="tok-3", key="c3", payment_method="vietqr", phone="0912 345 602", email="c@example.vn")
    only_tea = shop.order(xoi=0, tea=1, token="tok-4", key="c4", phone="0912 345 603", email="d@example.vn")
    as_member(shop.xoi_owner)
    status, html = page_of(client, "/producer/shipments")
    assert status == 200
    assert html.index(second.number) < html.index(first.number)
    assert pending.number not in html  # waiting for its money: not the producer's yet
    assert only_tea.number not in html  # another producer's
    assert "2 to pack" in html or "2 cần đóng gói" in html


def test_the_list_filters_by_status_and_day_and_pages(client, as_member, shop, monkeypatch):
    orders = [
        shop.order(token=f"tok-{n}", key=f"c{n}", phone=f"0912 345 60{n}", email=f"s{n}@example.vn") for n in range(3)
    ]
    fulfilment.pack(shop.shipment(orders[0], shop.xoi_maker))
    db.session.commit()
    as_member(shop.xoi_owner)
    _, html = page_of(client, "/producer/shipments?status=packed")
    assert orders[0].number in html and orders[1].number not in html
    _, html = page_of(client, "/producer/shipments?from=2026-12-01")
    assert all(o.number not in html for o in orders)
    _, html = page_of(client, "/producer/shipments?from=2026-11-30&to=2026-11-30")
    assert all(o.number in html for o in orders)
    assert page_of(client, "/producer/shipments?from=not-a-date&status=nonsense")[0] == 200
    monkeypatch.setattr(fulfilment, "PAGE_SIZE", 2)
    _, html = page_of(client, "/producer/shipments")
    assert orders[2].number in html and orders[0].number not in html and 'rel="next"' in html
    _, html = page_of(client, "/producer/shipments?page=2")
    assert orders[0].number in html and orders[2].number not in html


def test_a_shipment_shows_what_is_needed_to_send_it_and_only_the_producers_lines(client, as_member, shop):
    order = shop.order(delivery_note="Gọi trước 30 phút")
    xoi = shop.shipment(order, shop.xoi_maker)
    as_member(shop.xoi_staff)
    status, html = page_of(client, f"/producer/shipments/{xoi.id}")
    assert status == 200
    for shown in ("Nguyễn Thị Lan", order.phone, "12 Đặng Thai Mai", "Gọi trước 30 phút", "Xôi Phú Thượng"):
        assert shown in html, shown
    assert "Chè Sen Quảng An" not in html  # the other producer's line
    assert "450.000" not in html
    assert f'action="/producer/shipments/{xoi.id}/pack"' in html
    assert f'action="/producer/shipments/{xoi.id}/cancel"' in html
    status, slip = page_of(client, f"/producer/shipments/{xoi.id}/slip")
    assert status == 200 and "12 Đặng Thai Mai" in slip and "Chè Sen" not in slip
    assert 'class="slip"' in slip and "/static/css/portal.css" in slip  # its print styles


def test_a_producer_packs_ships_and_delivers_through_the_page(client, as_member, shop):
    order = shop.order()
    xoi = shop.shipment(order, shop.xoi_maker)
    as_member(shop.xoi_owner)
    url = f"/producer/shipments/{xoi.id}"
    assert submit(client, f"{url}/pack", {}, page=url).status_code == 302
    refused = submit(client, f"{url}/ship", {"carrier": "ghn", "tracking_number": ""}, page=url)
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert submit(client, f"{url}/ship", {"carrier": "ghn", "tracking_number": "GHN8899"}, page=url).status_code == 302
    assert submit(client, f"{url}/deliver", {}, page=url).status_code == 302
    db.session.expire_all()
    shipment = db.session.get(Shipment, xoi.id)
    assert (shipment.status, shipment.tracking_number) == ("delivered", "GHN8899")
    assert stock(shop.xoi) == (18, 0)
    # A delivered shipment no longer shows the shopper's contact or address.
    _, html = page_of(client, url)
    assert order.phone not in html and "12 Đặng Thai Mai" not in html
    assert "GHN8899" in html


def test_a_second_click_on_a_move_says_so_and_changes_nothing(client, as_member, shop):
    order = shop.order()
    xoi = shop.shipment(order, shop.xoi_maker)
    as_member(shop.xoi_owner)
    url = f"/producer/shipments/{xoi.id}"
    submit(client, f"{url}/pack", {}, page=url)
    again = submit(client, f"{url}/pack", {}, page="/producer/shipments")
    assert again.status_code == 302
    assert len(db.session.scalars(select(Shipment).where(Shipment.status == "packed")).all()) == 1


def test_a_producer_cancels_its_lines_with_a_reason(client, as_member, shop):
    order = shop.order()
    tea = shop.shipment(order, shop.tea_maker)
    as_member(shop.tea_owner)
    url = f"/producer/shipments/{tea.id}"
    refused = submit(client, f"{url}/cancel", {"reason": "  "}, page=url)
    assert refused.status_code == 422
    assert submit(client, f"{url}/cancel", {"reason": "Sen mất mùa"}, page=url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Shipment, tea.id).cancel_reason == "Sen mất mùa"
    assert stock(shop.tea) == (10, 0)
    _, html = page_of(client, url)
    assert "Sen mất mùa" in html and order.phone not in html  # nothing left to send: no contact
    assert f"{url}/cancel" not in html


ROUTES = [
    ("get", ""),
    ("get", "/slip"),
    ("post", "/pack"),
    ("post", "/ship"),
    ("post", "/deliver"),
    ("post", "/cancel"),
]


def _hit(client, method, url):
    if method == "get":
        return client.get(url)
    return submit(client, url, {"reason": "x", "carrier": "own"}, page="/producer/shipments")


@pytest.mark.parametrize(("method", "suffix"), ROUTES)
def test_another_producers_shipment_is_not_found(client, as_member, shop, method, suffix):
    order = shop.order()
    tea = shop.shipment(order, shop.tea_maker)
    as_member(shop.xoi_owner)
    assert _hit(client, method, f"/producer/shipments/{tea.id}{suffix}").status_code == 404
    assert db.session.get(Shipment, tea.id).status == "open"


@pytest.mark.parametrize(("method", "suffix"), ROUTES)
def test_a_shipment_waiting_for_payment_is_not_found(client, as_member, shop, method, suffix):
    order = shop.order(payment_method="vietqr")
    xoi = shop.shipment(order, shop.xoi_maker)
    as_member(shop.xoi_owner)
    assert _hit(client, method, f"/producer/shipments/{xoi.id}{suffix}").status_code == 404


@pytest.mark.parametrize(("method", "suffix"), ROUTES)
def test_a_shopper_is_refused(client, as_member, shop, method, suffix):
    order = shop.order()
    xoi = shop.shipment(order, shop.xoi_maker)
    as_member(a_user(email="khach@example.vn"))
    if method == "get":
        assert client.get(f"/producer/shipments/{xoi.id}{suffix}").status_code == 403
    else:
        response = submit(client, f"/producer/shipments/{xoi.id}{suffix}", {"reason": "x"}, page="/account/profile")
        assert response.status_code == 403
    assert client.get("/producer/shipments").status_code == 403


@pytest.mark.parametrize(("method", "suffix"), ROUTES)
def test_anonymous_visitors_are_sent_to_log_in(client, shop, method, suffix):
    order = shop.order()
    xoi = shop.shipment(order, shop.xoi_maker)
    db.session.commit()
    url = f"/producer/shipments/{xoi.id}{suffix}"
    # The app-wide CSRF check answers a tokenless POST first: post with the login page's token.
    response = client.get(url) if method == "get" else submit(client, url, {"x": "y"}, page="/account/login")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert db.session.get(Shipment, xoi.id).status == "open"


def test_the_menu_and_the_dashboard_show_shipments_waiting_oldest_first(client, as_member, shop):
    first = shop.order(token="tok-1", key="c1")
    second = shop.order(token="tok-2", key="c2", phone="0912 345 601", email="b@example.vn")
    fulfilment.pack(shop.shipment(second, shop.xoi_maker))
    db.session.commit()
    as_member(shop.xoi_owner)
    _, html = page_of(client, "/producer/")
    assert 'href="/producer/shipments"' in html
    panel = html[html.index('id="shipments-panel-heading"') :]
    assert panel.index(first.number) < panel.index(second.number)
    assert 'href="/producer/shipments?status=open"' in panel and 'href="/producer/shipments?status=packed"' in panel


def test_the_dashboard_has_no_shipments_panel_when_nothing_waits(client, as_member):
    member = a_member(name="Chủ HTX mới")
    as_member(member)
    _, html = page_of(client, "/producer/")
    assert "shipments-panel-heading" not in html
