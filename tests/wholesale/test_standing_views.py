"""The standing-order pages of the partner area: owners and buyers set one up, see its next
dates and past orders, pause it, skip a date and change its lines; an accountant gets 403, another
partner's standing order or another branch's (for a limited buyer) is a 404."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.wholesale import standing as standing_services
from shop.wholesale.delivery import Window
from shop.wholesale.models import StandingOrder, StandingOrderSkip
from shop.wholesale.standing import StandingOrderDetails, run_standing_orders
from tests.conftest import submit
from tests.support.partners import add_member, log_in, make_location, make_partner, owner_of

EN = {"Accept-Language": "en"}
FRIDAY = date(2026, 12, 4)


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def make_standing(partner, location, variant, quantity=10, user=None):
    standing = standing_services.create_standing_order(
        partner,
        user or owner_of(partner),
        location.id,
        StandingOrderDetails(
            name="Xôi sáng",
            lines=[(variant.sku, quantity)],
            weekdays=[0, 2, 4],
            start_date=date(2026, 12, 1),
            window=Window(360, 480),
        ),
    )
    db.session.commit()
    return standing


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_a_buyer_sets_up_a_standing_order_from_the_form(client, partner, location, buyer, xoi, tea):
    log_in(client, buyer)
    listing = page(client, "/partner/standing-orders")
    assert "Standing orders" in listing
    assert f"/partner/standing-orders/new/{location.id}" in listing

    url = f"/partner/standing-orders/new/{location.id}"
    form = page(client, url)
    assert "Monday" in form and "Sunday" in form and "06:00–08:00" in form
    response = submit(
        client,
        url,
        {
            "name": "Xôi sáng thứ Hai–Sáu",
            "lines-0-sku": xoi.sku,
            "lines-0-quantity": "20",
            "lines-1-sku": tea.sku,
            "lines-1-quantity": "2",
            "weekdays": ["0", "1", "2", "3", "4"],
            "window": "0600-0800",
            "start_date": "2026-12-01",
            "po_number": "PO-77",
        },
    )

    assert response.status_code == 302
    standing = db.session.scalar(select(StandingOrder))
    assert standing.weekdays_mask == 0b11111
    assert {(line.variant_id, line.quantity) for line in standing.lines} == {(xoi.id, 20), (tea.id, 2)}
    shown = page(client, response.headers["Location"])
    assert "Will be ordered" in shown
    assert "Monday, Tuesday, Wednesday, Thursday, Friday" in shown


def test_the_form_shows_a_bad_line_next_to_its_field(client, partner, location, buyer, xoi):
    log_in(client, buyer)
    url = f"/partner/standing-orders/new/{location.id}"
    response = submit(
        client,
        url,
        {
            "name": "Xôi",
            "lines-0-sku": xoi.sku,
            "lines-0-quantity": "12",
            "weekdays": ["0"],
            "window": "0600-0800",
            "start_date": "2026-12-01",
        },
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="lines-0-quantity-error"' in html
    assert "Order in steps of 5" in html
    assert db.session.scalar(select(StandingOrder)) is None


def test_the_page_shows_the_next_dates_and_the_orders_made(client, partner, location, buyer, xoi):
    standing = make_standing(partner, location, xoi)
    with app_locale():
        run_standing_orders(days_ahead=2)
    log_in(client, buyer)

    html = page(client, f"/partner/standing-orders/{standing.id}")

    assert "Ordered" in html
    assert "/partner/orders/" in html
    assert "Skip" in html
    assert "Next 14 days" in html


def test_pause_skip_and_change_lines_from_the_page(client, partner, location, buyer, xoi):
    standing = make_standing(partner, location, xoi)
    log_in(client, buyer)
    url = f"/partner/standing-orders/{standing.id}"

    assert submit(client, f"{url}/skip", {"day": FRIDAY.isoformat()}, page=url).status_code == 302
    assert db.session.get(StandingOrderSkip, (standing.id, FRIDAY)) is not None
    assert submit(client, f"{url}/pause", {}, page=url).status_code == 302
    db.session.refresh(standing)
    assert standing.status == "paused"
    response = submit(
        client,
        f"{url}/lines",
        {"from_date": "2026-12-07", "lines-0-sku": xoi.sku, "lines-0-quantity": "30"},
        page=url,
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [line.quantity for line in standing_services.lines_on(standing, date(2026, 12, 7))] == [30]
    assert [line.quantity for line in standing_services.lines_on(standing, FRIDAY)] == [10]


def test_an_accountant_gets_403(client, partner, location, xoi):
    standing = make_standing(partner, location, xoi)
    accountant = add_member(partner, "accountant")
    log_in(client, accountant)

    assert client.get("/partner/standing-orders").status_code == 403
    assert client.get(f"/partner/standing-orders/{standing.id}").status_code == 403


def test_another_partners_standing_order_is_a_404(client, partner, location, xoi):
    standing = make_standing(partner, location, xoi)
    other = make_partner("Nhà hàng Khác", payment_terms="net7", credit_limit_vnd=1_000_000)
    log_in(client, owner_of(other))
    url = f"/partner/standing-orders/{standing.id}"

    assert client.get(url).status_code == 404
    other_page = page(client, "/partner/standing-orders")
    assert client.post(f"{url}/pause", data={"csrf_token": _token(other_page)}).status_code == 404
    assert client.get(f"/partner/standing-orders/new/{location.id}").status_code == 404


def test_a_buyer_limited_to_another_branch_sees_only_its_standing_orders(client, partner, location, xoi):
    standing = make_standing(partner, location, xoi)
    branch = make_location(partner, "Chi nhánh Ba Đình")
    limited = add_member(partner, "buyer", locations=[branch])
    log_in(client, limited)

    listing = page(client, "/partner/standing-orders")
    assert "Chi nhánh Ba Đình" in listing
    assert location.name not in listing
    assert client.get(f"/partner/standing-orders/{standing.id}").status_code == 404


def test_a_prepaid_partner_is_told_standing_orders_need_terms(client, app, xoi):
    prepaid = make_partner("Quán Phở Lý", payment_terms="prepaid")
    log_in(client, owner_of(prepaid))

    assert "buy on account" in page(client, "/partner/standing-orders")


def test_the_menu_offers_standing_orders_to_buyers(client, partner, buyer):
    log_in(client, buyer)
    assert 'href="/partner/standing-orders"' in page(client, "/partner/")


def _token(html: str) -> str:
    from tests.conftest import csrf_token_from

    return csrf_token_from(html)


def app_locale():
    from flask_babel import force_locale

    return force_locale("en")


def test_the_overview_shows_the_dates_that_did_not_order_everything(client, partner, location, buyer, xoi):
    standing = make_standing(partner, location, xoi)
    xoi.on_hand = 0
    db.session.commit()
    with app_locale():
        run_standing_orders(days_ahead=2)
    log_in(client, buyer)

    html = page(client, "/partner/")

    assert "1 active standing order" in html
    assert "Nothing available" in html
    assert f"/partner/standing-orders/{standing.id}" in html


def test_ending_from_the_page_asks_for_a_date_then_ends_it(client, partner, location, buyer, xoi):
    standing = make_standing(partner, location, xoi)
    log_in(client, buyer)
    url = f"/partner/standing-orders/{standing.id}"

    submit(client, f"{url}/end", {"last_date": "soon"}, page=url)
    assert "Choose the last delivery date." in page(client, url)
    assert submit(client, f"{url}/end", {"last_date": "2026-12-04"}, page=url).status_code == 302

    db.session.refresh(standing)
    assert standing.end_date == FRIDAY
