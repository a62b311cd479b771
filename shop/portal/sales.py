"""A producer's sales figures: revenue, orders and units over the last 7, 30 and 90 days, its top
products, daily revenue (and the bar chart drawn from it), stock alerts and shipments waiting.

What counts as a sale: the producer's order lines of orders that are **confirmed, being
prepared, shipped or delivered**, dated by when the order was placed (a Vietnam day). Left out:
orders waiting for payment (a bank transfer or card payment that may never come, and that
expires), cancelled and refunded orders, and the producer's own shipment if it cancelled it
(the order may go on for other producers). A line is a sale from the moment the order is
confirmed, not only once delivered: the dashboard shows what was sold; what is paid out is the
statements' business (shop.settlements), which counts deliveries.

Every figure is aggregated in SQL (GROUP BY a Vietnam day or a product): the dashboard is four
statements (five with the stock alerts' list) however many orders there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.dates import format_skeleton
from babel.numbers import format_compact_decimal
from sqlalchemy import case, distinct, func, select

from shop import clock
from shop.extensions import db
from shop.fulfilment.models import Shipment
from shop.inventory.services import low_stock
from shop.orders.models import Order, OrderLine
from shop.settlements.periods import local_day, local_midnight

COUNTED_STATUSES = ("confirmed", "processing", "shipped", "delivered")
PERIODS = (7, 30, 90)
TOP_PRODUCTS = 5
# Shipments the producer still has to send: not yet shipped, of an order that may go ahead.
WAITING_SHIPMENT_STATUSES = ("open", "packed")
WAITING_ORDER_STATUSES = ("confirmed", "processing")


@dataclass(frozen=True)
class Figures:
    revenue_vnd: int = 0
    orders: int = 0
    units: int = 0


@dataclass(frozen=True)
class Day:
    day: date
    revenue_vnd: int = 0
    orders: int = 0
    units: int = 0


@dataclass(frozen=True)
class TopProduct:
    product_id: int | None
    name: str
    units: int
    revenue_vnd: int


def first_day(days: int, today: date | None = None) -> date:
    """The first of the last `days` Vietnam days, today included."""
    return (today or clock.today()) - timedelta(days=days - 1)


def _sales(producer_id: int, since: datetime):
    """The conditions that make a line a sale of `producer_id` placed since `since`. Only the
    producer's lines from the first order placed since then are read (the index by producer and
    order): ids grow with time, so that is about the window's lines, however old the producer."""
    # min(id + 0), not min(id): SQLite answers min(id) by walking the table in id order until an
    # order matches (most of it, for a short window); this way it reads the created_at index.
    first_order = select(func.min(Order.id + 0)).where(Order.created_at >= since).scalar_subquery()
    # The orders whose shipment the producer cancelled: a short list read once (a NOT IN the
    # database keeps in memory), not a look-up of the shipment for every line.
    cancelled = select(Shipment.order_id).where(Shipment.producer_id == producer_id, Shipment.status == "cancelled")
    return (
        select()
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.producer_id == producer_id,
            OrderLine.order_id >= first_order,
            Order.status.in_(COUNTED_STATUSES),
            Order.created_at >= since,
            OrderLine.order_id.not_in(cancelled),
        )
    )


def totals(series: list[Day], days: int) -> Figures:
    """The figures of the last `days` of a daily series (an order is placed on one day only, so
    its days' order counts add up)."""
    window = series[-days:]
    return Figures(
        revenue_vnd=sum(d.revenue_vnd for d in window),
        orders=sum(d.orders for d in window),
        units=sum(d.units for d in window),
    )


def summary(producer_id: int, periods=PERIODS, *, today: date | None = None) -> dict[int, Figures]:
    """Revenue, orders and units for each of `periods` (numbers of days), from one statement:
    the daily figures of the longest."""
    series = daily(producer_id, max(periods), today=today)
    return {days: totals(series, days) for days in periods}


def top_products(producer_id: int, days: int, *, limit: int = TOP_PRODUCTS, locale: str = "vi") -> list[TopProduct]:
    """The products that brought the most revenue over the last `days` days (a product since
    deleted is kept under the name it was sold with)."""
    since = local_midnight(first_day(days))
    orphan_name = case((OrderLine.product_id.is_(None), OrderLine.product_name_vi), else_=None)
    revenue = func.sum(OrderLine.line_total_vnd)
    rows = (
        db.session.connection()
        .execute(
            _sales(producer_id, since)
            .add_columns(
                OrderLine.product_id,
                func.max(OrderLine.product_name_vi),
                func.max(OrderLine.product_name_en),
                func.sum(OrderLine.quantity),
                revenue,
            )
            .group_by(OrderLine.product_id, orphan_name)
            .order_by(revenue.desc(), OrderLine.product_id)
            .limit(limit)
        )
        .all()
    )
    return [
        TopProduct(
            product_id=product_id,
            name=(name_en if locale == "en" else None) or name_vi,
            units=int(units),
            revenue_vnd=int(value),
        )
        for product_id, name_vi, name_en, units, value in rows
    ]


def daily(producer_id: int, days: int, *, today: date | None = None) -> list[Day]:
    """Revenue, orders and units for each of the last `days` Vietnam days, oldest first (days
    without a sale are there with zeros)."""
    today = today or clock.today()
    start = first_day(days, today)
    day = local_day(Order.created_at).label("day")
    rows = (
        db.session.connection()
        .execute(
            _sales(producer_id, local_midnight(start))
            .add_columns(
                day,
                func.sum(OrderLine.line_total_vnd),
                func.count(distinct(OrderLine.order_id)),
                func.sum(OrderLine.quantity),
            )
            .group_by(day)
        )
        .all()
    )
    found = {date.fromisoformat(d): (int(v), int(o), int(u)) for d, v, o, u in rows}
    series = []
    for n in range(days):
        when = start + timedelta(days=n)
        revenue, orders, units = found.get(when, (0, 0, 0))
        series.append(Day(when, revenue, orders, units))
    return series


def stock_alerts(producer_id: int) -> int:
    """How many of the producer's variants are at or below their low-stock threshold (the
    stock pages' rule, shop.inventory.services.low_stock)."""
    return low_stock(producer_id, limit=0)[1]


def shipments_waiting(producer_id: int) -> int:
    """Shipments the producer has still to send (open or packed) of orders that go ahead."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Shipment)
            .join(Order, Order.id == Shipment.order_id)
            .where(
                Shipment.producer_id == producer_id,
                Shipment.status.in_(WAITING_SHIPMENT_STATUSES),
                Order.status.in_(WAITING_ORDER_STATUSES),
            )
        )
    )


# --- The chart --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: Day
    label: str  # the day, short ("30/11")


@dataclass(frozen=True)
class Tick:
    y: float
    label: str  # the amount, short ("2,5 Tr")


@dataclass(frozen=True)
class Chart:
    """A bar chart's geometry in its viewBox's units: the template only draws it."""

    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    bars: list[Bar]
    ticks: list[Tick]
    x_labels: list[tuple[float, str]]
    max_vnd: int

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 2.5, 5 × a power of ten at least `value` (the chart's top)."""
    if value <= 0:
        return 0
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return int(step * magnitude)
    return 10 * magnitude


def bar_chart(series: list[Day], *, locale: str = "vi", width: int = 360, height: int = 200) -> Chart:
    """The daily revenue as bars, sized to a phone's width (the SVG scales with its viewBox).
    The y axis has four steps up to a round amount above the best day; the x axis names about
    seven days, evenly spaced."""
    left, right, top, bottom = 44.0, width - 4.0, 8.0, height - 22.0
    top_vnd = _nice_ceiling(max((d.revenue_vnd for d in series), default=0))
    plot_height = bottom - top
    slot = (right - left) / max(len(series), 1)
    gap = slot * 0.2 if slot > 4 else 0.0
    bars = []
    for n, d in enumerate(series):
        h = plot_height * d.revenue_vnd / top_vnd if top_vnd else 0.0
        bars.append(
            Bar(
                x=round(left + n * slot + gap / 2, 2),
                y=round(bottom - h, 2),
                width=round(slot - gap, 2),
                height=round(h, 2),
                day=d,
                label=format_skeleton("Md", d.day, locale=locale),
            )
        )
    ticks = []
    if top_vnd:
        for step in range(5):
            amount = top_vnd * step // 4
            ticks.append(
                Tick(
                    y=round(bottom - plot_height * step / 4, 2),
                    label=format_compact_decimal(amount, locale=locale, fraction_digits=1),
                )
            )
    every = max(1, -(-len(series) // 7))
    x_labels = [(round(b.x + b.width / 2, 2), b.label) for n, b in enumerate(bars) if (len(bars) - 1 - n) % every == 0]
    return Chart(width, height, left, right, top, bottom, bars, ticks, x_labels, top_vnd)


@dataclass(frozen=True)
class Dashboard:
    days: int
    periods: dict[int, Figures]
    top: list[TopProduct]
    series: list[Day]
    chart: Chart
    stock_alerts: int
    shipments_waiting: int

    @property
    def figures(self) -> Figures:
        return self.periods[self.days]

    @property
    def best_day(self) -> Day | None:
        """The day with the most revenue (the latest of equals); None without a sale."""
        best = max(reversed(self.series), key=lambda d: d.revenue_vnd, default=None)
        return best if best is not None and best.revenue_vnd > 0 else None


def dashboard(producer_id: int, days: int = 30, *, locale: str = "vi") -> Dashboard:
    """Everything the sales page shows, for the last `days` (7, 30 or 90): four statements (the
    daily figures of the longest period give every period's totals)."""
    if days not in PERIODS:
        days = 30
    longest = daily(producer_id, max(PERIODS))
    series = longest[-days:]
    return Dashboard(
        days=days,
        periods={n: totals(longest, n) for n in PERIODS},
        top=top_products(producer_id, days, locale=locale),
        series=series,
        chart=bar_chart(series, locale=locale),
        stock_alerts=stock_alerts(producer_id),
        shipments_waiting=shipments_waiting(producer_id),
    )
