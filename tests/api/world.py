"""The world the API's broad tests ask about (the schemathesis run and the access matrix): one
producer and one restaurant partner with something of everything — products and variants with
stock, a shopper's order and a partner's order with their shipments, an invoice, a standing order,
a negotiated price — and a key for each role; and a second producer and partner, each with keys
too, whose keys must find none of the first ones' objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shop.extensions import db
from shop.fulfilment.models import Shipment
from shop.invoicing.services import invoice_of_order
from shop.pricing.models import PartnerPrice
from shop.wholesale.delivery import Window
from shop.wholesale.models import StandingOrder, StandingOrderLine
from shop.wholesale.ordering import PartnerOrderRequest, place_partner_order
from tests.support.api import api_key
from tests.support.builders import a_producer, cart_with, place, stocked
from tests.support.partners import add_member, make_partner

ROLES = ("producer", "ordering", "accounting")


@dataclass
class World:
    # The secret of each key, by organisation ("ours" has the objects, "theirs" does not) and role.
    keys: dict[str, dict[str, str]]
    # The objects of "ours", by kind: ids, the SKU, the origin's codes, a month of statements…
    objects: dict[str, object] = field(default_factory=dict)

    def key(self, role: str, *, whose: str = "ours") -> str:
        return self.keys[whose][role]


def build_world() -> World:
    ours = a_producer(name="HTX Xôi Phú Thượng")
    xoi = stocked("Xôi Phú Thượng", on_hand=40, price=45_000, producer=ours, extra_prices=(80_000,))
    # 100 on hand: what the stock update's example in the description expects (its compare-and-set).
    tea = stocked("Chè sen Quảng An", on_hand=100, price=200_000, shelf_life_days=365, producer=ours)
    retail = place(cart_with((xoi, 1)), token="api-world-retail")

    partner = make_partner("Nhà hàng Sen Tây Hồ", payment_terms="net15", credit_limit_vnd=50_000_000)
    location = partner.locations[0]
    buyer = add_member(partner, "buyer")
    wholesale = place_partner_order(
        partner,
        PartnerOrderRequest(location, [(tea.variants[0].id, 2)], date(2026, 12, 1), Window(360, 480)),
        actor_user_id=buyer.id,
        email=buyer.email,
        locale="vi",
    )
    standing = StandingOrder(
        partner_id=partner.id,
        location_id=location.id,
        name="Sáng thứ Hai",
        weekdays_mask=1,
        start_date=date(2026, 12, 7),
        window_start_minute=360,
        window_end_minute=480,
    )
    standing.lines.append(StandingOrderLine(variant_id=tea.variants[0].id, quantity=1, valid_from=date(2026, 12, 7)))
    price = PartnerPrice(
        partner_id=partner.id, variant_id=tea.variants[0].id, unit_price_vnd=180_000, valid_from=date(2026, 12, 1)
    )
    db.session.add_all([standing, price])
    db.session.commit()
    shipment = db.session.query(Shipment).filter_by(order_id=wholesale.id).one()
    retail_shipment = db.session.query(Shipment).filter_by(order_id=retail.id).one()

    their_producer = a_producer(name="HTX Chè Sen Tây Hồ")
    stocked("Chè sen ướp", on_hand=5, producer=their_producer)
    their_partner = make_partner("Quán Xôi Phố Cổ")

    keys = {
        "ours": {
            "producer": api_key(producer=ours, name="Kho HTX")[1],
            "ordering": api_key(partner=partner, role="ordering", name="Phần mềm mua hàng")[1],
            "accounting": api_key(partner=partner, role="accounting", name="Kế toán")[1],
        },
        "theirs": {
            "producer": api_key(producer=their_producer, name="Kho khác")[1],
            "ordering": api_key(partner=their_partner, role="ordering", name="Mua hàng khác")[1],
            "accounting": api_key(partner=their_partner, role="accounting", name="Kế toán khác")[1],
        },
    }
    variant = tea.variants[0]
    objects = {
        "producer": ours.id,
        "product": xoi.id,
        "product_slug": xoi.slug,
        "variant": variant.id,
        "sku": variant.sku,
        "skus": [variant.sku, xoi.variants[0].sku],  # in stock, for partners' orders and producers' stock
        "shipment": shipment.id,
        "retail_shipment": retail_shipment.id,
        "partner_order": wholesale.id,
        "retail_order": retail.id,
        "invoice": invoice_of_order(wholesale.id).id,
        "standing_order": standing.id,
        "location": location.id,
        "partner": partner.id,
        "partner_price": price.id,
        "province_code": location.province_code,
        "ward_code": location.ward_code,
        "group": "thuc-pham",
        "month": "2026-11",
    }
    return World(keys=keys, objects=objects)
