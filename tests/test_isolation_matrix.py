"""Every portal, partner and admin route that names an object by id, tried as the people who
must not reach it: anonymously (sent to log in), as a shopper (403), and — for the producer
portal and the partner area — as a member of another producer or partner (404, never a hint
that the object exists). The routes are read from the app's URL map, so a new route whose id
this file does not know fails here until it is covered."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from werkzeug.routing import AnyConverter

from shop.catalog.models import ProductImage
from shop.extensions import db
from shop.fulfilment.models import Shipment
from shop.integrations.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from shop.inventory.models import StockUpload
from shop.invoicing.services import invoice_of_order
from shop.partners.models import PartnerInvitation
from shop.pricing.models import PartnerPrice, PriceBreak
from shop.producers.models import ProducerInvitation
from shop.wholesale.delivery import Window
from shop.wholesale.models import StandingOrder, StandingOrderLine
from shop.wholesale.ordering import PartnerOrderRequest, place_partner_order
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD
from tests.portal.conftest import a_member
from tests.support.api import api_key
from tests.support.builders import a_producer, a_user, cart_with, make_product, place, stocked
from tests.support.partners import add_member, make_partner, owner_of

# Arguments that name something by id, and the object each one names in the world below.
ID_ARGUMENTS = {
    "product_id": "product",
    "variant_id": "variant",
    "image_id": "image",
    "certificate_id": "certificate",
    "shipment_id": "shipment",
    "upload_id": "upload",
    "user_id": "member",
    "invitation_id": "invitation",
    "producer_id": "producer",
    "break_id": "break",
    # The partner area's and the staff's partner pages.
    "location_id": "location",
    "order_id": "partner_order",
    "invoice_id": "invoice",
    "standing_order_id": "standing_order",
    "partner_id": "partner",
    "price_id": "partner_price",
    "key_id": "api_key",
    "endpoint_id": "webhook_endpoint",
    "delivery_id": "webhook_delivery",
}
# In the partner area the same argument names a partner's object.
PARTNER_OBJECTS = {
    "user_id": "partner_member",
    "invitation_id": "partner_invitation",
    "key_id": "partner_api_key",
    "endpoint_id": "partner_webhook_endpoint",
    "delivery_id": "partner_webhook_delivery",
}
# Arguments that are not ids of someone's objects: a month (statements are always the
# logged-in producer's own), an invitation's secret token, an order number and a staff
# action (admin only, refused before they are read).
OTHER_ARGUMENTS = {
    "period": "2026-11",
    "token": "not-a-real-token",
    "number": "OCOP-2611-0001",
    "action": "approve",
}


@pytest.fixture
def world(app):
    """Producer A's objects (the ones others try to reach) and producer B's owner."""
    ours = a_producer(name="HTX Xôi Phú Thượng")
    product = make_product("Xôi Phú Thượng", producer=ours)
    staff = a_member(ours, role="staff")
    a_member(ours, role="owner")
    image = ProductImage(product=product, path="img/hero.svg", alt_vi="Xôi", position=1)
    upload = StockUpload(producer_id=ours.id, filename="kho.csv", rows=[])
    invitation = ProducerInvitation(
        producer_id=ours.id,
        email="moi@htx.vn",
        role="staff",
        token_hash="0" * 64,
        created_at=datetime(2026, 11, 30, tzinfo=UTC),
        expires_at=datetime(2026, 11, 30, tzinfo=UTC) + timedelta(days=7),
    )
    db.session.add_all([image, upload, invitation])
    order = place(cart_with((product, 1)))
    shipment = db.session.query(Shipment).filter_by(order_id=order.id).one()
    other_owner = a_member(a_producer(name="HTX Chè Sen Quảng An"), role="owner")
    shopper = a_user()
    price_break = PriceBreak(variant_id=product.variants[0].id, min_qty=5, unit_price_vnd=90_000)
    db.session.add(price_break)
    db.session.commit()
    partner_objects = _partner_world(ours)
    objects = {
        "product": product.id,
        "variant": product.variants[0].id,
        "image": image.id,
        "certificate": product.certificates[0].id,
        "shipment": shipment.id,
        "upload": upload.id,
        "member": staff.id,
        "invitation": invitation.id,
        "producer": ours.id,
        "break": price_break.id,
        "api_key": api_key(producer=ours)[0].id,
        **_webhook("", producer_id=ours.id),
        **partner_objects["objects"],
    }
    return {
        "objects": objects,
        "other_owner": other_owner,
        "shopper": shopper,
        "other_partner_owner": partner_objects["other_owner"],
    }


def _partner_world(producer) -> dict:
    """Partner A's objects (a location, an order with its invoice, a standing order, a buyer, an
    invitation, a negotiated price) and partner B's owner."""
    ours = make_partner("Nhà hàng Sen Tây Hồ", payment_terms="net15", credit_limit_vnd=10_000_000)
    location = ours.locations[0]
    buyer = add_member(ours, "buyer")
    tea = stocked("Chè sen", on_hand=20, price=200_000, shelf_life_days=365, producer=producer).variants[0]
    order = place_partner_order(
        ours,
        PartnerOrderRequest(location, [(tea.id, 1)], date(2026, 12, 1), Window(360, 480)),
        actor_user_id=buyer.id,
        email=buyer.email,
        locale="vi",
    )
    standing = StandingOrder(
        partner_id=ours.id,
        location_id=location.id,
        name="Sáng",
        weekdays_mask=1,
        start_date=date(2026, 12, 7),
        window_start_minute=360,
        window_end_minute=480,
    )
    standing.lines.append(StandingOrderLine(variant_id=tea.id, quantity=1, valid_from=date(2026, 12, 7)))
    invitation = PartnerInvitation(
        partner_id=ours.id,
        email="moi@nhahang.vn",
        role="buyer",
        token_hash="1" * 64,
        created_at=datetime(2026, 11, 30, tzinfo=UTC),
        expires_at=datetime(2026, 11, 30, tzinfo=UTC) + timedelta(days=7),
    )
    price = PartnerPrice(partner_id=ours.id, variant_id=tea.id, unit_price_vnd=150_000, valid_from=date(2026, 12, 1))
    db.session.add_all([standing, invitation, price])
    db.session.commit()
    other = make_partner("Quán Xôi Phố Cổ")
    return {
        "objects": {
            "location": location.id,
            "partner_order": order.id,
            "invoice": invoice_of_order(order.id).id,
            "standing_order": standing.id,
            "partner": ours.id,
            "partner_price": price.id,
            "partner_member": buyer.id,
            "partner_invitation": invitation.id,
            "partner_api_key": api_key(partner=ours)[0].id,
            **_webhook("partner_", partner_id=ours.id),
        },
        "other_owner": owner_of(other),
    }


def _webhook(prefix: str, **owner) -> dict[str, int]:
    """A webhook endpoint of the organisation (producer_id= or partner_id=) and one delivery to
    it, as the webhooks service leaves them: {"<prefix>webhook_endpoint": id, "<prefix>webhook_delivery": id}."""
    endpoint = WebhookEndpoint(url="https://hooks.example.vn/ocop", events=["order.created"], secret="whsec_x", **owner)
    event_id = "evt_matrix_" + "_".join(f"{name}{value}" for name, value in owner.items())
    event = WebhookEvent(event_id=event_id, type="order.created", data={}, **owner)
    db.session.add_all([endpoint, event])
    db.session.flush()
    delivery = WebhookDelivery(event_id=event.id, endpoint_id=endpoint.id, status="failed", attempts=1)
    db.session.add(delivery)
    db.session.commit()
    return {f"{prefix}webhook_endpoint": endpoint.id, f"{prefix}webhook_delivery": delivery.id}


def _routes(app, blueprint: str):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(blueprint + ".") and rule.arguments:
            yield rule


def _url(app, rule, objects) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif rule.endpoint.startswith("partners.") and name in PARTNER_OBJECTS:
            values[name] = objects[PARTNER_OBJECTS[name]]
        elif name in ID_ARGUMENTS:
            values[name] = objects[ID_ARGUMENTS[name]]
        elif name in OTHER_ARGUMENTS:
            values[name] = OTHER_ARGUMENTS[name]
        else:
            pytest.fail(f"{rule.endpoint}: the isolation matrix does not know the argument <{name}>")
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values)


def _ask(client, rule, url: str):
    """GET a page, or POST a form with a valid CSRF token (so the answer is the route's own)."""
    if "GET" in rule.methods:
        return client.get(url)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


def _log_in(client, user):
    token = csrf_token_from(client.get("/account/login").get_data(as_text=True))
    response = client.post("/account/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def _id_routes(app, blueprint):
    return [r for r in _routes(app, blueprint) if set(r.arguments) & set(ID_ARGUMENTS)]


@pytest.mark.parametrize("blueprint", ["producers", "partners", "admin"])
def test_anonymous_visitors_are_sent_to_log_in(app, client, world, blueprint):
    for rule in _routes(app, blueprint):
        if rule.endpoint in ("producers.invitation", "partners.invitation"):
            continue  # the invitation's page explains and asks to log in itself (tested there)
        response = _ask(client, rule, _url(app, rule, world["objects"]))
        assert response.status_code == 302, rule.endpoint
        assert "/account/login" in response.headers["Location"], rule.endpoint


@pytest.mark.parametrize("blueprint", ["producers", "partners", "admin"])
def test_shoppers_are_refused(app, client, world, blueprint):
    _log_in(client, world["shopper"])
    for rule in _id_routes(app, blueprint):
        response = _ask(client, rule, _url(app, rule, world["objects"]))
        assert response.status_code == 403, rule.endpoint


def test_another_producers_members_find_nothing(app, client, world):
    _log_in(client, world["other_owner"])
    routes = _id_routes(app, "producers")
    assert len(routes) >= 20
    for rule in routes:
        response = _ask(client, rule, _url(app, rule, world["objects"]))
        assert response.status_code == 404, rule.endpoint


def test_another_partners_members_find_nothing(app, client, world):
    _log_in(client, world["other_partner_owner"])
    routes = _id_routes(app, "partners")
    assert len(routes) >= 18
    for rule in routes:
        response = _ask(client, rule, _url(app, rule, world["objects"]))
        assert response.status_code == 404, rule.endpoint


def test_partners_are_refused_the_staff_area(app, client, world):
    _log_in(client, world["other_partner_owner"])
    for rule in _id_routes(app, "admin"):
        response = _ask(client, rule, _url(app, rule, world["objects"]))
        assert response.status_code == 403, rule.endpoint


def test_producers_are_refused_the_staff_area(app, client, world):
    _log_in(client, world["other_owner"])
    for rule in _id_routes(app, "admin"):
        response = _ask(client, rule, _url(app, rule, world["objects"]))
        assert response.status_code == 403, rule.endpoint
