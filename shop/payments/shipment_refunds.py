"""Money going back for part of an order: a producer cancelled its shipment of a paid order that
goes on (shop/fulfilment). The same rule as for a whole order: the cancellation is committed
first with the shipment's refund "due", then a method that `refunds_itself` asks its provider
for exactly that amount, with one idempotency key per shipment however often it is tried; a
method that does not is paid back by staff, who mark the shipment's refund sent."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from shop.errors import ShopError
from shop.extensions import db
from shop.fulfilment import services as fulfilment
from shop.fulfilment.models import Shipment
from shop.mail.services import after_commit
from shop.payments.registry import method_of


def refund_key(shipment: Shipment) -> str:
    # The order's random checkout token, not its id (ids repeat across databases).
    return f"ocop-{shipment.order.checkout_token}-shipment-{shipment.id}-refund"


def provider_sends(shipment: Shipment) -> bool:
    """Whether the shipment's due refund is the provider's to send (retried until it goes)."""
    return shipment.refund_status == "due" and method_of(shipment.order).refunds_itself


@fulfilment.shipment_cancelled.connect
def _refund_after_the_commit(shipment: Shipment) -> bool:
    """A cancelled shipment of a paid order whose method refunds itself: the provider is asked
    once the cancellation is committed (never inside its transaction)."""
    if not provider_sends(shipment):
        return False
    shipment_id = shipment.id
    after_commit(lambda: settle_shipment_refund(db.session.get(Shipment, shipment_id)))
    return True


def settle_shipment_refund(shipment: Shipment | None) -> bool:
    """Ask the provider for a shipment's due refund and commit what it says. False when it is
    still due (the provider failed, or another process settled it a moment ago), nothing lost:
    staff's retry button asks again with the same key."""
    if shipment is None or not provider_sends(shipment):
        return False
    try:
        sent = method_of(shipment.order).send_partial_refund(
            shipment.order, amount_vnd=shipment.refund_vnd, key=refund_key(shipment)
        )
    except ShopError as exc:
        current_app.logger.info("Refund of shipment %s not sent here: %s", shipment.id, exc)
        sent = False
    if not sent or not fulfilment.mark_refund_sent(shipment):
        db.session.rollback()
        return False
    db.session.commit()
    return True


def record_shipment_refund_sent(shipment: Shipment) -> bool:
    """Staff sent a shipment's due refund back by hand (a bank transfer). Raises ShopError when
    none is due by hand (nothing is due, or the provider sends it)."""
    if shipment.refund_status != "due" or method_of(shipment.order).refunds_itself:
        raise ShopError(_l("No bank refund is due for this shipment."))
    return fulfilment.mark_refund_sent(shipment)
