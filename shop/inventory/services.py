"""Stock rules. Every change is a guarded atomic UPDATE whose row count says whether it held
(never read-then-write in Python), plus a ledger row; callers own the transaction.

on_hand is what is physically there; reserved is what unshipped orders hold; on_hand - reserved
is what can still be sold. Several variants are always changed in id order, so two orders that
share variants take their row locks in the same order and cannot deadlock (PostgreSQL)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, column, func, insert, literal, or_, select, table, update
from sqlalchemy.orm import contains_eager

from shop import audit, clock
from shop.accounts.models import User
from shop.catalog.models import Product, Variant
from shop.errors import ConflictError, NotFound, ValidationError
from shop.extensions import db
from shop.inventory.models import ADJUST_REASONS, REASONS, StockMovement
from shop.models_base import utcnow

MAX_STOCK = 1_000_000

_signals = Namespace()
# Sent inside the transaction after stock moved, with `changes`: {variant id: change of what can
# be sold (on hand - reserved)}. Webhooks subscribe (stock.low); inventory never imports them.
stock_changed = _signals.signal("stock-changed")

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
    stock_changed.send(None, changes={variant_id: on_hand - reserved})


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


# --- What producers do with their stock ---------------------------------------------------------
#
# Each change is one guarded UPDATE whose WHERE holds the rule (the value the person saw, what
# orders hold, the bounds), so two people editing the same variant cannot both win: the second
# one's row count is 0 and they are told what the figure is now. Each writes a ledger row (who,
# why) and an audit entry (before, after).

STOCK_FIELDS = ("on_hand", "reserved", "low_stock_threshold")
LEDGER_PAGE_SIZE = 50
# Thousands written the Vietnamese or the English way: 1.200, 1,200.
_GROUPED = re.compile(r"\d{1,3}([.,]\d{3})+")

ADJUST_REASON_LABELS = {
    "received": _l("Received"),
    "spoilage": _l("Spoilage"),
    "correction": _l("Correction"),
    "returned": _l("Returned"),
    "count": _l("Count"),
}
REASON_LABELS = {
    "set": _l("Set after a count"),
    "reserve": _l("Held by an order"),
    "release": _l("Released by an order"),
    "ship": _l("Shipped"),
    **ADJUST_REASON_LABELS,
    "api": _l("From the producer's system (API)"),
}


class StockChanged(ConflictError):
    """The on-hand figure changed since the person read it: nothing was written. Carries the
    figure now, so the page can show it."""

    code = "stock_changed"

    def __init__(self, variant: Variant, seen: int):
        super().__init__(
            _l(
                "The stock of %(sku)s changed while you were editing: it is now %(now)s (you saw %(seen)s). "
                "Nothing was changed; check the new figure and try again.",
                sku=variant.sku,
                now=variant.on_hand,
                seen=seen,
            ),
            field="on_hand",
        )
        self.variant_id = variant.id
        self.current_on_hand = variant.on_hand
        self.current_reserved = variant.reserved


def parse_whole_number(text, *, field: str, signed: bool = False, blank_is_none: bool = False) -> int | None:
    """A whole number typed in a form ("1.200" and "1 200" as people write them). Raises
    ValidationError naming `field`."""
    raw = "" if text is None else str(text).strip().replace(" ", "").replace("\u00a0", "")
    if not raw and blank_is_none:
        return None
    sign = 1
    if signed and raw.startswith(("+", "-")):
        sign, raw = (-1 if raw[0] == "-" else 1), raw[1:]
    raw = raw.replace(".", "").replace(",", "") if _GROUPED.fullmatch(raw) else raw
    if not raw.isascii() or not raw.isdigit():
        raise ValidationError(_l("Enter a whole number."), field=field)
    return sign * int(raw)


def _producer_variant(variant_id: int, producer_id: int) -> Variant:
    variant = db.session.scalar(
        select(Variant).join(Product).where(Variant.id == variant_id, Product.producer_id == producer_id)
    )
    if variant is None:
        raise NotFound(_l("No such variant."))
    return variant


def _check_bounds(on_hand: int, *, field: str = "on_hand") -> None:
    if not 0 <= on_hand <= MAX_STOCK:
        raise ValidationError(_l("Stock must be a whole number from 0 to %(max)s.", max=MAX_STOCK), field=field)


def set_on_hand(
    variant_id: int,
    on_hand: int,
    *,
    seen: int,
    producer_id: int,
    actor=None,
    note: str | None = None,
    reason: str = "set",
) -> tuple[Variant, int]:
    """Set a producer's variant's stock on hand to `on_hand`, provided it is still `seen` (the
    figure the person was shown). Returns (variant, change). The ledger says `reason` ("api" for
    the producer's own system). Raises NotFound (not this producer's), ValidationError (out of
    range), StockChanged (it is no longer `seen`), ConflictError (orders hold more than `on_hand`)."""
    _check_bounds(on_hand)
    variant = _producer_variant(variant_id, producer_id)
    result = db.session.execute(
        update(Variant)
        .where(Variant.id == variant_id, Variant.on_hand == seen, Variant.reserved <= on_hand)
        .values(on_hand=on_hand)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(variant)
    if result.rowcount != 1:
        if variant.on_hand != seen:
            raise StockChanged(variant, seen)
        raise _held_by_orders(variant)
    change = on_hand - seen
    if change:
        _record(variant.id, on_hand=change, reason=reason, actor=getattr(actor, "id", None), note=_note(note))
        audit.record(
            "stock.set",
            "stock",
            variant.sku,
            actor=actor,
            producer_id=producer_id,
            before={"on_hand": seen},
            after={"on_hand": on_hand},
            note=_note(note),
        )
        db.session.flush()
    return variant, change


def adjust_stock(
    variant_id: int,
    amount: int,
    *,
    reason: str,
    producer_id: int,
    actor=None,
    note: str | None = None,
    reasons: tuple[str, ...] = ADJUST_REASONS,
) -> Variant:
    """Add (or take away, when negative) `amount` to a producer's variant's stock on hand, for
    `reason` (one of `reasons`: a person's ADJUST_REASONS, unless the caller is the API). Stock
    never goes below what orders hold, below 0 or above MAX_STOCK. Raises NotFound,
    ValidationError, ConflictError."""
    if reason not in reasons:
        raise ValidationError(_l("Choose a reason for the change."), field="reason")
    if amount == 0:
        raise ValidationError(_l("Enter an amount other than 0."), field="amount")
    if abs(amount) > MAX_STOCK:
        raise ValidationError(_l("Enter an amount from -%(max)s to %(max)s.", max=MAX_STOCK), field="amount")
    variant = _producer_variant(variant_id, producer_id)
    new = Variant.on_hand + amount
    result = db.session.execute(
        update(Variant)
        .where(Variant.id == variant_id, new >= Variant.reserved, new >= 0, new <= MAX_STOCK)
        .values(on_hand=new)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(variant)
    if result.rowcount != 1:
        if variant.on_hand + amount > MAX_STOCK:
            raise ValidationError(
                _l(
                    "%(sku)s has %(now)s on hand; with %(amount)s it would be more than %(max)s.",
                    sku=variant.sku,
                    now=variant.on_hand,
                    amount=f"{amount:+d}",
                    max=MAX_STOCK,
                ),
                field="amount",
            )
        if variant.reserved:
            raise _held_by_orders(variant, now=variant.on_hand)
        raise ValidationError(
            _l("%(sku)s has only %(now)s on hand; stock cannot go below 0.", sku=variant.sku, now=variant.on_hand),
            field="amount",
        )
    _record(variant.id, on_hand=amount, reason=reason, actor=getattr(actor, "id", None), note=_note(note))
    audit.record(
        "stock.adjust",
        "stock",
        variant.sku,
        actor=actor,
        producer_id=producer_id,
        before={"on_hand": variant.on_hand - amount},
        after={"on_hand": variant.on_hand, "reason": reason},
        note=_note(note),
    )
    db.session.flush()
    return variant


def set_low_stock_threshold(variant_id: int, threshold: int | None, *, producer_id: int, actor=None) -> Variant:
    """Warn the producer when what can be sold of this variant falls to `threshold` or below
    (None: never). Raises NotFound, ValidationError."""
    if threshold is not None:
        _check_bounds(threshold, field="threshold")
    variant = _producer_variant(variant_id, producer_id)
    before = variant.low_stock_threshold
    if before != threshold:
        variant.low_stock_threshold = threshold
        audit.record(
            "stock.threshold",
            "stock",
            variant.sku,
            actor=actor,
            producer_id=producer_id,
            before={"low_stock_threshold": before},
            after={"low_stock_threshold": threshold},
        )
        db.session.flush()
    return variant


def _held_by_orders(variant: Variant, *, now: int | None = None) -> ConflictError:
    return ConflictError(
        _l(
            "Orders already hold %(reserved)s of %(sku)s; stock cannot be set below that.",
            reserved=variant.reserved,
            sku=variant.sku,
        ),
        field="on_hand" if now is None else "amount",
    )


def _note(note: str | None) -> str | None:
    note = (note or "").strip()
    return note[:200] or None


# --- Reading stock ------------------------------------------------------------------------------


def _variants_query(producer_id: int, q: str | None):
    query = (
        select(Variant)
        .join(Product)
        .where(Product.producer_id == producer_id, Product.status != "archived")
        .options(contains_eager(Variant.product))
        .order_by(Product.name_vi, Product.id, Variant.sku)
    )
    if q and q.strip():
        pattern = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                Variant.sku.ilike(pattern, escape="\\"),
                Variant.name_vi.ilike(pattern, escape="\\"),
                Product.name_vi.ilike(pattern, escape="\\"),
                Product.name_en.ilike(pattern, escape="\\"),
            )
        )
    return query


def producer_variants(producer_id: int, *, q: str | None = None) -> list[Variant]:
    """A producer's variants (any product status but archived), by product name then SKU, with
    their products loaded; `q` keeps those whose SKU or names contain it."""
    return list(db.session.scalars(_variants_query(producer_id, q)))


def variants_page(producer_id: int, *, q: str | None = None, page: int = 1, per_page: int = 50):
    """(variants of one page, page, pages, total) of `producer_variants`."""
    query = _variants_query(producer_id, q)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    variants = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page))
    return list(variants), page, pages, total


def runs_low():
    """The rule for "runs low", as SQL: what can be sold (on hand - reserved) is at or below the
    low-stock threshold the producer set (never, without one)."""
    return and_(
        Variant.low_stock_threshold.is_not(None),
        Variant.on_hand - Variant.reserved <= Variant.low_stock_threshold,
    )


def low_stock(producer_id: int, *, limit: int = 20) -> tuple[list[Variant], int]:
    """(up to `limit` variants, how many in all) whose available stock (on hand - reserved) is at
    or below their low-stock threshold, the emptiest first."""
    condition = (
        Product.producer_id == producer_id,
        Product.status != "archived",
        runs_low(),
    )
    total = db.session.scalar(select(func.count()).select_from(Variant).join(Product).where(*condition))
    if not total:
        return [], 0
    variants = db.session.scalars(
        select(Variant)
        .join(Product)
        .where(*condition)
        .options(contains_eager(Variant.product))
        .order_by(Variant.on_hand - Variant.reserved, Variant.sku)
        .limit(limit)
    )
    return list(variants), total


def variants_by_id(
    producer_id: int,
    *,
    q: str | None = None,
    sku: str | None = None,
    low_only: bool = False,
    after_id: int | None = None,
    limit: int = 50,
) -> list[tuple[Variant, bool]]:
    """`producer_variants` in id order (for keyset paging: those after `after_id`), at most
    `limit`, each with whether it runs low; `sku` keeps that SKU alone, `low_only` those that
    run low."""
    low = runs_low()
    query = _variants_query(producer_id, q).order_by(None).order_by(Variant.id).add_columns(low.label("low"))
    if sku is not None:
        query = query.where(Variant.sku == sku)
    if low_only:
        query = query.where(low)
    if after_id is not None:
        query = query.where(Variant.id > after_id)
    return [(variant, bool(is_low)) for variant, is_low in db.session.execute(query.limit(limit))]


@dataclass(frozen=True)
class LedgerFilter:
    """What the ledger is narrowed to: a variant (by id), a reason, Vietnam dates (inclusive)."""

    variant_id: int | None = None
    reason: str | None = None
    start: date | None = None
    end: date | None = None


@dataclass
class LedgerPage:
    entries: list
    page: int
    pages: int
    total: int


# Orders sit above inventory: the ledger names an order by its number through the table alone.
_orders = table("orders", column("id"), column("number"))


def _vn_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=clock.VN).astimezone(UTC)


def _ledger_query(producer_id: int, f: LedgerFilter):
    query = (
        select(
            StockMovement.id,
            StockMovement.created_at,
            Variant.id.label("variant_id"),
            Variant.sku,
            Product.name_vi.label("product_name"),
            Variant.name_vi.label("variant_name"),
            StockMovement.reason,
            StockMovement.on_hand_delta,
            StockMovement.reserved_delta,
            _orders.c.number.label("order_number"),
            User.email.label("actor_email"),
            StockMovement.note,
        )
        .join(Variant, Variant.id == StockMovement.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .outerjoin(_orders, _orders.c.id == StockMovement.order_id)
        .outerjoin(User, User.id == StockMovement.actor_user_id)
        .where(Product.producer_id == producer_id)
    )
    if f.variant_id is not None:
        query = query.where(StockMovement.variant_id == f.variant_id)
    if f.reason:
        query = query.where(StockMovement.reason == f.reason)
    if f.start is not None:
        query = query.where(StockMovement.created_at >= _vn_midnight(f.start))
    if f.end is not None:
        query = query.where(StockMovement.created_at < _vn_midnight(f.end + timedelta(days=1)))
    return query


def ledger_page(producer_id: int, f: LedgerFilter, *, page: int = 1, per_page: int = LEDGER_PAGE_SIZE) -> LedgerPage:
    """One page of a producer's stock ledger, newest first. Raises ValidationError for a reason
    that does not exist or a start after the end."""
    _check_filter(f)
    query = _ledger_query(producer_id, f)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        query.order_by(StockMovement.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return LedgerPage(entries=rows, page=page, pages=pages, total=total)


def _check_filter(f: LedgerFilter) -> None:
    if f.reason and f.reason not in REASONS:
        raise ValidationError(_l("Choose a reason from the list."), field="reason")
    if f.start and f.end and f.start > f.end:
        raise ValidationError(_l("The start date is after the end date."), field="start")


LEDGER_CSV_HEADER = (
    "time",
    "sku",
    "product",
    "variant",
    "reason",
    "on_hand_change",
    "reserved_change",
    "order",
    "by",
    "note",
)


def ledger_csv(producer_id: int, f: LedgerFilter, *, batch: int = 1000) -> Iterator[str]:
    """The filtered ledger as CSV text (UTF-8 with a BOM, as Excel wants it), oldest first,
    yielded a batch of rows at a time (each batch one statement, by id: never all rows in
    memory, and no server-side cursor). Times are Vietnam time. Raises ValidationError for a bad
    filter (before the first chunk)."""
    _check_filter(f)
    query = _ledger_query(producer_id, f).order_by(StockMovement.id).limit(batch)
    return _ledger_chunks(query, batch)


def _ledger_chunks(query, batch: int) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(LEDGER_CSV_HEADER)
    after = 0
    while True:
        rows = db.session.execute(query.where(StockMovement.id > after)).all()
        for row in rows:
            writer.writerow(
                (
                    clock.aware(row.created_at).astimezone(clock.VN).strftime("%Y-%m-%d %H:%M:%S"),
                    csv_text(row.sku),
                    csv_text(row.product_name),
                    csv_text(row.variant_name),
                    row.reason,
                    row.on_hand_delta,
                    row.reserved_delta,
                    csv_text(row.order_number or ""),
                    csv_text(row.actor_email or ""),
                    csv_text(row.note or ""),
                )
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < batch:
            return
        after = rows[-1].id


def csv_text(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (=, +, -, @ at the start)."""
    return "'" + value if value and value[0] in "=+-@\t\r" else value
