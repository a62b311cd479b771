"""No overselling: many buyers at once for the last few units, each in its own thread with its
own database connection, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from shop.catalog.models import Variant
from shop.checkout import services as checkout
from shop.errors import ShopError
from shop.extensions import db
from shop.inventory.models import StockMovement
from shop.inventory.services import OutOfStock, ledger_totals
from shop.orders.models import Order
from tests.support.builders import MORNING, cart_with, details, stocked

BUYERS = 20
STOCK = 5


@pytest.mark.both_databases
def test_twenty_buyers_for_five_units(app):
    product = stocked("Hoa đào Nhật Tân", on_hand=STOCK, price=1_200_000, shelf_life_days=10)
    variant_id = product.variants[0].id
    carts = [cart_with((product, 1), key=f"buyer-{n}").id for n in range(BUYERS)]
    expected = checkout.quote(_cart(carts[0]), details(), now=MORNING, locale="vi", acknowledge=False).total_vnd
    db.session.remove()

    start = threading.Barrier(BUYERS)
    outcomes: list[object] = [None] * BUYERS

    def buy(n: int) -> None:
        with app.app_context():
            try:
                start.wait(timeout=30)
                order = checkout.place_order(
                    cart=_cart(carts[n]),
                    details=details(email=f"buyer{n}@example.vn", phone=f"0912 345 {n:03d}"),
                    checkout_token=f"token-{n}",
                    expected_total_vnd=expected,
                    user_id=None,
                    locale="vi",
                    now=MORNING,
                )
                db.session.commit()
                outcomes[n] = order.number
            except ShopError as exc:
                db.session.rollback()
                outcomes[n] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(BUYERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    sold = [o for o in outcomes if isinstance(o, str)]
    refused = [o for o in outcomes if isinstance(o, ShopError)]
    assert len(sold) == STOCK, outcomes
    assert len(refused) == BUYERS - STOCK
    # Each refusal is the clear "not enough stock" answer, not a database error.
    assert all(isinstance(o, OutOfStock) for o in refused), refused
    variant = db.session.get(Variant, variant_id)
    assert (variant.on_hand, variant.reserved) == (STOCK, STOCK)
    assert ledger_totals(variant_id) == (STOCK, STOCK)
    assert db.session.scalar(select(func.count()).select_from(Order)) == STOCK
    reserves = db.session.scalar(
        select(func.count()).select_from(StockMovement).where(StockMovement.reason == "reserve")
    )
    assert reserves == STOCK


def _cart(cart_id):
    from shop.cart.models import Cart

    return db.session.get(Cart, cart_id)
