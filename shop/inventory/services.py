"""Stock rules. Every change is a guarded atomic UPDATE whose row count says whether it held
(never read-then-write in Python), plus a ledger row; callers own the transaction.

on_hand is what is physically there; reserved is what unshipped orders hold; on_hand - reserved
is what can still be sold. Several variants are always changed in id order, so two orders that
share variants take their row locks in the same order and cannot deadlock (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, literal, select, update

from shop.catalog.models import Variant
from shop.errors import ConflictError, NotFound, ValidationError
from shop.extensions import db
from shop.inventory.models import StockMovement
from shop.models_base import utcnow

MAX_STOCK = 1_000_000

# Stock held by something that can lapse (an unpaid order past its time). The package that owns
# the hold registers how to give back what is overdue; whoever is about to count stock for a sale
# calls release_overdue_holds() first, so a forgotten cron job cannot hold stock for ever, and the
# cart never has to import the orders above it.
_overdue_releasers: list[Callable[[], object]] = []


def releases_overdue_holds(release: Callable[[], object]) -> Callable[[], object]:
    """Decorator: `release()` gives back the stock of every overdue hold (in the caller's
    transaction)."""
    _overdue_releasers.append(release)
    return release


def release_overdue_holds() -> None:
    for release in _overdue_releasers:
        release()


class OutOfStock(ConflictError):
    code = "out_of_stock"

    def __init__(self, variant_id: int, message=None):
        super().__init__(message or _l("Not enough stock left for one of the items. Please check your cart."))
        self.variant_id = variant_id


def _merged(items: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    totals: dict[int, int] = {}
    for variant_id, quantity in items:
        if quantity <= 0:
            raise ValidationError(_l("Quantities must be at least 1."))
        totals[variant_id] = totals.get(variant_id, 0) + quantity
    return sorted(totals.items())


def _record(variant_id: int, *, on_hand: int = 0, reserved: int = 0, reason: str, order_id=None, actor=None, note=None):
    db.session.add(
        StockMovement(
            variant_id=variant_id,
            on_hand_delta=on_hand,
            reserved_delta=reserved,
            reason=reason,
            order_id=order_id,
            actor_user_id=actor,
            note=note,
        )
    )


def reserve_stock(items: Iterable[tuple[int, int]], *, order_id: int | None) -> None:
    """Hold (variant_id, quantity) items for an order, all or nothing. Raises OutOfStock naming the
    first variant without enough; the caller rolls the transaction back."""
    for variant_id, quantity in _merged(items):
        result = db.session.execute(
            update(Variant)
            .where(Variant.id == variant_id, Variant.on_hand - Variant.reserved >= quantity)
            .values(reserved=Variant.reserved + quantity)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise OutOfStock(variant_id)
        _record(variant_id, reserved=quantity, reason="reserve", order_id=order_id)


def release_stock(items: Iterable[tuple[int, int]], *, order_id: int | None, note: str | None = None) -> None:
    """Give back what an order held (it was cancelled, expired or refunded before shipping)."""
    for variant_id, quantity in _merged(items):
        result = db.session.execute(
            update(Variant)
            .where(Variant.id == variant_id, Variant.reserved >= quantity)
            .values(reserved=Variant.reserved - quantity)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            # Only a bug can get here (the order's state guards against releasing twice).
            raise ConflictError(_l("The stock held for this order could not be released."))
        _record(variant_id, reserved=-quantity, reason="release", order_id=order_id, note=note)


def ship_stock(items: Iterable[tuple[int, int]], *, order_id: int | None, actor: int | None = None) -> None:
    """What an order held leaves the shelf: on hand and reserved both go down."""
    for variant_id, quantity in _merged(items):
        result = db.session.execute(
            update(Variant)
            .where(Variant.id == variant_id, Variant.reserved >= quantity, Variant.on_hand >= quantity)
            .values(on_hand=Variant.on_hand - quantity, reserved=Variant.reserved - quantity)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise ConflictError(_l("The stock held for this order could not be shipped."))
        _record(variant_id, on_hand=-quantity, reserved=-quantity, reason="ship", order_id=order_id, actor=actor)


def set_stock(sku: str, on_hand: int, *, actor: int | None = None, note: str | None = None) -> tuple[Variant, int]:
    """Set a variant's stock on hand after a count. Returns (variant, change). It cannot go below
    what orders already hold."""
    if not 0 <= on_hand <= MAX_STOCK:
        raise ValidationError(_l("Stock must be a whole number from 0 to %(max)s.", max=MAX_STOCK))
    variant = db.session.scalar(select(Variant).where(Variant.sku == sku))
    if variant is None:
        raise NotFound(_l("No variant has the SKU %(sku)s.", sku=sku))
    # Take the row's write lock first (a no-op UPDATE locks the row on PostgreSQL and the database
    # on SQLite), so the stock read next cannot change before the new value and its ledger delta
    # are written.
    db.session.execute(
        update(Variant)
        .where(Variant.id == variant.id)
        .values(on_hand=Variant.on_hand)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(variant)
    if variant.reserved > on_hand:
        raise ConflictError(
            _l(
                "Orders already hold %(reserved)s of %(sku)s; stock cannot be set below that.",
                reserved=variant.reserved,
                sku=sku,
            )
        )
    change = on_hand - variant.on_hand
    if change:
        variant.on_hand = on_hand
        _record(variant.id, on_hand=change, reason="set", actor=actor, note=note)
        db.session.flush()
    return variant, change


def ledger_totals(variant_id: int) -> tuple[int, int]:
    """(on_hand, reserved) as the ledger adds them up; equal to the variant's columns."""
    row = db.session.execute(
        select(
            func.coalesce(func.sum(StockMovement.on_hand_delta), 0),
            func.coalesce(func.sum(StockMovement.reserved_delta), 0),
        ).where(StockMovement.variant_id == variant_id)
    ).one()
    return int(row[0]), int(row[1])


def record_opening_stock(note: str = "opening stock") -> int:
    """Give every variant that has stock but no ledger yet its opening entry (used by the demo
    loaders, which insert variants in bulk). Returns how many entries were written."""
    has_ledger = select(StockMovement.id).where(StockMovement.variant_id == Variant.id).exists()
    rows = select(Variant.id, Variant.on_hand, literal(0), literal("set"), literal(note), literal(utcnow())).where(
        Variant.on_hand > 0, ~has_ledger
    )
    result = db.session.execute(
        insert(StockMovement).from_select(
            ["variant_id", "on_hand_delta", "reserved_delta", "reason", "note", "created_at"], rows
        )
    )
    return result.rowcount
