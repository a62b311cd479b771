"""A fourth way to pay needs its own class and the registry, nothing else: "pay at the shop",
defined here and registered through the registry and PAYMENT_METHODS only, goes through checkout,
the order page, the staff page and mail. And no module outside shop/payments, no template, names
a way to pay."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from shop.checkout import services as checkout
from shop.extensions import db
from shop.mail.models import OutboundMail
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments import registry
from shop.payments.methods.base import PaymentMethod, Purchase
from tests.checkout.test_views import ADDRESS, add, place
from tests.checkout.test_views import checkout as fill_details
from tests.conftest import submit
from tests.factories import UserFactory
from tests.support.builders import stocked

ROOT = Path(__file__).resolve().parents[2]


class PayAtTheShop(PaymentMethod):
    """Pay the producer at pickup: confirmed at once, paid when handed over, pickup only."""

    code = "shop"
    label = "Pay at the shop"
    confirmed_at_once = True
    fragments = {
        "order.html": '{% if part == "confirmed" %}Bring {{ order.total_vnd|vnd }} to the shop.{% endif %}',
        "admin.html": '{% if part == "actions" %}<p class="notice">Collect {{ order.total_vnd|vnd }} at pickup.</p>'
        "{% endif %}",
        "mail.txt": '{% if part == "placed" %}Pay {{ order.total_vnd|vnd }} when you pick it up.{% endif %}',
        "mail.html": '{% if part == "placed" %}Pay {{ order.total_vnd|vnd }} when you pick it up.{% endif %}',
    }

    @property
    def description(self) -> str:
        return "You pay at the producer's shop when you pick the order up."

    def unavailable_reason(self, purchase: Purchase):
        if purchase.delivery_method not in (None, "pickup"):
            return "Paying at the shop is only for orders picked up at the producer."
        return None

    def fragment(self, name: str):
        # Its templates live here rather than in templates/payments/methods/shop/.
        return current_app.jinja_env.from_string(self.fragments[name])


@pytest.fixture
def pay_at_shop(app):
    method = registry.register(PayAtTheShop())
    app.config["PAYMENT_METHODS"] = "cod,vietqr,shop"
    yield method
    registry.unregister(method.code)


@pytest.fixture
def jam(app):
    return stocked("Mứt sen Tây Hồ", price=80_000, on_hand=10, shelf_life_days=90)


def pickup_order(client, product):
    add(client, product, "2")
    review = fill_details(client, delivery_method="pickup", payment_method="shop")
    assert review.status_code == 200
    return review, place(client, review.get_data(as_text=True))


def test_it_is_offered_where_the_setting_lists_it(client, jam, pay_at_shop, app):
    assert checkout.payment_methods() == ["cod", "vietqr", "shop"]
    add(client, jam)
    page = client.get("/checkout").get_data(as_text=True)
    assert 'value="shop"' in page and "Pay at the shop" in page
    app.config["PAYMENT_METHODS"] = "shop,cod"
    assert checkout.payment_methods() == ["shop", "cod"]
    page = client.get("/checkout").get_data(as_text=True)
    assert page.index('value="shop"') < page.index('value="cod"') and 'value="vietqr"' not in page


def test_a_shopper_pays_at_the_shop_through_checkout_the_order_page_and_mail(client, jam, pay_at_shop):
    review, response = pickup_order(client, jam)
    html = review.get_data(as_text=True)
    assert "Pay at the shop" in html and "You pay at the producer&#39;s shop when you pick the order up." in html
    order = db.session.scalar(select(Order))
    assert response.headers["Location"].endswith(f"/orders/{order.number}")
    assert (order.payment_method, order.status, order.expires_at) == ("shop", "confirmed", None)

    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Bring 160.000 ₫ to the shop." in page and "Pay at the shop" in page
    mail = db.session.scalar(select(OutboundMail).where(OutboundMail.subject.contains(order.number)))
    assert "Pay 160.000 ₫ when you pick it up." in mail.body_text
    assert "Pay 160.000 ₫ when you pick it up." in mail.body_html

    orders.advance(order, "shipped")
    orders.advance(order, "delivered")
    db.session.commit()
    assert order.paid_at is not None  # handed over, paid


def test_staff_see_it_on_the_order_page(client, jam, pay_at_shop, login):
    _, _ = pickup_order(client, jam)
    order = db.session.scalar(select(Order))
    UserFactory(email="boss@example.vn", is_admin=True)
    login("boss@example.vn", "correct-horse-9")
    page = client.get(f"/admin/orders/{order.number}").get_data(as_text=True)
    assert "Collect 160.000 ₫ at pickup." in page and "Pay at the shop" in page
    assert "/payment-received" not in page  # not a way staff confirm by hand
    refused = submit(client, f"/admin/orders/{order.number}/payment-received", {}, page=f"/admin/orders/{order.number}")
    assert refused.status_code == 302
    db.session.refresh(order)
    assert order.paid_at is None


def test_its_own_rule_refuses_a_delivery_it_does_not_take(client, jam, pay_at_shop):
    add(client, jam)
    refused = submit(client, "/checkout", {**ADDRESS, "delivery_method": "standard", "payment_method": "shop"})
    assert refused.status_code == 400
    assert "Paying at the shop is only for orders picked up at the producer." in refused.get_data(as_text=True)
    assert db.session.scalar(select(Order)) is None


def test_a_method_the_setting_does_not_list_is_not_offered(client, jam, pay_at_shop, app):
    app.config["PAYMENT_METHODS"] = "cod,vietqr"
    add(client, jam)
    assert 'value="shop"' not in client.get("/checkout").get_data(as_text=True)
    refused = submit(client, "/checkout", {**ADDRESS, "delivery_method": "pickup", "payment_method": "shop"})
    assert refused.status_code == 400


def test_an_order_keeps_its_method_after_it_is_no_longer_offered(client, jam, pay_at_shop, app):
    pickup_order(client, jam)
    order = db.session.scalar(select(Order))
    app.config["PAYMENT_METHODS"] = "cod"
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Pay at the shop" in page and "Bring 160.000 ₫ to the shop." in page


def test_no_module_outside_payments_and_no_template_names_a_way_to_pay(app):
    codes = "|".join(re.escape(code) for code in registry.configured_codes({"PAYMENT_METHODS": "cod,vietqr,stripe"}))
    named = re.compile(rf"""['"]({codes})['"]""")
    payments = ROOT / "shop" / "payments"
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("shop", "templates")
        for path in sorted((ROOT / folder).rglob("*"))
        if path.suffix in (".py", ".html", ".txt") and payments not in path.parents
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if named.search(line)
    ]
    assert found == []
