"""What mail may say to an address the shop has not verified.

The shop verifies no address: a guest types one at checkout, anyone can sign up with any. So mail
must never carry a stranger's words to someone else's inbox. An order mail says only what the
shop itself wrote: the order number and state, the lines as the shop names them (product and
pack names from the catalog), amounts, the delivery and payment method as the shop labels them,
and the shop's own link. Of what the visitor typed it repeats only their name, clipped to
MAX_NAME_LENGTH characters and reduced to letters, spaces, hyphens and apostrophes, so that a
"name" cannot be a link, an address or a number to call. Street, ward, phone and delivery note
never reach a template: they are not on `OrderForMail`. HTML templates escape what they show.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

MAX_NAME_LENGTH = 60
_NAME_PUNCTUATION = "-'’"


def name_for_mail(raw: object) -> str:
    """A name typed by a visitor, as mail may repeat it: letters (accents included), single
    spaces, hyphens and apostrophes, at most MAX_NAME_LENGTH characters; "" if nothing is left."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    kept = "".join(ch if unicodedata.category(ch)[0] in "LM" or ch in _NAME_PUNCTUATION else " " for ch in text)
    name = " ".join(kept.split())[:MAX_NAME_LENGTH]
    return name.strip(" " + _NAME_PUNCTUATION)


@dataclass(frozen=True)
class LineForMail:
    quantity: int
    line_total_vnd: int
    product_name_vi: str
    product_name_en: str | None
    variant_name_vi: str
    variant_name_en: str | None

    def product_name(self, locale: str) -> str:
        return (self.product_name_en if locale == "en" else None) or self.product_name_vi

    def variant_name(self, locale: str) -> str:
        return (self.variant_name_en if locale == "en" else None) or self.variant_name_vi


@dataclass(frozen=True)
class OrderForMail:
    """The part of an order that mail templates get (see the module's docstring)."""

    number: str
    status: str
    payment_method: str
    delivery_method: str
    contact_name: str  # as name_for_mail makes it
    subtotal_vnd: int
    shipping_vnd: int
    total_vnd: int
    lines: tuple[LineForMail, ...]
    cancel_reason: str | None = None
    paid_at: datetime | None = None
    refund_status: str | None = None
    refund_due: bool = False  # as the order says (Order.refund_due): templates ask, not decide
    locale: str = "vi"
    created_at: datetime | None = None
    # The order's id, for what a template asks the services at sending time (the amount left
    # to collect or to refund once a producer cancelled its part).
    id: int | None = None
    # A partner's order: when it is delivered, and its purchase-order number.
    delivery_date: date | None = None
    window_start_minute: int | None = None
    window_end_minute: int | None = None
    po_number: str | None = None

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @classmethod
    def of(cls, order) -> OrderForMail:
        if isinstance(order, cls):
            return order
        return cls(
            id=order.id,
            number=order.number,
            status=order.status,
            payment_method=order.payment_method,
            delivery_method=order.delivery_method,
            contact_name=name_for_mail(order.contact_name),
            subtotal_vnd=order.subtotal_vnd,
            shipping_vnd=order.shipping_vnd,
            total_vnd=order.total_vnd,
            lines=tuple(
                LineForMail(
                    quantity=line.quantity,
                    line_total_vnd=line.line_total_vnd,
                    product_name_vi=line.product_name_vi,
                    product_name_en=line.product_name_en,
                    variant_name_vi=line.variant_name_vi,
                    variant_name_en=line.variant_name_en,
                )
                for line in order.lines
            ),
            cancel_reason=order.cancel_reason,
            paid_at=order.paid_at,
            refund_status=getattr(order, "refund_status", None),
            refund_due=bool(getattr(order, "refund_due", False)),
            locale=order.locale,
            created_at=order.created_at,
            delivery_date=getattr(order, "delivery_date", None),
            window_start_minute=getattr(order, "window_start_minute", None),
            window_end_minute=getattr(order, "window_end_minute", None),
            po_number=getattr(order, "po_number", None),
        )
