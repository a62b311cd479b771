"""The link mailed to a guest opens the order for ORDER_LINK_DAYS; after that, or with a wrong
link, a page says so and mails a fresh link to the order's own address (and only there). Links
in mail are built on SHOP_BASE_URL. Pages with an order on them are never cached."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.config import from_environment
from shop.extensions import db
from shop.mail.models import OutboundMail
from shop.orders.models import Order
from tests.checkout.test_views import add, checkout, place
from tests.conftest import submit
from tests.factories import UserFactory

LINK = re.compile(r"http://shop\.test/orders/OCOP-\d{4}-\d{4,}\?key=[\w.-]+")
CSRF = re.compile(r'name="csrf_token" value="[^"]+"')


def guest_order(client, products) -> Order:
    add(client, products["tea"])
    place(client, checkout(client).get_data(as_text=True))
    return db.session.scalar(select(Order).order_by(Order.id.desc()))


def links_mailed(order) -> list[str]:
    bodies = db.session.scalars(select(OutboundMail.body_text).where(OutboundMail.to_addr == order.email))
    return [link for body in bodies for link in LINK.findall(body)]


def path_of(link: str) -> str:
    return link.removeprefix("http://shop.test")


def ask_for_link(client, number: str, email: str):
    return submit(client, "/orders/link", {"number": number, "email": email})


def test_the_mailed_link_opens_the_order_for_order_link_days(client, app, products, clock):
    order = guest_order(client, products)
    [link] = links_mailed(order)
    other_device = app.test_client()
    assert other_device.get(path_of(link)).status_code == 200

    clock.shift(timedelta(days=29, hours=23))
    assert other_device.get(path_of(link)).status_code == 200

    clock.shift(timedelta(hours=2))
    expired = other_device.get(path_of(link))
    assert expired.status_code == 410
    html = expired.get_data(as_text=True)
    assert "Đường dẫn tới đơn hàng đã hết hạn" in html
    assert 'action="/orders/link"' in html and f'value="{order.number}"' in html
    assert order.email not in html and order.street not in html
    # The browser session that placed the order still sees it.
    assert client.get(f"/orders/{order.number}").status_code == 200


def test_order_link_days_is_a_setting(client, app, products, clock):
    app.config["ORDER_LINK_DAYS"] = 2
    order = guest_order(client, products)
    [link] = links_mailed(order)
    clock.shift(timedelta(days=2, minutes=1))
    assert app.test_client().get(path_of(link)).status_code == 410


def test_order_link_days_is_read_from_the_environment(monkeypatch, tmp_path):
    assert from_environment("testing", str(tmp_path))["ORDER_LINK_DAYS"] == 30
    monkeypatch.setenv("ORDER_LINK_DAYS", "7")
    assert from_environment("testing", str(tmp_path))["ORDER_LINK_DAYS"] == 7


@pytest.mark.parametrize("key", ["forged", "", "eyJhIjoxfQ.aaaa.bbbb"])
def test_a_wrong_link_shows_the_way_to_a_fresh_one(client, app, products, key):
    order = guest_order(client, products)
    response = app.test_client().get(f"/orders/{order.number}?key={key}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert 'action="/orders/link"' in html and order.email not in html


def test_another_orders_link_does_not_open_this_one_even_when_expired(client, app, products, clock):
    first = guest_order(client, products)
    [first_link] = links_mailed(first)
    second = guest_order(app.test_client(), products)
    key = first_link.split("key=", 1)[1]
    stranger = app.test_client()
    assert stranger.get(f"/orders/{second.number}?key={key}").status_code == 404
    clock.shift(timedelta(days=31))
    assert stranger.get(f"/orders/{second.number}?key={key}").status_code == 404  # not "expired": not its key
    assert stranger.get(f"/orders/OCOP-0000-9999?key={key}").status_code == 404


def test_a_fresh_link_goes_only_to_the_orders_address_and_the_answer_is_the_same(client, app, products, clock):
    order = guest_order(client, products)
    clock.shift(timedelta(days=40))
    stranger = app.test_client()
    answers = []
    for number, email in [
        (order.number, "someone.else@example.vn"),
        ("OCOP-0000-9999", order.email),
        (order.number, f"  {order.email.upper()} "),
    ]:
        response = ask_for_link(stranger, number, email)
        assert response.status_code == 302 and response.headers["Location"].endswith("/orders/link")
        answers.append(CSRF.sub("", stranger.get(response.headers["Location"]).get_data(as_text=True)))
    assert answers[0] == answers[1] == answers[2]
    assert "chúng tôi đã gửi đường dẫn mới" in answers[0]

    mails = db.session.scalars(select(OutboundMail).order_by(OutboundMail.id)).all()
    assert {m.to_addr for m in mails} == {order.email}
    fresh = [m for m in mails if order.number in m.subject and "Đường dẫn" in m.subject]
    assert len(fresh) == 1
    [link] = LINK.findall(fresh[0].body_text)
    assert stranger.get(path_of(link)).status_code == 200


def test_asking_for_a_link_needs_the_forms_token(client, app, products):
    order = guest_order(client, products)
    before = db.session.query(OutboundMail).count()
    response = app.test_client().post("/orders/link", data={"number": order.number, "email": order.email})
    assert response.status_code == 400
    assert db.session.query(OutboundMail).count() == before


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True}


def test_asking_for_links_is_limited_per_address(client, app, products):
    app.config["ORDER_LINK_LIMIT_PER_IP"] = "3 per hour"
    order = guest_order(client, products)
    stranger = app.test_client()
    for _ in range(3):
        assert ask_for_link(stranger, order.number, "guess@example.vn").status_code == 302
    refused = ask_for_link(stranger, order.number, order.email)
    assert refused.status_code == 429
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert ask_for_link(elsewhere, order.number, order.email).status_code == 302


def test_order_mail_links_ignore_the_host_header(client, products, evil_host):
    order = guest_order(client, products)
    mail = db.session.scalar(select(OutboundMail).where(OutboundMail.to_addr == order.email))
    assert "evil.example" not in mail.body_text and "evil.example" not in mail.body_html
    assert LINK.search(mail.body_text) and LINK.search(mail.body_html)


def test_pages_with_an_order_on_them_are_never_cached(client, app, products):
    order = guest_order(client, products)
    [link] = links_mailed(order)
    assert "no-store" in client.get(f"/orders/{order.number}").headers["Cache-Control"]  # the guest's session
    assert "no-store" in app.test_client().get(path_of(link)).headers["Cache-Control"]
    assert "no-store" in client.get("/orders/link").headers["Cache-Control"]
    UserFactory(email="an@example.vn")
    member = app.test_client()
    submit(member, "/account/login", {"email": "an@example.vn", "password": "correct-horse-9"})
    assert "no-store" in member.get("/account/orders").headers["Cache-Control"]
