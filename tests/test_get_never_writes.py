"""GET and HEAD requests change nothing in the database.

Every GET route of the app (read from its URL map, so a new route is covered as soon as it exists)
is opened with real ids by each kind of visitor, in the state most likely to tempt a page into
writing: an unpaid order past its expiry, cart prices that changed since the shopper saw them,
quantities above the stock left. No INSERT, UPDATE or DELETE may reach the database."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from shop import clock
from shop.accounts.services import make_reset_token, make_signup_token
from shop.catalog.models import Variant
from shop.extensions import db
from shop.fulfilment.models import Shipment
from shop.invoicing.services import invoice_of_order
from shop.orders.models import Order
from shop.wholesale.delivery import Window
from shop.wholesale.models import StandingOrder
from shop.wholesale.ordering import PartnerOrderRequest, place_partner_order
from tests.checkout.conftest import BANK
from tests.checkout.test_views import add, checkout, place
from tests.conftest import submit
from tests.factories import PASSWORD, PartnerMemberFactory, ProducerMemberFactory, UserFactory
from tests.support.api import api_key
from tests.support.builders import stocked
from tests.support.partners import make_location

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE|UPSERT|CREATE|DROP|ALTER|TRUNCATE)\b", re.I)


@pytest.fixture
def app_config(app_config):
    return {**app_config, **BANK}


@pytest.fixture
def world(app, clock):
    """Products, the four kinds of account, a placed unpaid order now past its expiry, carts whose
    prices went up and whose quantities are above the stock left."""
    tea = stocked("Chè Sen Quảng An", price=450_000, on_hand=5, shelf_life_days=365)
    rice = stocked("Gạo nếp cái hoa vàng", price=60_000, on_hand=8, shelf_life_days=180)
    shopper = UserFactory(email="lan@example.vn")
    admin = UserFactory(email="staff@example.vn", is_admin=True)
    producer = ProducerMemberFactory(producer=tea.producer).user
    membership = PartnerMemberFactory()
    partner = membership.user
    clients = {}
    for name, user in (("shopper", shopper), ("admin", admin), ("producer", producer), ("partner", partner)):
        client = app.test_client()
        response = submit(client, "/account/login", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, (name, response.status_code)
        clients[name] = client

    # The shopper places a bank-transfer order and leaves it unpaid.
    shopper_client = clients["shopper"]
    add(shopper_client, tea, "2")
    response = place(shopper_client, checkout(shopper_client, payment_method="vietqr").get_data(as_text=True))
    number = re.search(r"/orders/(OCOP-[\d-]+)", response.headers["Location"]).group(1)

    # A guest and the shopper both fill a cart and reach the review page.
    guest = app.test_client()
    for client in (guest, shopper_client):
        add(client, rice, "8")
        add(client, tea, "1")
        assert checkout(client).status_code == 200
    clients["guest"] = guest
    clients["anonymous"] = app.test_client()
    # Programs, with a key of each role (the API reads the key on every request).
    for role, organisation in (
        ("producer", {"producer": tea.producer}),
        ("ordering", {"partner": membership.partner}),
        ("accounting", {"partner": membership.partner}),
    ):
        _, secret = api_key(role=role, **organisation)
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        clients[f"{role} key"] = client

    # Then prices go up, stock goes down, and the unpaid order's time runs out.
    db.session.execute(update(Variant).where(Variant.id == rice.variants[0].id).values(price_vnd=65_000, on_hand=3))
    db.session.commit()
    clock.shift(timedelta(days=2))
    shipment_id = db.session.scalar(select(Shipment.id).join(Order).where(Order.number == number))
    return {
        "clients": clients,
        "product": tea,
        "order_number": number,
        "shopper": shopper,
        "shipment_id": shipment_id,
        "partner": _partner_objects(membership.partner, tea),
    }


def _partner_objects(partner, product) -> dict:
    """The partner's own location, order (with its invoice) and standing order, on net terms."""
    partner.payment_terms, partner.credit_limit_vnd = "net15", 10_000_000
    db.session.commit()
    location = make_location(partner)
    day = (clock.now().astimezone(clock.VN) + timedelta(days=1)).date()
    while location.hours_on(day.weekday()) is None:
        day += timedelta(days=1)
    order = place_partner_order(
        partner,
        PartnerOrderRequest(location, [(product.variants[0].id, 1)], day, Window(360, 480)),
        actor_user_id=None,
        email="bep@nhahang.vn",
        locale="vi",
    )
    standing = StandingOrder(
        partner_id=partner.id,
        location_id=location.id,
        name="Sáng",
        weekdays_mask=1,
        start_date=day,
        window_start_minute=360,
        window_end_minute=480,
    )
    db.session.add(standing)
    db.session.commit()
    return {
        "partner_id": partner.id,
        "location_id": location.id,
        "order_id": order.id,
        "invoice_id": invoice_of_order(order.id).id,
        "standing_order_id": standing.id,
    }


def _url_values(rule, world) -> dict | None:
    """Real values for a rule's arguments; None for a rule this test does not know (it fails)."""
    product = world["product"]
    known = {
        ("catalog.product", "slug"): product.slug,
        ("catalog.producer", "slug"): product.producer.slug,
        ("catalog.origin", "province"): "01",
        ("catalog.origin", "ward"): "00091",
        ("checkout.wards", "province_code"): 1,
        ("checkout.delivery", "province_code"): 1,
        ("orders.show", "number"): world["order_number"],
        ("payments.stripe_return", "number"): world["order_number"],
        ("payments.pay_page", "number"): world["order_number"],
        ("admin.order", "number"): world["order_number"],
        ("producers.statements_month", "period"): "2026-11",
        ("producers.statements_csv", "period"): "2026-11",
        ("accounts.reset_password", "token"): make_reset_token(world["shopper"]),
        ("admin.producers_show", "producer_id"): product.producer_id,
        ("admin.certificates_view", "certificate_id"): product.certificates[0].id,
        ("admin.certificates_scan", "certificate_id"): product.certificates[0].id,
        ("producers.certificates_view", "certificate_id"): product.certificates[0].id,
        ("producers.certificates_scan", "certificate_id"): product.certificates[0].id,
        ("producers.invitation", "token"): "an-invitation-token-nobody-was-sent",
        ("producers.products_edit", "product_id"): product.id,
        ("producers.products_images", "product_id"): product.id,
        ("producers.products_variant_new", "product_id"): product.id,
        ("producers.products_variant_edit", "variant_id"): product.variants[0].id,
        ("producers.shipments_show", "shipment_id"): world["shipment_id"],
        ("producers.shipments_slip", "shipment_id"): world["shipment_id"],
        ("producers.stock_upload_preview", "upload_id"): 1,
        ("product_upload", "filename"): "1/0123456789abcdef0123.jpg",
        ("accounts.finish_signup", "token"): make_signup_token("new@example.vn", "vi"),
        ("api_catalog.product", "product_id"): product.id,
        ("api_catalog.producer", "producer_id"): product.producer_id,
        ("api_catalog.origin", "province_code"): 1,
        ("api_partners.price", "sku"): product.variants[0].sku,
        ("api_partner_accounts.statement", "month"): "2026-11",
        ("api_producer_stock.variant", "sku"): product.variants[0].sku,
        ("api_producer_shipments.shipment", "shipment_id"): world["shipment_id"],
    }
    known |= {
        ("producers.products_partner_prices", "product_id"): product.id,
        ("partners.invitation", "token"): "an-invitation-token-nobody-was-sent",
    }
    # Webhook endpoints and deliveries (none exists here: the pages' reads are a 404 for everyone).
    for side in ("producers", "partners"):
        known |= {
            (f"{side}.webhooks_show", "endpoint_id"): 1,
            (f"{side}.webhooks_delivery", "endpoint_id"): 1,
            (f"{side}.webhooks_delivery", "delivery_id"): 1,
        }
    values = {}
    for argument in rule.arguments:
        if (rule.endpoint, argument) in known:
            values[argument] = known[(rule.endpoint, argument)]
        elif rule.endpoint.startswith(("partners.", "admin.", "api_partner")) and argument in world["partner"]:
            values[argument] = world["partner"][argument]  # the partner's own objects
        else:
            return None
    return values


def _get_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint != "static"]


@pytest.mark.both_databases
def test_no_get_route_writes_to_the_database(app, backend, world):
    writes: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany):
        if WRITE.match(statement):
            writes.append(statement.split("\n")[0][:120])

    rules = _get_rules(app)
    unknown = [rule.rule for rule in rules if _url_values(rule, world) is None]
    assert not unknown, f"give real values for the arguments of {unknown}"
    with app.test_request_context():
        from flask import url_for

        urls = [url_for(rule.endpoint, **_url_values(rule, world)) for rule in rules]
    urls += [f"/cart?province={n}" for n in (1, 79, 99)]
    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        for visitor, client in world["clients"].items():
            for url in urls:
                for method in (client.get, client.head):
                    response = method(url)
                    assert response.status_code < 500, (visitor, url, response.status_code)
                    assert not writes, (visitor, method.__name__, url, writes)
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)


def test_the_walk_sees_the_routes_it_must(app):
    """The URL map really is walked: the cart, checkout and order pages are among its GET routes."""
    endpoints = {rule.endpoint for rule in _get_rules(app)}
    assert {"cart.show", "checkout.details", "checkout.review", "orders.show", "catalog.products"} <= endpoints
