"""Rules the pages show come from one place: Product.is_perishable decides the "made fresh" notes
on the product page and in the cart, Cart.MAX_QUANTITY caps every quantity field."""

from __future__ import annotations

import re

import pytest

from shop.cart import services as cart_services
from shop.cart.models import Cart
from shop.cart.visitor import CART_KEY
from shop.catalog.models import Product
from shop.extensions import db
from tests.support.builders import make_product

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize(("days", "perishable"), [(1, True), (2, True), (3, False), (None, False)])
def test_perishable_means_keeping_two_days_or_less(days, perishable):
    product = Product(shelf_life_days=days)
    assert product.is_perishable is perishable
    assert product.keeps_through(1) is (days is None or days > 1)


def _page(client, product) -> str:
    return client.get(f"/products/{product.slug}", headers=EN).get_data(as_text=True)


def _quantity_max(html: str) -> int:
    return int(re.search(r'name="quantity"[^>]*max="(\d+)"', html).group(1))


def test_product_page_says_made_fresh_only_for_perishables(client, app):
    xoi = make_product("Xôi Phú Thượng", shelf_life_days=1)
    tea = make_product("Chè Sen Quảng An", shelf_life_days=365)
    assert xoi.variants[0].is_perishable
    assert "best eaten the same day" in _page(client, xoi)
    assert "best eaten the same day" not in _page(client, tea)


def test_quantity_fields_stop_at_the_cart_maximum_or_the_stock(client, app):
    plenty = make_product("Gạo nếp cái hoa vàng", on_hand=Cart.MAX_QUANTITY + 400)
    few = make_product("Mứt sen", on_hand=5)
    assert _quantity_max(_page(client, plenty)) == Cart.MAX_QUANTITY
    assert _quantity_max(_page(client, few)) == 5


def test_cart_warns_about_perishables_and_caps_quantities(client, app):
    xoi = make_product("Xôi Phú Thượng", shelf_life_days=1, on_hand=500)
    with client.session_transaction() as session:
        session[CART_KEY] = "guest-rules"
    cart = cart_services.get_or_create_cart(None, "guest-rules")
    cart_services.add_to_cart(cart, xoi.variants[0].id, 2)
    db.session.commit()
    html = client.get("/cart", headers=EN).get_data(as_text=True)
    assert "Keeps 1 day: same-day delivery in Hà Nội or pickup only." in html
    assert _quantity_max(html) == Cart.MAX_QUANTITY
