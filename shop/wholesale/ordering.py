"""A restaurant partner's order: its lines priced for the partner and checked against the
quantity rules and stock, then placed in one transaction like any order (shop.checkout's
create_order: copied prices, VAT rates, one shipment per producer), with its invoice.

The quick order grid, the CSV upload, "order again" and standing orders all come through
`price_lines` and `place_partner_order`; no other code prices or places a partner's order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from blinker import Namespace
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from shop import clock, pricing
from shop.catalog.models import Product, Variant
from shop.checkout.services import TotalChanged, create_order, new_checkout_token
from shop.errors import ValidationError
from shop.extensions import db
from shop.inventory.services import OutOfStock, reserve_stock
from shop.invoicing import credit
from shop.invoicing.services import issue_invoice
from shop.models_base import utcnow
from shop.orders import services as orders
from shop.orders.models import Order
from shop.partners.models import Partner, PartnerLocation
from shop.payments import registry as payments
from shop.payments.methods.base import Purchase
from shop.producers.models import Producer
from shop.wholesale.delivery import Window, check_delivery

# One order's lines at most (the CSV upload's limit as well).
MAX_LINES = 500
# One line's quantity at most, whatever the producer's maximum (a typo of 100000 is refused).
MAX_QUANTITY = 100_000
PO_NUMBER_MAX = 40

_signals = Namespace()
# Sent inside the transaction that places a partner's order, once its way to pay took it on
# (confirmed on account, or waiting for its payment): the sender is the order. Webhooks
# subscribe (order.created to the partner); wholesale never imports them.
partner_order_placed = _signals.signal("partner-order-placed")


@dataclass
class Line:
    """A line of a partner's order as priced and checked now."""

    variant: Variant
    quantity: int
    quote: pricing.Quote
    problem: object | None = None  # a lazy string: why it cannot be ordered as it is

    @property
    def product(self) -> Product:
        return self.variant.product

    @property
    def unit_price_vnd(self) -> int:
        return self.quote.unit_price_vnd

    @property
    def total_vnd(self) -> int:
        return self.quote.total_vnd

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass
class Basket:
    """A partner's lines priced on one day, with what keeps them from being ordered."""

    partner: Partner | None
    day: date
    lines: list[Line] = field(default_factory=list)
    book: pricing.PartnerPriceBook | None = None
    vat: pricing.VatTable | None = None

    @property
    def ok(self) -> bool:
        return bool(self.lines) and all(line.ok for line in self.lines)

    @property
    def problems(self) -> list[Line]:
        return [line for line in self.lines if not line.ok]

    @property
    def subtotal_vnd(self) -> int:
        return sum(line.total_vnd for line in self.lines)

    @property
    def saving_vnd(self) -> int:
        return sum(line.quote.saving_vnd for line in self.lines)

    @property
    def by_rate(self) -> list[pricing.VatSplit]:
        """Net, VAT and gross per VAT rate, as the invoice will show them."""
        return pricing.by_rate((line.total_vnd, self.vat.rate_of(line.product)) for line in self.lines)

    @property
    def products(self) -> list[Product]:
        return [line.product for line in self.lines]

    def items(self) -> list[tuple[int, int]]:
        return [(line.variant.id, line.quantity) for line in self.lines]


def orderable_variants(variant_ids: Iterable[int]) -> dict[int, Variant]:
    """Variants of published products of active producers, with their product and producer."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Variant)
        .join(Variant.product)
        .join(Product.producer)
        .where(Variant.id.in_(ids), Product.status == "published", Producer.status == "active")
        .options(joinedload(Variant.product))
    )
    return {variant.id: variant for variant in rows}


def variants_by_sku(skus: Iterable[str]) -> dict[str, Variant]:
    """Orderable variants by SKU, matched whatever the case (SKUs are unique across the shop
    whatever their case)."""
    wanted = {sku.strip().lower() for sku in skus if sku and sku.strip()}
    if not wanted:
        return {}
    found = {}
    for chunk_start in range(0, len(wanted), 400):
        chunk = sorted(wanted)[chunk_start : chunk_start + 400]
        rows = db.session.scalars(
            select(Variant)
            .join(Variant.product)
            .join(Product.producer)
            .where(db.func.lower(Variant.sku).in_(chunk), Product.status == "published", Producer.status == "active")
            .options(joinedload(Variant.product))
        )
        found.update({variant.sku.lower(): variant for variant in rows})
    return found


def price_lines(partner: Partner, quantities: Iterable[tuple[int, int]], *, day: date) -> Basket:
    """The lines (variant id, quantity) priced for `partner` on `day` and checked: the variant
    is for sale, the quantity keeps the partner rules, the stock is there. A variant named twice
    counts once with the quantities added. Lines with a quantity of 0 are left out. Writes
    nothing; a line's `problem` says what is wrong with it."""
    merged: dict[int, int] = {}
    for variant_id, quantity in quantities:
        if quantity:
            merged[variant_id] = merged.get(variant_id, 0) + quantity
    variants = orderable_variants(merged)
    book = pricing.price_book(partner, variants, day)
    basket = Basket(partner, day, book=book, vat=pricing.vat_table(day))
    for variant_id, quantity in merged.items():
        variant = variants.get(variant_id)
        if variant is None:
            continue  # no longer for sale: the caller names it (it knows what was asked for)
        basket.lines.append(Line(variant, quantity, book.price(variant, quantity), line_problem(variant, quantity)))
    basket.lines.sort(key=lambda line: (line.product.name_vi, line.variant.price_vnd, line.variant.id))
    return basket


def line_problem(variant: Variant, quantity: int):
    """Why a partner cannot order `quantity` of `variant` now (a lazy string), or None."""
    if quantity > MAX_QUANTITY:
        return _l("Enter at most %(n)s.", n=MAX_QUANTITY)
    problem = pricing.quantity_problem(variant, quantity)
    if problem is not None:
        return problem
    if variant.available <= 0:
        return _l("Out of stock.")
    if quantity > variant.available:
        return _l("Only %(n)s available.", n=variant.available)
    return None


def clean_po_number(raw: str | None) -> str | None:
    text = " ".join((raw or "").split())
    if len(text) > PO_NUMBER_MAX:
        raise ValidationError(
            _l("A purchase-order number has at most %(n)s characters.", n=PO_NUMBER_MAX), field="po_number"
        )
    return text or None


def purchase_for(partner: Partner, total_vnd: int | None = None) -> Purchase:
    return Purchase(total_vnd=total_vnd, delivery_method="scheduled", on_terms=partner.on_terms)


def payment_options(partner: Partner, total_vnd: int | None = None):
    """The ways this partner may pay for an order of `total_vnd`: on account with terms,
    otherwise a transfer or a card at checkout."""
    return payments.partner_options(purchase_for(partner, total_vnd))


@dataclass
class PartnerOrderRequest:
    """What a partner's "Place order" carries."""

    location: PartnerLocation
    quantities: list[tuple[int, int]]
    delivery_date: date | None
    window: Window | None
    po_number: str | None = None
    payment_method: str | None = None
    note: str | None = None
    # The total the buyer saw (None: whatever it is now, as for standing orders).
    expected_total_vnd: int | None = None
    checkout_token: str | None = None


def check_request(partner: Partner, request: PartnerOrderRequest, *, now: datetime) -> Basket:
    """Everything about a partner's order that can be checked without writing: the partner is
    approved, the location is its own and open, every line can be ordered, the delivery date
    and window suit the lines and the location, the way to pay suits the partner, the total is
    the one the buyer saw. Raises ValidationError (field named) or TotalChanged."""
    if partner.status != "active":
        raise ValidationError(_l("Your partner account is not approved yet: you cannot order at partner prices."))
    location = request.location
    if location.partner_id != partner.id or not location.active:
        raise ValidationError(_l("Choose one of your delivery locations."), field="location_id")
    if len(request.quantities) > MAX_LINES:
        raise ValidationError(_l("An order has at most %(n)s lines.", n=MAX_LINES))
    day = now.astimezone(clock.VN).date()
    basket = price_lines(partner, request.quantities, day=day)
    asked = {variant_id for variant_id, quantity in request.quantities if quantity}
    if not asked:
        raise ValidationError(_l("Enter a quantity for at least one product."), field="quantities")
    if len(basket.lines) < len(asked):
        raise ValidationError(_l("One of the products is no longer for sale. Please check your order again."))
    if not basket.ok:
        line = basket.problems[0]
        error = ValidationError(
            _l(
                "%(product)s (%(sku)s): %(problem)s",
                product=line.product.name(str(get_locale() or "vi")),
                sku=line.variant.sku,
                problem=line.problem,
            ),
            field="quantities",
        )
        error.variant_id = line.variant.id  # which line, for callers that name it (the API)
        raise error
    check_delivery(basket.products, location, request.delivery_date, request.window, now)
    request.po_number = clean_po_number(request.po_number)
    payments.check_partner_method(request.payment_method, purchase_for(partner, basket.subtotal_vnd))
    if request.expected_total_vnd is not None and request.expected_total_vnd != basket.subtotal_vnd:
        raise TotalChanged()
    return basket


def place_partner_order(
    partner: Partner,
    request: PartnerOrderRequest,
    *,
    actor_user_id: int | None,
    email: str,
    locale: str,
    now: datetime | None = None,
) -> Order:
    """Place a partner's order in the caller's transaction: check it (see check_request), then
    — within the partner's credit limit and with no overdue invoice on hold — create the order
    with the partner's prices, reserve the stock, let the way to pay take it on (on account:
    confirmed at once), issue its invoice and queue the mail. `email` is where the order's mail
    goes (the buyer's). A refusal (ShopError) leaves nothing written: nothing ordered, nothing
    reserved; the caller commits after it as after success. A second "Place order" with the
    same token fails on its unique key (IntegrityError) before touching stock."""
    now = now or utcnow()
    basket = check_request(partner, request, now=now)
    method = payments.check_partner_method(request.payment_method, purchase_for(partner, basket.subtotal_vnd))
    location = request.location
    token = request.checkout_token or new_checkout_token()
    # The transaction's first statement writes: it makes this order wait for any other order of
    # the same partner (PostgreSQL locks the row; SQLite has one writer), so two orders checked
    # at once cannot both fit under the credit limit, and on SQLite no read pins a snapshot that
    # the other order would make stale. It comes before the savepoint because SQLite's driver
    # opens no transaction for reads: a savepoint opening it would commit it on release.
    db.session.execute(update(Partner).where(Partner.id == partner.id).values(status=Partner.status))
    with db.session.begin_nested():
        credit.check_may_order(partner, basket.subtotal_vnd, today=basket.day, on_terms=method.for_partners_on_terms)
        order = create_order(
            dict(
                checkout_token=token,
                user_id=actor_user_id,
                payment_method=method.code,
                delivery_method="scheduled",
                locale=locale,
                email=email,
                contact_name=location.contact_name,
                phone=location.contact_phone,
                province_code=location.province_code,
                ward_code=location.ward_code,
                street=location.street,
                delivery_note=(request.note or "").strip()[:300] or None,
                shipping_vnd=0,
                partner_id=partner.id,
                partner_location_id=location.id,
                delivery_date=request.delivery_date,
                window_start_minute=request.window.start_minute,
                window_end_minute=request.window.end_minute,
                po_number=request.po_number,
            ),
            [(line.product, line.variant, line.unit_price_vnd, line.quantity) for line in basket.lines],
            vat=basket.vat,
            user_id=actor_user_id,
            now=now,
        )
        reserve_stock(orders.stock_items(order), order_id=order.id)
        db.session.flush()
        method.place(order, now=now, actor=actor_user_id)
        partner_order_placed.send(order)
        issue_invoice(order, now=now)
        orders.send_order_mail(order, "order_placed")
        db.session.flush()
    return order


__all__ = [
    "MAX_LINES",
    "Basket",
    "Line",
    "OutOfStock",
    "PartnerOrderRequest",
    "check_request",
    "place_partner_order",
    "price_lines",
]
