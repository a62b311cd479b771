"""Checkout: which deliveries and ways to pay a cart can have, and placing the order — reprice,
reserve, copy — in the caller's one transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, fields
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop import clock, geo, pricing
from shop.accounts.services import normalize_phone
from shop.cart.models import Cart
from shop.cart.services import PricedCart, clear_cart, parse_id, price_cart
from shop.checkout import limits
from shop.checkout.models import SavedAddress
from shop.errors import ConflictError, ValidationError
from shop.extensions import db
from shop.fulfilment.services import create_shipments
from shop.inventory.services import OutOfStock, reserve_stock
from shop.models_base import utcnow
from shop.orders import services as orders
from shop.orders.models import Order, OrderEvent, OrderLine
from shop.payments import registry as payments
from shop.payments.methods.base import PaymentOption, Purchase
from shop.producers.models import Producer
from shop.shipping.services import DeliveryOption, delivery_options

MAX_SAVED_ADDRESSES = 10


# Ways to pay ----------------------------------------------------------------------------------


def payment_options(total_vnd: int | None = None, delivery_method: str | None = None) -> list[PaymentOption]:
    """Each way to pay this shop offers, in its order, with whether an order of `total_vnd` (and
    that delivery) may use it and why not. Unknown parts rule nothing out."""
    return payments.options(Purchase(total_vnd=total_vnd, delivery_method=delivery_method))


def payment_methods(total_vnd: int | None = None) -> list[str]:
    """The codes of the ways to pay offered for an order of `total_vnd` (all, without one)."""
    return [option.code for option in payment_options(total_vnd) if option.available]


def check_quote_limits(q: Quote, *, guest: bool, locale: str) -> None:
    """Guests' largest quantity of one item, and whether the chosen way to pay takes this amount
    and delivery. Raises ValidationError (on the payment field for the way to pay)."""
    limits.check_guest_quantities(q.cart.lines, guest=guest, locale=locale)
    payments.check_available(
        q.details.payment_method, Purchase(total_vnd=q.total_vnd, delivery_method=q.delivery.method)
    )


def pickup_producer(cart: PricedCart) -> Producer | None:
    ids = cart.producer_ids
    return db.session.get(Producer, next(iter(ids))) if len(ids) == 1 else None


# The shopper's details -------------------------------------------------------------------------


@dataclass
class Details:
    """What the checkout form collected, checked by `check_details`."""

    contact_name: str
    phone: str
    email: str
    delivery_method: str
    payment_method: str
    province_code: int | None = None
    ward_code: int | None = None
    street: str | None = None
    delivery_note: str | None = None
    save_address: bool = False

    def to_data(self) -> dict:
        """As kept on the server with the cart (carts.checkout_details)."""
        return dict(self.__dict__)

    @classmethod
    def from_form(cls, form) -> Details:
        """From a form with a field of each name (the checkout form)."""
        return cls(**{f.name: getattr(form, f.name).data for f in fields(cls)})

    def address(self) -> dict:
        """Who and where to deliver to, as orders and saved addresses keep it."""
        return {
            "contact_name": self.contact_name,
            "phone": self.phone,
            "province_code": self.province_code,
            "ward_code": self.ward_code,
            "street": self.street or None,
        }

    @classmethod
    def from_data(cls, data: dict | None) -> Details | None:
        """From what `to_data` kept; None when nothing (or something of another shape) was kept."""
        if not isinstance(data, dict) or not data:
            return None
        try:
            return cls(**data)
        except TypeError:
            return None

    @classmethod
    def of_cart(cls, cart: Cart | None) -> Details | None:
        """The details typed at checkout for this cart, if any."""
        return cls.from_data(cart.checkout_details) if cart is not None else None


def check_details(details: Details) -> Details:
    """Rules the form cannot know: a Vietnamese phone, a ward of the chosen province, a payment
    method this shop offers. Raises ValidationError naming the field."""
    details.contact_name = (details.contact_name or "").strip()
    details.email = (details.email or "").strip().lower()
    phone = normalize_phone(details.phone)
    if not phone:
        raise ValidationError(_l("Enter a Vietnamese phone number, like 0912 345 678."), field="phone")
    details.phone = phone
    if not payments.is_enabled(details.payment_method):
        raise ValidationError(_l("Choose one of the payment methods offered."), field="payment_method")
    if details.delivery_method not in ("standard", "same_day", "pickup"):
        raise ValidationError(_l("Choose how you want to receive your order."), field="delivery_method")
    if details.delivery_method != "pickup" or details.province_code or details.ward_code:
        if geo.province_name(details.province_code) is None:
            raise ValidationError(_l("Choose your province or city."), field="province_code")
        if not geo.ward_in_province(details.province_code, details.ward_code):
            raise ValidationError(_l("Choose a commune or ward of the province you chose."), field="ward_code")
        details.street = (details.street or "").strip()
        if details.delivery_method != "pickup" and not details.street:
            raise ValidationError(_l("Enter the street and house number."), field="street")
    return details


# The quote and the order ----------------------------------------------------------------------


@dataclass
class Quote:
    cart: PricedCart
    details: Details
    delivery: DeliveryOption
    options: list[DeliveryOption] = field(default_factory=list)
    pickup_at: Producer | None = None

    @property
    def subtotal_vnd(self) -> int:
        return self.cart.subtotal_vnd

    @property
    def shipping_vnd(self) -> int:
        return self.delivery.price_vnd or 0

    @property
    def total_vnd(self) -> int:
        return self.subtotal_vnd + self.shipping_vnd


def quote(cart: Cart | None, details: Details, *, now: datetime, locale: str, acknowledge: bool = False) -> Quote:
    """Everything the order will cost, computed on the server from the cart as it is now. Writes
    nothing unless `acknowledge` (see price_cart). Raises ValidationError for an empty cart or a
    delivery the cart cannot have."""
    priced = price_cart(cart, acknowledge=acknowledge)
    if not priced.lines:
        raise ValidationError(_l("Your cart is empty."))
    options = delivery_options(priced, details.province_code, now=now, locale=locale)
    chosen = next(o for o in options if o.method == details.delivery_method)
    if not chosen.available:
        raise ValidationError(
            chosen.reason or _l("Choose how you want to receive your order."), field="delivery_method"
        )
    q = Quote(
        cart=priced,
        details=details,
        delivery=chosen,
        options=options,
        pickup_at=pickup_producer(priced) if chosen.method == "pickup" else None,
    )
    check_quote_limits(q, guest=cart.user_id is None, locale=locale)
    return q


def save_details(cart: Cart | None, details: Details, *, now: datetime, locale: str) -> Quote:
    """The checkout form was sent: check the details, record the cart as the shopper saw it beside
    the form, and keep the details with the cart on the server (not in the visitor's cookie) for
    the review page and "Place order". Raises ValidationError naming the field."""
    check_details(details)
    q = quote(cart, details, now=now, locale=locale, acknowledge=True)
    cart.checkout_details = details.to_data()
    db.session.flush()
    return q


def new_checkout_token() -> str:
    return secrets.token_urlsafe(24)


def quantities_shown(q: Quote) -> str:
    """The review page's quantities, for its "Place order" form: "variant:quantity,…"."""
    return ",".join(f"{line.variant.id}:{line.quantity}" for line in q.cart.lines)


def parse_quantities_shown(raw: str | None) -> dict[int, int] | None:
    """What `quantities_shown` wrote, read back with bounds; None when missing or malformed."""
    quantities = {}
    for item in (raw or "").split(","):
        variant_id, _, quantity = item.partition(":")
        variant_id, quantity = parse_id(variant_id), parse_id(quantity, high=Cart.MAX_QUANTITY)
        if variant_id is None or quantity is None:
            return None
        quantities[variant_id] = quantity
    return quantities


class TotalChanged(ConflictError):
    code = "total_changed"
    default_message = _l("Prices, stock or delivery changed since you looked. Please check your order again.")


def existing_order(checkout_token: str, *, user_id: int | None, session_numbers: list[str]) -> Order | None:
    """The order already placed with this token by this visitor (a double click, the back button,
    a retry). Someone else's token gives nothing."""
    order = db.session.scalar(select(Order).where(Order.checkout_token == checkout_token))
    if order is None:
        return None
    mine = (user_id is not None and order.user_id == user_id) or (
        order.user_id is None and order.number in session_numbers
    )
    if not mine:
        raise ValidationError(_l("This checkout form is no longer valid. Please check your order again."))
    return order


def _ran_out_since_review(priced: PricedCart, expected_quantities: dict[int, int] | None) -> int | None:
    """A variant the cart now has less of than the review page showed (0 when unknown), or None."""
    now = {line.variant.id: line.quantity for line in priced.lines}
    if expected_quantities is None:  # not told what the review showed: any shortfall counts
        short = [line.variant.id for line in priced.lines if line.lowered_from]
        return short[0] if short else (0 if priced.removed else None)
    return next((vid for vid, qty in expected_quantities.items() if now.get(vid, 0) < qty), None)


def place_order(
    *,
    cart: Cart | None,
    details: Details,
    checkout_token: str,
    expected_total_vnd: int | None,
    user_id: int | None,
    locale: str,
    now: datetime | None = None,
    expected_quantities: dict[int, int] | None = None,
) -> Order:
    """Place the order in the caller's transaction: reprice the cart, reserve the stock, copy prices
    and names onto the lines, do what the way to pay asks (confirm, or hold until a deadline),
    empty the cart, queue the email.

    `expected_total_vnd` is the total the shopper saw on the review page, and
    `expected_quantities` (variant id: quantity) the quantities it showed. They never set a price
    or a quantity: the order goes through when the total is the same (even if that page showed a
    new price or a quantity lowered to the stock); otherwise the shopper must look again, told
    plainly when stock ran out.

    Unpaid orders past their time are expired first, and stay expired when this order is refused:
    the review page may have shown less than the cart can have now. A refusal (ShopError, or
    IntegrityError for the same form sent twice at once) leaves nothing else, so the caller
    commits after it as after success."""
    now = now or utcnow()
    if not checkout_token or len(checkout_token) > 64:
        raise ValidationError(_l("This checkout form is no longer valid. Please check your order again."))
    orders.expire_due_orders(now)
    q = _agreed_quote(cart, details, expected_total_vnd, expected_quantities, now=now, locale=locale)
    vat = pricing.vat_table(now.astimezone(clock.VN).date())
    # Up to here nothing was written but the expiry; a refusal from here on undoes only the order.
    # (Its first statement writes: on SQLite a read first would pin a snapshot that another
    # buyer's order makes stale, and the write would then fail instead of waiting its turn.)
    with db.session.begin_nested():
        order = _new_order(q, checkout_token=checkout_token, user_id=user_id, locale=locale, now=now, vat=vat)
        _hold_and_settle(order, q, cart=cart, user_id=user_id, now=now)
    return order


def _agreed_quote(
    cart: Cart | None,
    details: Details,
    expected_total_vnd: int | None,
    expected_quantities: dict[int, int] | None,
    *,
    now: datetime,
    locale: str,
) -> Quote:
    """The quote to place, when the visitor may order, the way to pay takes this buyer and the
    total is the one the review page showed. Raises and writes nothing."""
    check_details(details)
    limits.check_order(phone=details.phone, now=now)
    buyer = Purchase(delivery_method=details.delivery_method, phone=details.phone, email=details.email)
    payments.check_available(details.payment_method, buyer)
    priced = price_cart(cart)
    if priced.removed and not priced.lines:
        raise OutOfStock(0)  # the last units went to someone else since the review
    q = quote(cart, details, now=now, locale=locale)
    # The review page wrote nothing: the total it showed, lowered quantities and new prices
    # included, is what the shopper agreed to. Any other total means something moved since.
    if expected_total_vnd != q.total_vnd:
        ran_out = _ran_out_since_review(q.cart, expected_quantities)
        if ran_out is not None:
            raise OutOfStock(ran_out)  # someone else bought units since the review: say so plainly
        raise TotalChanged()
    return q


def _new_order(
    q: Quote, *, checkout_token: str, user_id: int | None, locale: str, now: datetime, vat: pricing.VatTable
) -> Order:
    """The order with its lines, prices and names copied from the quote, flushed and numbered.
    The token is unique: a concurrent second "Place order" fails here (IntegrityError), before
    touching stock."""
    details = q.details
    return create_order(
        dict(
            checkout_token=checkout_token,
            user_id=user_id,
            payment_method=details.payment_method,
            delivery_method=details.delivery_method,
            locale=locale,
            email=details.email,
            **details.address(),
            delivery_note=(details.delivery_note or "").strip() or None,
            pickup_producer_id=q.pickup_at.id if q.pickup_at else None,
            shipping_vnd=q.shipping_vnd,
        ),
        [(line.product, line.variant, line.unit_price_vnd, line.quantity) for line in q.cart.lines],
        vat=vat,
        user_id=user_id,
        now=now,
    )


def create_order(fields: dict, items, *, vat: pricing.VatTable, user_id: int | None, now: datetime) -> Order:
    """A new order waiting for its payment, with `fields` (contact, delivery, way to pay,
    shipping_vnd…) and one line per item (product, variant, unit price, quantity): names and
    prices copied, the VAT rate of each product's group on the day, subtotal and total added up
    here. Flushed, numbered, its first event written and split into one shipment per producer.
    The one way every order — a shopper's or a partner's — comes into being. `vat` is
    `pricing.vat_table` of the order's day, read before the caller's transaction writes."""
    order = Order(status="pending_payment", created_at=now, **fields)
    for product, variant, unit_price_vnd, quantity in items:
        order.lines.append(
            OrderLine(
                producer_id=product.producer_id,
                product_id=product.id,
                variant_id=variant.id,
                sku=variant.sku,
                product_name_vi=product.name_vi,
                product_name_en=product.name_en,
                variant_name_vi=variant.name_vi,
                variant_name_en=variant.name_en,
                product_slug=product.slug,
                unit_price_vnd=unit_price_vnd,
                quantity=quantity,
                line_total_vnd=pricing.line_total_vnd(unit_price_vnd, quantity),
                weight_g=(variant.weight_g or 0) * quantity,
                vat_rate_bp=vat.rate_of(product),
            )
        )
    order.subtotal_vnd = sum(line.line_total_vnd for line in order.lines)
    order.total_vnd = order.subtotal_vnd + order.shipping_vnd
    order.weight_g = sum(line.weight_g for line in order.lines)
    db.session.add(order)
    db.session.flush()
    order.number = orders.format_number(order.id, now.astimezone(clock.VN))
    order.events.append(OrderEvent(from_status=None, to_status="pending_payment", actor_user_id=user_id, note="placed"))
    create_shipments(order)  # one per producer, before the way to pay may confirm the order
    return order


def _hold_and_settle(order: Order, q: Quote, *, cart: Cart, user_id: int | None, now: datetime) -> None:
    """Reserve the stock (raises OutOfStock), let the way to pay take the order on, and finish:
    the cart emptied, the address kept if asked, the connection's count and the mail queued."""
    reserve_stock(orders.stock_items(order), order_id=order.id)
    db.session.flush()
    payments.method_of(order).place(order, now=now, actor=user_id)
    limits.count_placed_order()
    clear_cart(cart)
    details = q.details
    if details.save_address and user_id is not None and details.delivery_method != "pickup":
        save_address(user_id, details)
    orders.send_order_mail(order, "order_placed")
    db.session.flush()


# Saved addresses ------------------------------------------------------------------------------


def saved_addresses(user_id: int) -> list[SavedAddress]:
    return list(
        db.session.scalars(select(SavedAddress).where(SavedAddress.user_id == user_id).order_by(SavedAddress.id.desc()))
    )


def save_address(user_id: int, details: Details) -> SavedAddress:
    """Keep the address for next time (once: the same address is not saved twice)."""
    for address in saved_addresses(user_id):
        if (address.ward_code, address.street.lower(), address.phone) == (
            details.ward_code,
            (details.street or "").lower(),
            details.phone,
        ):
            return address
    address = SavedAddress(user_id=user_id, **details.address())
    db.session.add(address)
    db.session.flush()
    # Newest first: the new address is one of the MAX_SAVED_ADDRESSES kept, the oldest beyond go.
    for old in saved_addresses(user_id)[MAX_SAVED_ADDRESSES:]:
        db.session.delete(old)
    db.session.flush()
    return address


def own_address(user_id: int, address_id) -> SavedAddress | None:
    """The user's saved address with this id (as typed in a form), or None."""
    address_id = parse_id(address_id)
    if address_id is None:
        return None
    return db.session.scalar(select(SavedAddress).where(SavedAddress.id == address_id, SavedAddress.user_id == user_id))


def delete_address(user_id: int, address_id) -> None:
    from shop.errors import NotFound

    address = own_address(user_id, address_id)
    if address is None:
        raise NotFound(_l("We could not find that address."))
    db.session.delete(address)
    db.session.flush()
