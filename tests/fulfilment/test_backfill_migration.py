"""Orders placed before shipments existed get theirs when 0010 is applied: one per producer of
their lines, with those lines' value, in the order's state, shown to producers once confirmed."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from shop.extensions import db
from shop.fulfilment.models import Shipment


@pytest.mark.both_databases
def test_upgrading_gives_every_existing_order_its_shipments_in_its_state(app, shop):
    states = ["shipped", "delivered", "cancelled", "refunded", "processing", "pending_payment"]
    ids = [
        shop.order(token=f"tok-{n}", key=f"cart-{n}", phone=f"0912 345 60{n}", email=f"g{n}@example.vn").id
        for n in range(len(states))
    ]
    producers = sorted([shop.xoi_maker.id, shop.tea_maker.id])
    db.session.remove()
    downgrade(revision="0009_payment_methods")
    assert "shipments" not in inspect(db.engine).get_table_names()
    with db.engine.begin() as connection:
        for order_id, status in zip(ids, states, strict=True):
            connection.execute(
                text(
                    "UPDATE orders SET status = :status, shipped_at = :shipped, delivered_at = :delivered "
                    "WHERE id = :id"
                ),
                {
                    "status": status,
                    "shipped": "2026-11-30 05:00:00" if status in ("shipped", "delivered") else None,
                    "delivered": "2026-11-30 09:00:00" if status == "delivered" else None,
                    "id": order_id,
                },
            )
    upgrade()

    def of(order_id):
        return list(db.session.scalars(select(Shipment).where(Shipment.order_id == order_id).order_by(Shipment.id)))

    for order_id, status in zip(ids, states, strict=True):
        shipments = of(order_id)
        assert sorted(s.producer_id for s in shipments) == producers
        expected = {"refunded": "cancelled", "processing": "open", "pending_payment": "open"}.get(status, status)
        assert {s.status for s in shipments} == {expected}, status
    shipped = of(ids[0])
    assert sorted(s.subtotal_vnd for s in shipped) == [70_000, 450_000]
    assert all(s.shipped_at is not None and s.delivered_at is None for s in shipped)
    assert all(s.delivered_at is not None for s in of(ids[1]))
    # Producers see the confirmed ones, never one still waiting for its money.
    assert all(s.notified_at is not None for s in of(ids[4]))
    assert all(s.notified_at is None for s in of(ids[5]))
    assert all(s.refund_vnd == 0 and s.refund_status is None for s in shipped)
