"""Orders from before the refund flag keep owing what they owed: the upgrade flags them."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from shop.extensions import db
from shop.orders.models import Order
from tests.support.builders import cart_with, place


def test_upgrading_flags_the_paid_orders_that_were_cancelled_before_as_refund_due(app, products):
    orders = [
        place(cart_with((products["tea"], 1), key=f"cart-{n}"), token=f"tok-{n}", payment_method="vietqr").id
        for n in range(3)
    ]
    db.session.remove()
    downgrade(revision="0007_catalog_version")
    with db.engine.begin() as connection:
        set_state = text("UPDATE orders SET status = :status, paid_at = :paid WHERE id = :id")
        connection.execute(set_state, {"status": "cancelled", "paid": "2026-11-29 03:00:00", "id": orders[0]})
        connection.execute(set_state, {"status": "cancelled", "paid": None, "id": orders[1]})
        connection.execute(set_state, {"status": "refunded", "paid": "2026-11-29 03:00:00", "id": orders[2]})
    upgrade()
    assert [db.session.get(Order, i).refund_status for i in orders] == ["due", None, "sent"]
    assert db.session.get(Order, orders[0]).refund_due
