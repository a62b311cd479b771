"""Every number the cart and the checkout take from a URL or a form is parsed with bounds: huge,
negative, NUL-byte, 10 KB and repeated values get a clear answer (a message, the form again, a
404), never a 500, and no number out of an INTEGER column's range reaches the database."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import event, func, select

from shop.cart.models import CartLine
from shop.extensions import db
from shop.orders.models import Order
from tests.checkout.conftest import stocked
from tests.checkout.test_views import ADDRESS, add, place
from tests.conftest import csrf_token_from, submit
from tests.factories import PASSWORD, UserFactory

HOSTILE = [
    "99999999999999999999",
    "9223372036854775808",
    "2147483648",
    "-1",
    "-99999999999999999999",
    "0",
    "1\x00",
    "\x00",
    "1" * 10_000,
    "x" * 10_000,
    "1e3",
    "1_0",
    "١",  # an Arabic-Indic digit: int() would take it
    "",
]
INT_MAX = 2**31 - 1


@pytest.fixture
def big_numbers(app):
    """Numbers out of an INTEGER column's range that the app sent to the database."""
    seen: list[object] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        rows = parameters if executemany else [parameters]
        for row in rows:
            values = row.values() if isinstance(row, dict) else (row or ())
            seen.extend(v for v in values if isinstance(v, int) and not isinstance(v, bool) and abs(v) > INT_MAX)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def shopper(client, app):
    product = stocked("Chè Sen Quảng An", price=450_000, on_hand=10, shelf_life_days=365)
    add(client, product, "1")
    return product


def ok(response, *allowed):
    assert response.status_code < 500, response.status_code
    if allowed:
        assert response.status_code in allowed, response.status_code
    return response


@pytest.mark.both_databases
def test_the_cart_page_takes_only_a_known_province(backend, client, shopper, big_numbers):
    for value in [*HOSTILE, "99", "35"]:
        response = client.get("/cart", query_string={"province": value})
        if "\x00" in value:  # no link holds a NUL byte: refused before any page is built
            ok(response, 400)
            continue
        html = ok(response, 200).get_data(as_text=True)
        assert '<option value="1" selected>' in html  # the estimate falls back to Hà Nội
    html = ok(client.get("/cart?province=79&province=99999999999999999999"), 200).get_data(as_text=True)
    assert '<option value="79" selected>' in html
    assert big_numbers == []


@pytest.mark.both_databases
def test_adding_to_the_cart_refuses_bad_ids_and_quantities_with_a_message(backend, client, shopper, big_numbers):
    token = csrf_token_from(client.get(f"/products/{shopper.slug}").get_data(as_text=True))
    good = str(shopper.variants[0].id)
    for value in HOSTILE:
        for data in (
            {"variant_id": value, "quantity": "1"},
            {"product_id": value, "quantity": "1"},
            {"variant_id": good, "quantity": value},
        ):
            response = ok(client.post("/cart/add", data={"csrf_token": token, "next": "/cart", **data}), 302)
            assert response.headers["Location"].endswith("/cart")
            assert "alert-error" in client.get("/cart").get_data(as_text=True), (data, value[:20])
    assert db.session.scalar(select(CartLine.quantity)) == 1
    assert big_numbers == []


@pytest.mark.both_databases
def test_cart_lines_are_named_by_bounded_ids(backend, client, shopper, big_numbers):
    token = csrf_token_from(client.get("/cart").get_data(as_text=True))
    for value in HOSTILE:
        for url in (f"/cart/lines/{quote(value)}", f"/cart/lines/{quote(value)}/remove"):
            ok(client.post(url, data={"csrf_token": token, "quantity": "2"}), 400, 404, 405, 308)  # 308: "//"
    assert db.session.scalar(select(CartLine.quantity)) == 1
    assert big_numbers == []


@pytest.mark.both_databases
def test_the_checkout_form_answers_bad_values_on_the_same_page(backend, client, shopper, big_numbers):
    token = csrf_token_from(client.get("/checkout").get_data(as_text=True))

    def post(**changes):
        return client.post("/checkout", data={**ADDRESS, "csrf_token": token, **changes})

    fields = ["province_code", "ward_code", "contact_name", "phone", "email", "street", "delivery_note"]
    fields += ["delivery_method", "payment_method", "saved_address"]
    for value in HOSTILE:
        for name in fields:
            response = ok(post(**{name: value}), 302, 400)
            if name in ("province_code", "ward_code"):
                assert response.status_code == 400 and "field-error" in response.get_data(as_text=True)
        # The buttons that reload the form without JavaScript.
        ok(post(province_code=value, refresh_wards="1"), 200)
    # Accepted text keeps no control character (PostgreSQL cannot even store a NUL byte).
    assert ok(post(contact_name="Trần\x00 Văn\tMinh", delivery_note="Gọi\x00 trước\r\nCổng sau"), 302)
    review = client.get("/checkout/review").get_data(as_text=True)
    assert "Trần Văn Minh" in review and "Gọi trước\nCổng sau" in review and "\x00" not in review
    # Repeated parameters: the first one counts.
    ok(client.post("/checkout", data={**ADDRESS, "csrf_token": token, "province_code": ["99999999999", "1"]}), 400)
    assert big_numbers == []


@pytest.mark.both_databases
def test_a_saved_address_is_chosen_by_a_bounded_id(backend, client, login, big_numbers):
    UserFactory(email="an@example.vn")
    login("an@example.vn", PASSWORD)
    product = stocked("Gạo nếp cái hoa vàng", price=60_000, on_hand=5, shelf_life_days=180)
    add(client, product, "1")
    for value in HOSTILE:
        response = submit(client, "/checkout", {**ADDRESS, "saved_address": value, "use_address": "1"})
        ok(response, 200)
    assert big_numbers == []


@pytest.mark.both_databases
def test_the_checkout_helpers_take_only_province_codes(backend, client, shopper, big_numbers):
    for value in HOSTILE:
        refused = 400 if "\x00" in value else 404  # a NUL byte in a link is refused before routing
        ok(client.get(f"/checkout/wards/{quote(value)}"), refused)
        ok(client.get(f"/checkout/delivery/{quote(value)}", query_string={"chosen": value}), refused)
        ok(client.get("/checkout/delivery/1", query_string={"chosen": value}), 400 if "\x00" in value else 200)
    assert big_numbers == []


@pytest.mark.both_databases
def test_place_order_refuses_a_tampered_form(backend, client, shopper, big_numbers):
    assert submit(client, "/checkout", ADDRESS).status_code == 302
    review = client.get("/checkout/review").get_data(as_text=True)
    # A wrong total: nothing here may place an order, whatever the other fields hold.
    wrong = {"csrf_token": csrf_token_from(review), "checkout_token": "a" * 32, "expected_total": "1"}
    for value in HOSTILE:
        for name in ("checkout_token", "expected_total", "expected_lines"):
            response = ok(client.post("/checkout/place", data={**wrong, name: value}), 302)
            assert response.headers["Location"].endswith("/checkout/review"), (name, value[:20])
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    # Quantities that cannot be read only lose the finer message: the right total places the order.
    response = place(client, review, expected_lines="12:x,-1:99999999999999999999")
    assert "/orders/OCOP-" in response.headers["Location"]
    assert big_numbers == []
