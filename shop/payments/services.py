"""What happens to an order's money whatever way it was paid: staff confirming a payment or a
refund by hand, the refunds a provider must still make, and the link to orders' cancellation.
Each way to pay is an object behind one interface (shop/payments/methods/base.py), found through
the registry. Nothing here commits.

Money going back follows one rule: the order's state changes first (committed, with
`refund_status='due'`), then a method that `refunds_itself` asks its provider, with one
idempotency key per order however often it is tried (shop/payments/refunds.py); a method that
does not is paid back by staff, who then mark the refund sent."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shop.errors import ShopError
from shop.extensions import db
from shop.mail.services import after_commit
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments import shipment_refunds  # noqa: F401  (a cancelled shipment's refund: its receiver)
from shop.payments.refunds import settle_due_refund
from shop.payments.registry import method_of


def record_payment(order: Order, *, actor: int) -> bool:
    """Staff saw the money of an unpaid order arrive (a bank transfer): it is paid and confirmed.
    False if it was already paid. Raises ShopError for a method that staff do not confirm."""
    if not method_of(order).confirmed_by_staff:
        raise ShopError(_l("Only bank-transfer orders can be marked as paid by hand."))
    return orders.mark_paid(order, actor=actor, note="payment received (staff)")


def record_refund_sent(order: Order, *, actor: int) -> bool:
    """Staff sent a due refund back by hand. Raises ShopError when none is due by hand (nothing
    is due, or the provider sends it), IllegalTransition, ConflictError."""
    if not order.refund_due or method_of(order).refunds_itself:
        raise ShopError(_l("No bank refund is due for this order."))
    return orders.mark_refunded(order, actor=actor, note="refund sent by hand")


def provider_refund_due(order: Order) -> bool:
    """Whether a refund is due that the order's provider sends (retried until it goes through)."""
    return order.refund_due and method_of(order).refunds_itself


def provider_refunds_due() -> list[Order]:
    """Orders whose provider has not sent their refund yet (for `flask shop retry-refunds`)."""
    return [order for order in orders.refunds_due() if method_of(order).refunds_itself]


@orders.order_cancelled.connect
def _refund_after_the_commit(order: Order) -> bool:
    """A cancelled paid order whose method refunds itself: the provider is asked once the
    cancellation is committed (never inside its transaction), and the shopper's mail goes with
    the refund. Staff pay the other ways back by hand."""
    if not provider_refund_due(order):
        return False
    order_id = order.id
    after_commit(lambda: settle_due_refund(db.session.get(Order, order_id)))
    return True
