"""Cart rules: one server-side cart per shopper (or per guest session), repriced and checked
against stock every time it is shown. Showing the cart writes nothing: what changed is recorded as
seen only when the shopper acts (a POST)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from shop.cart.models import Cart, CartLine
from shop.catalog.models import Product, Variant
from shop.errors import NotFound, ValidationError
from shop.extensions import db
from shop.inventory.services import release_overdue_holds
from shop.models_base import utcnow
from shop.pricing import line_total_vnd, unit_price_vnd
from shop.producers.models import Producer

# Ids are INTEGER columns: anything above this cannot name a row, and PostgreSQL refuses to
# compare a column with a number out of its range.
MAX_ID = 2**31 - 1


def parse_id(raw, *, high: int = MAX_ID) -> int | None:
    """A row id (or a code) typed in a URL or form: whole ASCII digits from 1 to `high`, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw or "").strip()
        # isdecimal() alone would let in other scripts' digits, and int() would take "1_000".
        if not text or len(text) > len(str(high)) or not (text.isascii() and text.isdecimal()):
            return None
        value = int(text)
    return value if 1 <= value <= high else None


def new_session_key() -> str:
    return secrets.token_urlsafe(32)


def find_cart(user_id: int | None, session_key: str | None) -> Cart | None:
    if user_id is not None:
        return db.session.scalar(select(Cart).where(Cart.user_id == user_id))
    if session_key:
        return db.session.scalar(select(Cart).where(Cart.session_key == session_key))
    return None


def get_or_create_cart(user_id: int | None, session_key: str | None) -> Cart:
    cart = find_cart(user_id, session_key)
    if cart is not None:
        return cart
    if user_id is None and not session_key:
        raise ValueError("a guest cart needs a session key")
    cart = Cart(user_id=user_id, session_key=None if user_id is not None else session_key)
    try:
        with db.session.begin_nested():
            db.session.add(cart)
    except IntegrityError:
        # The same shopper's other tab made it a moment ago.
        cart = find_cart(user_id, session_key)
    return cart


def item_count_for(user_id: int | None, session_key: str | None) -> int:
    """Number of items in the visitor's cart, shown in the header."""
    if user_id is None and not session_key:
        return 0
    owner = Cart.user_id == user_id if user_id is not None else Cart.session_key == session_key
    count = db.session.scalar(select(func.sum(CartLine.quantity)).join(CartLine.cart).where(owner))
    return int(count or 0)


def parse_quantity(raw, *, allow_zero: bool = False) -> int:
    """A quantity typed in a form, from 1 (or 0 to remove a line) to Cart.MAX_QUANTITY. Raises
    ValidationError with the one message for anything else."""
    text = str(raw if raw is not None else "").strip()
    digits = text[1:] if text.startswith("-") else text
    # ASCII digits only: int() would also take "1_0" and other scripts' digits.
    if not digits or len(digits) > 6 or not (digits.isascii() and digits.isdecimal()):
        raise ValidationError(_l("Please enter a whole number for the quantity."), field="quantity")
    quantity = int(text)
    low = 0 if allow_zero else 1
    if not low <= quantity <= Cart.MAX_QUANTITY:
        raise ValidationError(
            _l("The quantity must be between %(low)s and %(high)s.", low=low, high=Cart.MAX_QUANTITY),
            field="quantity",
        )
    return quantity


def _id_or_not_for_sale(raw) -> int:
    value = parse_id(raw)
    if value is None:
        raise NotFound(_l("This product is not for sale."))
    return value


def _sellable_variants():
    """Variants of published products of active producers."""
    return (
        select(Variant)
        .join(Variant.product)
        .join(Product.producer)
        .where(Product.status == "published", Producer.status == "active")
    )


def sellable_variant(variant_id) -> Variant:
    """A variant of a published product of an active producer, or NotFound."""
    variant = db.session.scalar(
        _sellable_variants().where(Variant.id == _id_or_not_for_sale(variant_id)).options(joinedload(Variant.product))
    )
    if variant is None:
        raise NotFound(_l("This product is not for sale."))
    return variant


def cheapest_available_variant(product_id) -> Variant:
    """What a listing's "Add to cart" adds: the product's cheapest pack that is in stock."""
    product_id = _id_or_not_for_sale(product_id)
    variants = _sellable_variants().where(Variant.product_id == product_id)
    variant = db.session.scalar(
        variants.where(Variant.on_hand > Variant.reserved).order_by(Variant.price_vnd, Variant.id).limit(1)
    )
    if variant is None:
        if db.session.scalar(variants.limit(1)) is None:
            raise NotFound(_l("This product is not for sale."))
        raise ValidationError(_l("Sorry, this item is sold out."), field="quantity")
    return variant


def add_to_cart(cart: Cart, variant_id, quantity: int, *, product_id=None) -> tuple[CartLine | None, str | None]:
    """Add `quantity` of a variant (or of a product's cheapest pack in stock). Returns (line,
    notice); the notice says when the quantity was lowered to what is left. Raises when nothing
    is left or the product is not for sale."""
    # Stock is about to be counted for a sale: unpaid orders past their time give theirs back first.
    release_overdue_holds()
    variant = sellable_variant(variant_id) if variant_id else cheapest_available_variant(product_id)
    line = next((line for line in cart.lines if line.variant_id == variant.id), None)
    wanted = (line.quantity if line else 0) + quantity
    available = variant.available
    if available <= 0:
        raise ValidationError(_l("Sorry, this item is sold out."), field="quantity")
    notice = None
    allowed = min(wanted, available, Cart.MAX_QUANTITY)
    if allowed < wanted:
        if allowed == Cart.MAX_QUANTITY and available > Cart.MAX_QUANTITY:
            notice = _l("At most %(max)s of one item per order: your cart has %(max)s.", max=Cart.MAX_QUANTITY)
        else:
            notice = _l("Only %(count)s left: your cart has %(count)s.", count=allowed)
    if line is None:
        line = CartLine(variant_id=variant.id, quantity=allowed, price_seen_vnd=unit_price_vnd(variant))
        cart.lines.append(line)
    else:
        line.quantity = allowed
        line.price_seen_vnd = unit_price_vnd(variant)
    cart.updated_at = utcnow()
    db.session.flush()
    return line, notice


def _own_line(cart: Cart | None, line_id) -> CartLine:
    line_id = parse_id(line_id)
    line = None
    if cart is not None and line_id is not None:
        line = next((line for line in cart.lines if line.id == line_id), None)
    if line is None:
        raise NotFound(_l("That item is not in your cart."))
    return line


def set_line_quantity(cart: Cart | None, line_id, quantity: int) -> str | None:
    """Change a line's quantity (0 removes it) from the cart page; what that page showed of the
    other lines (new prices, lowered quantities) is now seen. Returns a notice when the quantity
    was lowered to the stock. Raises NotFound for a line not in this cart."""
    line = _own_line(cart, line_id)
    if quantity == 0:
        cart.lines.remove(line)
        acknowledge_cart(cart)
        return None
    available = line.variant.available
    notice = None
    if quantity > available:
        if available <= 0:
            cart.lines.remove(line)
            acknowledge_cart(cart)
            return _l("That item is sold out and was removed from your cart.")
        quantity = available
        notice = _l("Only %(count)s left: your cart has %(count)s.", count=available)
    line.quantity = quantity
    line.price_seen_vnd = unit_price_vnd(line.variant)
    cart.updated_at = utcnow()
    acknowledge_cart(cart)
    return notice


def remove_line(cart: Cart | None, line_id) -> None:
    """Take a line out of the cart (from the cart page, whose changes are now seen). Raises
    NotFound for a line not in this cart."""
    line = _own_line(cart, line_id)
    cart.lines.remove(line)
    acknowledge_cart(cart)


def merge_guest_cart(user_id: int, session_key: str | None) -> None:
    """At log-in, move a guest cart's lines into the account's cart (quantities add up; the cart
    page caps them at the stock when it is next shown)."""
    if not session_key:
        return
    guest = find_cart(None, session_key)
    if guest is None or guest.user_id is not None:
        return
    mine = find_cart(user_id, None)
    if mine is None:
        # The guest cart simply becomes the account's.
        guest.user_id, guest.session_key = user_id, None
        db.session.flush()
        return
    # What the guest just typed at checkout is newer than anything the account kept.
    if guest.checkout_details:
        mine.checkout_details = guest.checkout_details
    for line in guest.lines:
        existing = next((m for m in mine.lines if m.variant_id == line.variant_id), None)
        if existing:
            existing.quantity = min(existing.quantity + line.quantity, Cart.MAX_QUANTITY)
        else:
            mine.lines.append(
                CartLine(variant_id=line.variant_id, quantity=line.quantity, price_seen_vnd=line.price_seen_vnd)
            )
    db.session.delete(guest)
    mine.updated_at = utcnow()
    db.session.flush()


@dataclass
class PricedLine:
    line: CartLine
    variant: Variant
    product: Product
    unit_price_vnd: int
    quantity: int
    total_vnd: int
    price_was_vnd: int | None = None  # set when the price changed since the shopper last saw it
    lowered_from: int | None = None  # set when the quantity was lowered to the stock left


@dataclass
class PricedCart:
    cart: Cart | None
    lines: list[PricedLine] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # names of lines dropped (not for sale, sold out)

    @property
    def subtotal_vnd(self) -> int:
        return sum(line.total_vnd for line in self.lines)

    @property
    def weight_g(self) -> int:
        return sum((line.variant.weight_g or 0) * line.quantity for line in self.lines)

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def changed(self) -> bool:
        return bool(self.removed or any(line.price_was_vnd is not None or line.lowered_from for line in self.lines))

    @property
    def producer_ids(self) -> set[int]:
        return {line.product.producer_id for line in self.lines}


def price_cart(cart: Cart | None, *, acknowledge: bool = False) -> PricedCart:
    """The cart as it stands now: current prices, quantities capped at the stock left, lines no
    longer for sale left out, each change reported against what the shopper last saw. Writes
    nothing (pages that show a cart are GETs); with acknowledge=True, for a POST, it records what
    the shopper has now seen, so each change is reported once, and flushes."""
    priced = PricedCart(cart=cart)
    if cart is None or not cart.lines:
        return priced
    variant_ids = [line.variant_id for line in cart.lines]
    variants = {
        v.id: v
        for v in db.session.scalars(
            select(Variant)
            .where(Variant.id.in_(variant_ids))
            .options(
                joinedload(Variant.product).joinedload(Product.producer),
                joinedload(Variant.product).selectinload(Product.images),
            )
        ).unique()
    }
    for line in list(cart.lines):
        variant = variants.get(line.variant_id)
        product = variant.product if variant else None
        sellable = product is not None and product.status == "published" and product.producer.status == "active"
        if not sellable or variant.available <= 0:
            priced.removed.append(product.name_vi if product else "?")
            if acknowledge:
                cart.lines.remove(line)
            continue
        price = unit_price_vnd(variant)
        quantity = min(line.quantity, variant.available)
        item = PricedLine(
            line=line,
            variant=variant,
            product=product,
            unit_price_vnd=price,
            quantity=quantity,
            total_vnd=line_total_vnd(price, quantity),
            price_was_vnd=line.price_seen_vnd if line.price_seen_vnd != price else None,
            lowered_from=line.quantity if quantity < line.quantity else None,
        )
        priced.lines.append(item)
        if acknowledge and (line.quantity, line.price_seen_vnd) != (quantity, price):
            line.quantity, line.price_seen_vnd = quantity, price
    if acknowledge:
        db.session.flush()
    return priced


def acknowledge_cart(cart: Cart | None) -> PricedCart:
    """The shopper acted on a page that showed the cart as `price_cart` gives it: record new
    prices and lowered quantities as seen and drop the lines no longer for sale. Flushes."""
    return price_cart(cart, acknowledge=True)


def clear_cart(cart: Cart) -> None:
    """The order is placed: the cart is emptied and the checkout details typed for it go too."""
    db.session.execute(delete(CartLine).where(CartLine.cart_id == cart.id))
    db.session.expire(cart, ["lines"])
    cart.checkout_details = None
