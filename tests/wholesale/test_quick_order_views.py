"""The partner's ordering pages through HTTP: who may open them, the grid that keeps quantities
and shows the server's prices, the CSV preview, placing an order, and isolation between
locations and partners."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.orders.models import Order
from tests.conftest import csrf_token_from, submit
from tests.support.partners import add_member, log_in, make_location, make_partner
from tests.wholesale.test_ordering import place, request_for


@pytest.fixture
def en(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def fill_grid(client, quantities: dict, action="update"):
    data = {"shown": ",".join(str(v.id) for v in quantities), "action": action}
    data.update({f"qty-{v.id}": str(q) for v, q in quantities.items()})
    return submit(client, "/partner/order", data, page="/partner/order")


def test_an_accountant_cannot_open_the_quick_order(en, partner):
    accountant = add_member(partner, "accountant")
    log_in(en, accountant)
    assert en.get("/partner/order").status_code == 403
    assert en.get("/partner/orders").status_code == 403


def test_the_grid_shows_each_pack_with_its_ladder_rules_and_a_labelled_input(en, buyer, xoi, tea):
    log_in(en, buyer)
    html = en.get("/partner/order").get_data(as_text=True)
    assert f'<label class="visually-hidden" for="qty-{xoi.id}">Quantity of Xôi Phú Thượng,' in html
    assert "min. 5, in steps of 5" in html
    assert "from 10: 25.000 ₫" in html and "retail: 30.000 ₫" in html
    assert f'aria-describedby="rules-{xoi.id} problem-{xoi.id}"' in html
    # Search by SKU narrows the grid.
    html = en.get(f"/partner/order?q={tea.sku}").get_data(as_text=True)
    assert f'id="qty-{tea.id}"' in html and f'id="qty-{xoi.id}"' not in html


def test_update_prices_keeps_the_quantities_and_shows_the_volume_price_and_problems_inline(en, buyer, xoi, tea):
    log_in(en, buyer)
    response = fill_grid(en, {xoi: 12, tea: 1})
    assert response.status_code == 302
    html = en.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="12"' in html
    assert "volume price from 10" in html
    problem = re.search(rf'id="problem-{xoi.id}"[^>]*>([^<]*)<', html).group(1)
    assert problem == "Order in steps of 5: 10 or 15."
    # The tea's line is fine: its total is shown.
    assert "200.000 ₫" in html
    response = fill_grid(en, {xoi: 10})
    html = en.get(response.headers["Location"]).get_data(as_text=True)
    assert "250.000 ₫" in html and "you save 50.000 ₫" in html


def test_the_price_endpoint_answers_with_the_servers_prices_and_keeps_the_draft(en, buyer, xoi):
    log_in(en, buyer)
    token = csrf_token_from(en.get("/partner/order").get_data(as_text=True))
    answer = en.post(
        "/partner/order/price", data={"csrf_token": token, "shown": str(xoi.id), f"qty-{xoi.id}": "20"}
    ).get_json()
    line = answer["lines"][str(xoi.id)]
    assert (line["total"], line["source"], line["problem"]) == ("500.000 ₫", "volume price from 10", "")
    assert answer["subtotal"] == "500.000 ₫"
    assert 'value="20"' in en.get("/partner/order").get_data(as_text=True)


def test_a_pasted_csv_is_previewed_and_reaches_the_order_only_when_confirmed(en, buyer, xoi, tea):
    log_in(en, buyer)
    text = f"sku,quantity\n{xoi.sku},12\n{tea.sku},2\nNO-SUCH,1\n"
    response = submit(en, "/partner/order/upload", {"text": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Order in steps of 5: 10 or 15." in html and "No product for sale has the SKU NO-SUCH." in html
    grid = en.get("/partner/order?mine=1").get_data(as_text=True)
    assert f'id="qty-{tea.id}"' not in grid  # nothing in the draft yet
    lines = re.search(r'name="lines" type="hidden" value="([^"]+)"', html).group(1)
    assert lines == f"{tea.id}:2"
    response = submit(en, "/partner/order/upload/confirm", {"lines": lines}, page="/partner/order")
    assert response.status_code == 302
    grid = en.get("/partner/order?mine=1").get_data(as_text=True)
    assert f'id="qty-{tea.id}"' in grid and f'id="qty-{xoi.id}"' not in grid
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_a_file_of_10000_rows_is_refused_with_a_clear_message(en, buyer):
    log_in(en, buyer)
    html = en.get("/partner/order/upload").get_data(as_text=True)
    body = "".join(f"SKU-{n},5\n" for n in range(10_000)).encode()
    from io import BytesIO

    response = en.post(
        "/partner/order/upload",
        data={"csrf_token": csrf_token_from(html), "file": (BytesIO(body), "order.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "more than 500 rows" in response.get_data(as_text=True)


def test_a_buyer_places_an_order_through_the_pages(en, partner, location, buyer, xoi, tea):
    log_in(en, buyer)
    fill_grid(en, {xoi: 20, tea: 1})
    review = en.get("/partner/order/review")
    html = review.get_data(as_text=True)
    assert review.status_code == 200
    assert "Tuesday, December 1, 2026" in html
    assert "Credit available" in html and "5.000.000 ₫" in html
    assert "8%" in html  # the VAT table
    token = re.search(r'name="checkout_token" type="hidden" value="([^"]+)"', html).group(1)
    form = {
        "location_id": str(location.id),
        "delivery_date": "2026-12-01",
        "window": "0600-0800",
        "po_number": "PO-77",
        "payment_method": "invoice",
        "checkout_token": token,
        "expected_total": str(20 * 25_000 + 200_000),
        "action": "place",
    }
    response = submit(en, "/partner/order/place", form, page="/partner/order/review")
    assert response.status_code == 302
    order = db.session.scalar(select(Order))
    assert response.headers["Location"].endswith(f"/partner/orders/{order.id}")
    assert (order.po_number, order.total_vnd, order.user_id) == ("PO-77", 700_000, buyer.id)
    # The same form again places nothing more.
    again = submit(en, "/partner/order/place", form, page="/partner/orders")
    assert again.headers["Location"].endswith(f"/partner/orders/{order.id}")
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1
    page = en.get(f"/partner/orders/{order.id}").get_data(as_text=True)
    assert "PO-77" in page and "06:00–08:00" in page
    assert order.number in en.get("/partner/orders").get_data(as_text=True)


def test_a_refused_order_shows_the_reason_next_to_the_field_and_orders_nothing(en, location, buyer, xoi):
    log_in(en, buyer)
    fill_grid(en, {xoi: 20})
    html = en.get("/partner/order/review").get_data(as_text=True)
    token = re.search(r'name="checkout_token" type="hidden" value="([^"]+)"', html).group(1)
    response = submit(
        en,
        "/partner/order/place",
        {
            "location_id": str(location.id),
            "delivery_date": "2026-12-06",  # a Sunday: the location is closed
            "window": "0600-0800",
            "payment_method": "invoice",
            "checkout_token": token,
            "expected_total": "500000",
            "action": "place",
        },
        page="/partner/order/review",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="delivery_date-error"' in html and "does not receive deliveries on that day" in html
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_a_buyer_limited_to_one_location_neither_orders_for_nor_sees_another(en, partner, location, xoi):
    other = make_location(partner, "Chi nhánh Ba Đình")
    limited = add_member(partner, "buyer", locations=[location])
    theirs = place(partner, request_for(location, (xoi, 10), po_number="PO-A"))
    not_theirs = place(partner, request_for(other, (xoi, 10), po_number="PO-B"))
    log_in(en, limited)
    fill_grid(en, {xoi: 10})
    assert en.get(f"/partner/order/review?location_id={other.id}").status_code == 404
    listing = en.get("/partner/orders").get_data(as_text=True)
    assert "PO-A" in listing and "PO-B" not in listing
    assert en.get(f"/partner/orders/{theirs.id}").status_code == 200
    assert en.get(f"/partner/orders/{not_theirs.id}").status_code == 404
    assert en.get(f"/partner/orders?location_id={other.id}").status_code == 404


def test_another_partners_order_is_not_found(en, partner, location, buyer, xoi):
    stranger = make_partner("Quán Bún Chả", payment_terms="net15", credit_limit_vnd=5_000_000)
    theirs = place(stranger, request_for(stranger.locations[0], (xoi, 10)))
    log_in(en, buyer)
    assert en.get(f"/partner/orders/{theirs.id}").status_code == 404
    token = csrf_token_from(en.get("/partner/order").get_data(as_text=True))
    assert en.post(f"/partner/orders/{theirs.id}/again", data={"csrf_token": token}).status_code == 404
    fill_grid(en, {xoi: 10})
    assert en.get(f"/partner/order/review?location_id={stranger.locations[0].id}").status_code == 404


def test_the_dashboard_shows_the_next_deliveries_to_buyers(en, partner, location, buyer, xoi):
    order = place(partner, request_for(location, (xoi, 10)))
    log_in(en, buyer)
    html = en.get("/partner/").get_data(as_text=True)
    assert "Next deliveries" in html and order.number in html
    assert 'href="/partner/order"' in html and 'href="/partner/orders"' in html


def test_a_prepaid_partner_chooses_how_to_pay_and_is_sent_to_pay_like_a_shopper(en, xoi):
    prepaid = make_partner("Quán Chay Tây Hồ", payment_terms="prepaid")
    buyer = add_member(prepaid, "buyer")
    log_in(en, buyer)
    fill_grid(en, {xoi: 10})
    html = en.get("/partner/order/review").get_data(as_text=True)
    assert "Credit available" not in html
    codes = re.findall(r'name="payment_method" value="([^"]+)"(?! disabled)', html)
    assert codes, html
    token = re.search(r'name="checkout_token" type="hidden" value="([^"]+)"', html).group(1)
    response = submit(
        en,
        "/partner/order/place",
        {
            "location_id": str(prepaid.locations[0].id),
            "delivery_date": "2026-12-01",
            "window": "0600-0800",
            "payment_method": codes[0],
            "checkout_token": token,
            "expected_total": "250000",
            "action": "place",
        },
        page="/partner/order/review",
    )
    order = db.session.scalar(select(Order))
    assert order.status == "pending_payment"
    assert response.headers["Location"].endswith((f"/orders/{order.number}", f"/orders/{order.number}/pay"))
    assert en.get(response.headers["Location"]).status_code == 200
