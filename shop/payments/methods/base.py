"""The one small interface every way to pay implements.

A way to pay is an object with a `code` (stored on each order) that says:

- what it is called and what the shopper is told before placing (`label`, `description`);
- whether this shop is set up for it (`is_configured`: a method whose settings are missing is not
  offered) and whether a given order may use it (`unavailable_reason`: amount, delivery, buyer);
- what placing an order with it does (`place`: confirm at once, or hold the stock until a
  deadline) and where the shopper goes next (`payment_url`: a provider's page, or nowhere);
- how its payment is confirmed (`confirmed_by_staff`: staff see the money arrive; otherwise the
  provider reports it, or the order is confirmed at once and paid on delivery);
- how money goes back (`refunds_itself` and `send_refund`: through the provider, after the
  commit; otherwise staff pay it back by hand and mark it sent);
- what it shows on the order page, the staff page and in mail: its template fragments
  `payments/methods/<code>/{order,admin,mail}.html` and `mail.txt` (see `fragment`). Each is
  included with `part` naming the place ("pay", "confirmed", "refund_due", "placed", …) and
  `order` in its context; a fragment (or a part) a method does not have shows nothing.

Methods are listed in `shop/payments/registry.py`; nothing outside shop/payments compares codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from jinja2 import Template

from shop.orders import services as orders
from shop.orders.models import Order

# orders.payment_method is a String(10).
MAX_CODE_LENGTH = 10


@dataclass(frozen=True)
class Purchase:
    """What decides whether a way to pay may be used for an order. Unknown parts are None: the
    details page knows only the subtotal, the review page no buyer's history."""

    total_vnd: int | None = None
    delivery_method: str | None = None
    phone: str | None = None
    email: str | None = None
    # A restaurant partner's order: whether the partner buys on payment terms (see
    # shop.partners.models.Partner.on_terms); None for a shopper's.
    on_terms: bool | None = None


class PaymentMethod:
    """One way to pay. Subclass it, give it a `code` and a `label`, and list an instance in the
    registry; override only what differs from an order that waits for its money."""

    code: str = ""
    label: object = ""  # a lazy string
    # Placing confirms the order at once; the money comes when the order is handed over.
    confirmed_at_once: bool = False
    # Staff confirm the payment by hand when they see it arrive (the admin page's button).
    confirmed_by_staff: bool = False
    # The money of a cancelled paid order goes back through the provider, after the commit.
    refunds_itself: bool = False
    # The shopper pays on a provider's page right after placing (payment_url).
    pays_online: bool = False
    # Only for partners buying on payment terms (never offered at the shoppers' checkout).
    for_partners_on_terms: bool = False

    @property
    def description(self) -> str:
        """What happens once the order is placed, shown beside "Place order"."""
        return ""

    def is_configured(self, config) -> bool:
        """Whether this shop has the settings the method needs (a key, an account)."""
        return True

    @property
    def ready(self) -> bool:
        return self.is_configured(current_app.config)

    def unavailable_reason(self, purchase: Purchase):
        """Why an order like `purchase` may not be paid this way (shown to the shopper), or None."""
        return None

    def hold_minutes(self, config) -> int:
        """How long an unpaid order holds its stock before it expires."""
        return 60

    def place(self, order: Order, *, now: datetime, actor: int | None) -> None:
        """Called in the placing transaction once the stock is reserved. By default the order
        waits for its money until a deadline, then expires and gives its stock back."""
        if self.confirmed_at_once:
            orders.transition(order, "confirmed", actor=actor, note=f"{self.code}: confirmed at once")
        else:
            order.expires_at = now + timedelta(minutes=self.hold_minutes(current_app.config))

    def payment_url(self, order: Order) -> str | None:
        """Where the shopper pays this unpaid order online (a provider's page), or None when
        there is nothing to pay online. Called after the order is committed; may ask the provider
        and flush what it answered (the caller commits). Raises ShopError when it cannot."""
        return None

    def send_refund(self, order: Order) -> bool:
        """Send a due refund back through the provider; called with nothing uncommitted. True
        when the money went back (the order is refunded; the caller commits), False when it is
        still due. Only for methods that `refunds_itself`."""
        return False

    def send_partial_refund(self, order: Order, *, amount_vnd: int, key: str) -> bool:
        """Send `amount_vnd` of a paid order back through the provider (a producer cancelled its
        part of the order, shop/payments/shipment_refunds.py); `key` names this refund however
        often it is tried. Called with nothing uncommitted; True when the money went back.
        Only for methods that `refunds_itself`."""
        return False

    def fragment(self, name: str) -> str | Template:
        """The template that shows this method in `name` (order.html, admin.html, mail.html,
        mail.txt): a template's name, or a jinja2 Template."""
        return f"payments/methods/{self.code}/{name}"

    def __repr__(self) -> str:
        return f"<PaymentMethod {self.code}>"


@dataclass(frozen=True)
class PaymentOption:
    """A way to pay as offered for one order: available, or why not."""

    method: PaymentMethod
    reason: object | None = None  # a lazy string, when not available

    @property
    def code(self) -> str:
        return self.method.code

    @property
    def available(self) -> bool:
        return self.reason is None
