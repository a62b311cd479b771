"""Paying producers: the shop's commission, monthly statements and payouts. Flushes only; views
commit.

The rules, in one place:

- **Commission rate.** A producer's own rate (`Producer.commission_bp`, set by an admin on the
  producer's page), else the configured default `PRODUCER_COMMISSION_BP`; in basis points
  (1000 = 10 %). A shipment keeps the rate in force when it was delivered (fulfilment's
  `deliver` writes it, by the same rule as `commission_for_delivery`: fulfilment sits below this
  package), so a later change of rate never rewrites a past statement. A delivered shipment
  without a kept rate (one delivered before rates were kept) is charged the producer's rate of
  today.
- **Statement month.** A calendar month in Vietnam time (see `periods`); a shipment belongs to
  the month of its delivery.
- **Value.** A delivered shipment's value is the sum of its order lines (the producer's lines of
  that order, at the prices copied when the order was placed).
- **Refunds.** Money that went (or must go) back to the shopper for a delivered shipment
  (`Shipment.refund_vnd`) comes off the producer's amount, in the shipment's statement month. A
  shipment cancelled as a whole was never delivered, so it is in no statement: its lines were
  never counted, and its refund costs the producer nothing.
- **Commission per shipment** = (value − refund) × rate / 10000, rounded half up to a whole
  đồng (never below 0): 12,345 ₫ at 10 % is 1,235 ₫ (1,234.5 rounds up).
- **Amount due** = gross − commission − refunds; **balance** = amount due − payouts recorded for
  that month.

Every figure is summed in SQL: a statement is four statements whatever the number of orders."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_percent
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, and_, case, cast, func, select

from shop import audit, clock
from shop.errors import NotFound, ValidationError
from shop.extensions import db
from shop.fulfilment.models import Shipment
from shop.money import format_vnd
from shop.orders.models import Order, OrderLine
from shop.producers import onboarding
from shop.producers.models import Producer
from shop.settlements.models import Payout
from shop.settlements.periods import Period, local_day, local_month

MAX_BP = 10_000
# Shipments shown on one page of a statement (the totals always cover the whole month).
PAGE_SIZE = 50
PAYOUT_FIELDS = ("producer_id", "period", "paid_on", "amount_vnd", "bank_reference", "note")


# --- Commission rates -------------------------------------------------------------------------


def default_rate() -> int:
    """The configured commission in basis points (PRODUCER_COMMISSION_BP)."""
    return onboarding.default_commission_bp()


def rate_for(producer: Producer) -> int:
    """The commission rate in force for `producer` now: its own, else the default."""
    return onboarding.commission_of(producer)


def commission_vnd(amount_vnd: int, bp: int) -> int:
    """`bp` basis points of `amount_vnd`, rounded half up to a whole đồng (never below 0)."""
    return (max(amount_vnd, 0) * bp + MAX_BP // 2) // MAX_BP


def format_rate(bp: int | None) -> str:
    """Basis points as a percentage in the reader's language: 1250 → "12,5%" (vi), "12.5%" (en)."""
    if bp is None:
        return ""
    return format_percent(Decimal(bp) / MAX_BP, "#,##0.##%", locale=get_locale())


def set_commission(producer: Producer, bp: int | None, actor) -> bool:
    """Give `producer` its own commission rate in basis points (0–10000), or None for the default;
    `actor` is the admin. Returns whether the rate changed; a change is written to the audit log
    (by producers.onboarding.set_commission, which the admin's producer page calls with a rate
    typed in percent or basis points). Raises ValidationError(field="commission") for anything but
    a whole number in range. Shipments delivered before keep their rate."""
    if bp is not None and (isinstance(bp, bool) or not isinstance(bp, int) or not 0 <= bp <= MAX_BP):
        raise ValidationError(_l("A commission is between 0 and 100 %."), field="commission")
    if producer.commission_bp == bp:
        return False
    onboarding.set_commission(producer, actor, bp)
    return True


def commission_for_delivery(shipment: Shipment) -> int:
    """Keep on `shipment` the commission rate in force now (its producer's), as it is delivered,
    and return it. A rate already kept stays: calling it twice changes nothing."""
    if shipment.commission_bp is None:
        shipment.commission_bp = rate_for(shipment.producer)
    return shipment.commission_bp


# --- Statements -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """A month's figures (for one producer, or one row of the admin's list)."""

    shipments: int = 0
    units: int = 0
    gross_vnd: int = 0
    commission_vnd: int = 0
    refunds_vnd: int = 0
    paid_vnd: int = 0

    @property
    def due_vnd(self) -> int:
        return self.gross_vnd - self.commission_vnd - self.refunds_vnd

    @property
    def balance_vnd(self) -> int:
        """What the shop still owes for the month (negative: paid more than is due)."""
        return self.due_vnd - self.paid_vnd

    @property
    def is_empty(self) -> bool:
        return not (self.shipments or self.paid_vnd)


@dataclass(frozen=True)
class StatementLine:
    sku: str
    product_name: str
    variant_name: str
    unit_price_vnd: int
    quantity: int
    line_total_vnd: int


@dataclass(frozen=True)
class StatementShipment:
    shipment_id: int
    order_number: str
    delivered_at: datetime
    units: int
    value_vnd: int
    refund_vnd: int
    commission_bp: int
    commission_vnd: int
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def due_vnd(self) -> int:
        return self.value_vnd - self.commission_vnd - self.refund_vnd


@dataclass(frozen=True)
class Statement:
    producer_id: int
    period: Period
    totals: Totals
    payouts: list[Payout]
    shipments: list[StatementShipment]
    page: int
    pages: int


def _rows(statement):
    """Plain rows through the session's connection (the ORM's result handling, for rows that
    are not objects, costs more than the statement itself on a month's lines)."""
    return db.session.connection().execute(statement)


def _rate_expr(default: int):
    return func.coalesce(Shipment.commission_bp, Producer.commission_bp, default)


def _per_shipment(*, producer_id: int | None, start: datetime | None = None, end: datetime | None = None):
    """One row per delivered shipment (of `producer_id`, or of every producer), delivered in
    [start, end): its value and units summed from its lines, its refund and its rate."""
    conditions = [Shipment.status == "delivered"]
    if producer_id is not None:
        conditions.append(Shipment.producer_id == producer_id)
    if start is not None:
        conditions.append(Shipment.delivered_at >= start)
    if end is not None:
        conditions.append(Shipment.delivered_at < end)
    return (
        select(
            Shipment.id.label("shipment_id"),
            Shipment.producer_id.label("producer_id"),
            Shipment.order_id.label("order_id"),
            Shipment.delivered_at.label("delivered_at"),
            Shipment.refund_vnd.label("refund_vnd"),
            _rate_expr(default_rate()).label("bp"),
            # PostgreSQL sums bigints as numeric: cast back, so the commission divides as integers.
            cast(func.sum(OrderLine.line_total_vnd), BigInteger).label("value_vnd"),
            cast(func.sum(OrderLine.quantity), BigInteger).label("units"),
        )
        .join(Producer, Producer.id == Shipment.producer_id)
        .join(
            OrderLine,
            and_(OrderLine.order_id == Shipment.order_id, OrderLine.producer_id == Shipment.producer_id),
        )
        .where(*conditions)
        .group_by(
            Shipment.id,
            Shipment.producer_id,
            Shipment.order_id,
            Shipment.delivered_at,
            Shipment.refund_vnd,
            Shipment.commission_bp,
            Producer.commission_bp,
        )
    )


def _all_delivered(producer_id: int):
    """The same rows as `_per_shipment` for every delivered shipment of one producer, ever: its
    lines summed per order first (one pass over the producer's lines in index order), then
    matched to the shipments (cheaper than looking up each shipment's lines one by one)."""
    lines = (
        select(
            OrderLine.order_id.label("order_id"),
            cast(func.sum(OrderLine.line_total_vnd), BigInteger).label("value_vnd"),
            cast(func.sum(OrderLine.quantity), BigInteger).label("units"),
        )
        .where(OrderLine.producer_id == producer_id)
        .group_by(OrderLine.order_id)
        .subquery()
    )
    return (
        select(
            Shipment.id.label("shipment_id"),
            Shipment.delivered_at.label("delivered_at"),
            Shipment.refund_vnd.label("refund_vnd"),
            _rate_expr(default_rate()).label("bp"),
            lines.c.value_vnd,
            lines.c.units,
        )
        .join(Producer, Producer.id == Shipment.producer_id)
        .join(lines, lines.c.order_id == Shipment.order_id)
        .where(Shipment.producer_id == producer_id, Shipment.status == "delivered")
    )


def _commission_expr(rows):
    net = case((rows.c.value_vnd > rows.c.refund_vnd, rows.c.value_vnd - rows.c.refund_vnd), else_=0)
    return (net * rows.c.bp + MAX_BP // 2) // MAX_BP


def _totals_columns(rows):
    return (
        func.count().label("shipments"),
        func.coalesce(func.sum(rows.c.units), 0).label("units"),
        func.coalesce(func.sum(rows.c.value_vnd), 0).label("gross_vnd"),
        func.coalesce(func.sum(_commission_expr(rows)), 0).label("commission_vnd"),
        func.coalesce(func.sum(rows.c.refund_vnd), 0).label("refunds_vnd"),
    )


def _paid(producer_id: int, period: Period) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Payout.amount_vnd), 0)).where(
                Payout.producer_id == producer_id, Payout.period == period.key
            )
        )
    )


def month_totals(producer_id: int, period: Period) -> Totals:
    """The month's figures for one producer (two statements)."""
    rows = _per_shipment(producer_id=producer_id, start=period.start, end=period.end).subquery()
    found = _rows(select(*_totals_columns(rows))).one()
    return Totals(
        shipments=int(found.shipments),
        units=int(found.units),
        gross_vnd=int(found.gross_vnd),
        commission_vnd=int(found.commission_vnd),
        refunds_vnd=int(found.refunds_vnd),
        paid_vnd=_paid(producer_id, period),
    )


def statement(producer_id: int, period: Period, *, page: int = 1, locale: str = "vi") -> Statement:
    """The producer's statement for `period`: the month's totals, its payouts, and one page of
    its delivered shipments (oldest first) with their lines."""
    totals = month_totals(producer_id, period)
    pages = max(1, -(-totals.shipments // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows_q = _per_shipment(producer_id=producer_id, start=period.start, end=period.end).subquery()
    found = _rows(
        select(rows_q, Order.number, _commission_expr(rows_q).label("commission_vnd"))
        .join(Order, Order.id == rows_q.c.order_id)
        .order_by(rows_q.c.delivered_at, rows_q.c.shipment_id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    lines_by_order: dict[int, list[StatementLine]] = {}
    if found:
        # Sorted here, not by the database: with ORDER BY id, SQLite walks every line of the
        # producer (its producer_id index is in id order) instead of the page's orders' lines.
        page_lines = db.session.scalars(
            select(OrderLine).where(
                OrderLine.producer_id == producer_id, OrderLine.order_id.in_([r.order_id for r in found])
            )
        )
        for line in sorted(page_lines, key=lambda line: line.id):
            lines_by_order.setdefault(line.order_id, []).append(
                StatementLine(
                    sku=line.sku,
                    product_name=line.product_name(locale),
                    variant_name=line.variant_name(locale),
                    unit_price_vnd=line.unit_price_vnd,
                    quantity=line.quantity,
                    line_total_vnd=line.line_total_vnd,
                )
            )
    shipments = [
        StatementShipment(
            shipment_id=r.shipment_id,
            order_number=r.number,
            delivered_at=clock.aware(r.delivered_at),
            units=int(r.units),
            value_vnd=int(r.value_vnd),
            refund_vnd=int(r.refund_vnd),
            commission_bp=int(r.bp),
            commission_vnd=int(r.commission_vnd),
            lines=lines_by_order.get(r.order_id, []),
        )
        for r in found
    ]
    return Statement(
        producer_id=producer_id,
        period=period,
        totals=totals,
        payouts=payouts_for(producer_id, period=period),
        shipments=shipments,
        page=page,
        pages=pages,
    )


@dataclass(frozen=True)
class MonthSummary:
    period: Period
    totals: Totals


def months(producer_id: int) -> list[MonthSummary]:
    """Every month with a delivery or a payout for the producer, newest first, with its figures
    (two statements: deliveries grouped by Vietnam month, payouts grouped by period)."""
    rows = _all_delivered(producer_id).subquery()
    month = local_month(rows.c.delivered_at).label("month")
    delivered = {
        r.month: r
        for r in _rows(select(month, *_totals_columns(rows)).group_by(month))
        if r.month  # a delivered shipment always has its time; never trust a NULL to be a month
    }
    paid = dict(
        db.session.execute(
            select(Payout.period, func.sum(Payout.amount_vnd))
            .where(Payout.producer_id == producer_id)
            .group_by(Payout.period)
        ).all()
    )
    summaries = []
    for key in sorted(set(delivered) | set(paid), reverse=True):
        r = delivered.get(key)
        totals = Totals(
            shipments=int(r.shipments) if r else 0,
            units=int(r.units) if r else 0,
            gross_vnd=int(r.gross_vnd) if r else 0,
            commission_vnd=int(r.commission_vnd) if r else 0,
            refunds_vnd=int(r.refunds_vnd) if r else 0,
            paid_vnd=int(paid.get(key) or 0),
        )
        summaries.append(MonthSummary(Period.parse(key), totals))
    return summaries


CSV_HEADER = (
    "delivered_on",
    "order",
    "shipment",
    "sku",
    "product",
    "variant",
    "quantity",
    "unit_price_vnd",
    "line_total_vnd",
    "shipment_refund_vnd",
    "commission_rate_bp",
    "shipment_commission_vnd",
)


def statement_csv(producer_id: int, period: Period, *, locale: str = "vi") -> str:
    """The month's statement as CSV (UTF-8 with a byte-order mark, so that Excel reads the
    Vietnamese names): a row per delivered line, the shipment's refund, rate and commission on
    its first line, then the month's totals. Three statements."""
    rows_q = _per_shipment(producer_id=producer_id, start=period.start, end=period.end).subquery()
    found = _rows(
        select(
            rows_q.c.shipment_id,
            local_day(rows_q.c.delivered_at).label("delivered_on"),
            rows_q.c.refund_vnd,
            rows_q.c.bp,
            _commission_expr(rows_q).label("commission_vnd"),
            Order.number,
            OrderLine.sku,
            OrderLine.product_name_vi,
            OrderLine.product_name_en,
            OrderLine.variant_name_vi,
            OrderLine.variant_name_en,
            OrderLine.quantity,
            OrderLine.unit_price_vnd,
            OrderLine.line_total_vnd,
        )
        .join(Order, Order.id == rows_q.c.order_id)
        .join(OrderLine, and_(OrderLine.order_id == rows_q.c.order_id, OrderLine.producer_id == rows_q.c.producer_id))
        .order_by(rows_q.c.delivered_at, rows_q.c.shipment_id, OrderLine.id)
    )
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    english = locale == "en"
    previous = None
    for r in found:
        first = r.shipment_id != previous
        previous = r.shipment_id
        writer.writerow(
            (
                r.delivered_on,
                r.number,
                r.shipment_id,
                r.sku,
                (r.product_name_en if english else None) or r.product_name_vi,
                (r.variant_name_en if english else None) or r.variant_name_vi,
                r.quantity,
                r.unit_price_vnd,
                r.line_total_vnd,
                r.refund_vnd if first else "",
                r.bp if first else "",
                r.commission_vnd if first else "",
            )
        )
    totals = month_totals(producer_id, period)
    writer.writerow(())
    for label, value in (
        ("period", period.key),
        ("gross_vnd", totals.gross_vnd),
        ("commission_vnd", totals.commission_vnd),
        ("refunds_vnd", totals.refunds_vnd),
        ("amount_due_vnd", totals.due_vnd),
        ("paid_vnd", totals.paid_vnd),
        ("balance_vnd", totals.balance_vnd),
    ):
        writer.writerow((label, value))
    return out.getvalue()


# --- Payouts ----------------------------------------------------------------------------------


def payouts_for(producer_id: int, *, period: Period | None = None, limit: int | None = None) -> list[Payout]:
    """The producer's payouts, newest first (of one month, if given)."""
    query = select(Payout).where(Payout.producer_id == producer_id)
    if period is not None:
        query = query.where(Payout.period == period.key)
    query = query.order_by(Payout.paid_on.desc(), Payout.id.desc())
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def record_payout(
    producer: Producer,
    *,
    period: str,
    paid_on: date | None,
    amount_vnd: int | None,
    bank_reference: str | None,
    note: str | None = None,
    actor,
) -> Payout:
    """An admin (`actor`) records money sent to `producer` for the statement month `period`
    ("2026-11"): the day it was paid, the amount and the bank's reference. Writes an audit entry.
    Raises ValidationError (with the field) for a month that has not started, a date in the
    future, an amount that is not positive or above the month's balance, or a missing reference."""
    try:
        month = Period.parse(period)
    except NotFound:
        raise ValidationError(_l("Choose a month like 2026-11."), field="period") from None
    if month > Period.current():
        raise ValidationError(_l("That month has not started yet."), field="period")
    if paid_on is None:
        raise ValidationError(_l("Enter the day the money was sent."), field="paid_on")
    if paid_on > clock.today():
        raise ValidationError(_l("The payment date cannot be in the future."), field="paid_on")
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise ValidationError(_l("Enter an amount in đồng greater than 0."), field="amount_vnd")
    reference = (bank_reference or "").strip()
    if not reference:
        raise ValidationError(_l("Enter the bank's reference for the transfer."), field="bank_reference")
    if len(reference) > 60:
        raise ValidationError(_l("The bank reference is at most 60 characters."), field="bank_reference")
    note = (note or "").strip() or None
    if note and len(note) > 300:
        raise ValidationError(_l("The note is at most 300 characters."), field="note")
    # Two admins paying the same month at once: the second waits for the first (PostgreSQL) and
    # then sees its payout in the balance.
    db.session.execute(select(Producer.id).where(Producer.id == producer.id).with_for_update())
    balance = month_totals(producer.id, month).balance_vnd
    if amount_vnd > balance:
        raise ValidationError(
            _(
                "%(amount)s is more than the balance of %(month)s (%(balance)s).",
                amount=format_vnd(amount_vnd),
                month=month.key,
                balance=format_vnd(balance),
            ),
            field="amount_vnd",
        )
    payout = Payout(
        producer_id=producer.id,
        period=month.key,
        paid_on=paid_on,
        amount_vnd=amount_vnd,
        bank_reference=reference,
        note=note,
        recorded_by_user_id=getattr(actor, "id", None),
    )
    db.session.add(payout)
    db.session.flush()
    audit.record(
        "payout.record",
        "payout",
        payout.id,
        actor=actor,
        role="admin",
        producer_id=producer.id,
        after=audit.snapshot(payout, PAYOUT_FIELDS),
    )
    return payout


@dataclass(frozen=True)
class ProducerDue:
    producer: Producer
    totals: Totals


def statements_due(period: Period) -> list[ProducerDue]:
    """For the admin: every producer with a delivery or a payout in `period`, with its figures,
    those with the most still to pay first. Three statements whatever the number of producers."""
    rows = _per_shipment(producer_id=None, start=period.start, end=period.end).subquery()
    delivered = {
        r.producer_id: r for r in _rows(select(rows.c.producer_id, *_totals_columns(rows)).group_by(rows.c.producer_id))
    }
    paid = dict(
        db.session.execute(
            select(Payout.producer_id, func.sum(Payout.amount_vnd))
            .where(Payout.period == period.key)
            .group_by(Payout.producer_id)
        ).all()
    )
    ids = set(delivered) | set(paid)
    producers = {p.id: p for p in db.session.scalars(select(Producer).where(Producer.id.in_(ids)))} if ids else {}
    dues = []
    for producer_id in ids:
        r = delivered.get(producer_id)
        totals = Totals(
            shipments=int(r.shipments) if r else 0,
            units=int(r.units) if r else 0,
            gross_vnd=int(r.gross_vnd) if r else 0,
            commission_vnd=int(r.commission_vnd) if r else 0,
            refunds_vnd=int(r.refunds_vnd) if r else 0,
            paid_vnd=int(paid.get(producer_id) or 0),
        )
        dues.append(ProducerDue(producers[producer_id], totals))
    dues.sort(key=lambda d: (-d.totals.balance_vnd, d.producer.name, d.producer.id))
    return dues


def local_delivery_day(moment: datetime) -> date:
    """The Vietnam day of a delivery instant (as statements count it)."""
    return clock.aware(moment).astimezone(clock.VN).date()


__all__ = [
    "MAX_BP",
    "Period",
    "commission_for_delivery",
    "commission_vnd",
    "default_rate",
    "month_totals",
    "months",
    "payouts_for",
    "rate_for",
    "record_payout",
    "set_commission",
    "statement",
    "statement_csv",
    "statements_due",
]
