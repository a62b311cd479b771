"""When a partner's order can arrive: the delivery dates its lines can reach and the windows of
the location's receiving hours on that date.

- Every producer needs the order by its cut-off (PARTNER_ORDER_CUTOFF, or its own) the day
  before delivery: made or picked the morning of the delivery day, as xôi is.
- Goods reach a location in the producer's province the same day, and another province after
  PARTNER_TRANSIT_DAYS days; a perishable product (shelf life of a day or two) reaches only
  locations it keeps for, and is only offered for dates it can reach.
- The location must receive deliveries on that weekday, within its hours: the windows offered
  are two-hour slots of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l

from shop import clock
from shop.catalog.models import Product
from shop.errors import ValidationError
from shop.partners.models import PartnerLocation
from shop.producers.models import Producer

WINDOW_MINUTES = 120


def _minutes(hhmm: str) -> int:
    hours, _, minutes = hhmm.partition(":")
    return int(hours) * 60 + int(minutes or 0)


def cutoff_minute(producer: Producer) -> int:
    """The time (minutes after midnight, Vietnam time) by which the producer needs a partner's
    order the day before delivery."""
    if producer.partner_cutoff_minute is not None:
        return producer.partner_cutoff_minute
    return _minutes(current_app.config["PARTNER_ORDER_CUTOFF"])


def transit_days(producer: Producer, location: PartnerLocation) -> int:
    """Days on the road from the producer to the location."""
    if producer.province_code == location.province_code:
        return 0
    return current_app.config["PARTNER_TRANSIT_DAYS"]


def earliest_date(producer: Producer, location: PartnerLocation, now: datetime) -> date:
    """The first date this producer's goods can arrive at the location, ordered `now`."""
    local = now.astimezone(clock.VN)
    minute = local.hour * 60 + local.minute
    # Before the cut-off: delivery tomorrow at the earliest; after it, the day after.
    lead = 1 if minute < cutoff_minute(producer) else 2
    return local.date() + timedelta(days=lead + transit_days(producer, location))


def reach_problem(product: Product, location: PartnerLocation):
    """Why the product cannot reach the location fresh (a lazy string), or None."""
    days = transit_days(product.producer, location)
    if not product.keeps_through(days):
        return _l(
            "%(name)s keeps %(days)s day(s): it cannot reach %(place)s fresh.",
            name=product.name(str(get_locale() or "vi")),
            days=product.shelf_life_days,
            place=location.province_name or "",
        )
    return None


@dataclass(frozen=True)
class Window:
    start_minute: int
    end_minute: int

    @property
    def value(self) -> str:
        """As a form sends it: "0600-0800"."""
        return f"{clock.format_minutes(self.start_minute)}-{clock.format_minutes(self.end_minute)}".replace(":", "")

    @property
    def label(self) -> str:
        return clock.format_window(self.start_minute, self.end_minute)

    @classmethod
    def parse(cls, raw: str | None) -> Window | None:
        text = (raw or "").strip()
        start, sep, end = text.partition("-")
        if not sep or len(start) != 4 or len(end) != 4 or not (start.isdigit() and end.isdigit()):
            return None
        window = cls(int(start[:2]) * 60 + int(start[2:]), int(end[:2]) * 60 + int(end[2:]))
        return window if 0 <= window.start_minute < window.end_minute <= 24 * 60 else None


def windows(location: PartnerLocation, day: date) -> list[Window]:
    """The delivery windows of the location on `day`: two-hour slots of its receiving hours (the
    last one shorter when the hours do not divide evenly); none on a day it does not receive."""
    hours = location.hours_on(day.weekday())
    if hours is None:
        return []
    slots, start = [], hours.opens_minute
    while start < hours.closes_minute:
        end = min(start + WINDOW_MINUTES, hours.closes_minute)
        slots.append(Window(start, end))
        start = end
    return slots


def first_possible_date(products: Iterable[Product], location: PartnerLocation, now: datetime) -> date:
    """The first date every product's producer can deliver to the location, ordered now."""
    local_today = now.astimezone(clock.VN).date()
    earliest = local_today + timedelta(days=1)
    for producer in {product.producer_id: product.producer for product in products}.values():
        earliest = max(earliest, earliest_date(producer, location, now))
    return earliest


def delivery_dates(products: Iterable[Product], location: PartnerLocation, now: datetime) -> list[date]:
    """The dates an order of these products can be delivered to the location, from the first
    one their producers can make up to PARTNER_ORDER_HORIZON_DAYS ahead, on the days the
    location receives. None at all when a perishable product cannot reach it fresh."""
    products = list(products)
    if any(reach_problem(product, location) for product in products):
        return []
    first = first_possible_date(products, location, now)
    last = now.astimezone(clock.VN).date() + timedelta(days=current_app.config["PARTNER_ORDER_HORIZON_DAYS"])
    days, day = [], first
    while day <= last:
        if location.hours_on(day.weekday()) is not None:
            days.append(day)
        day += timedelta(days=1)
    return days


def check_delivery(
    products: Iterable[Product], location: PartnerLocation, day: date | None, window: Window | None, now: datetime
) -> None:
    """The delivery date and window a partner chose, for these products and this location.
    Raises ValidationError (field "delivery_date" or "window") saying what is wrong: a date in the
    past or too soon for a producer's cut-off, beyond the horizon, a day the location does not
    receive, a product that cannot reach it fresh, or a window outside the receiving hours."""
    products = list(products)
    for product in products:
        problem = reach_problem(product, location)
        if problem is not None:
            raise ValidationError(problem, field="delivery_date")
    if day is None:
        raise ValidationError(_l("Choose a delivery date."), field="delivery_date")
    today = now.astimezone(clock.VN).date()
    if day <= today:
        raise ValidationError(_l("Choose a delivery date after today."), field="delivery_date")
    first = first_possible_date(products, location, now)
    if day < first:
        raise ValidationError(
            _l(
                "The producers need the order by their cut-off the day before: the first date they can "
                "deliver is %(date)s.",
                date=format_date(first, "full"),
            ),
            field="delivery_date",
        )
    if (day - today).days > current_app.config["PARTNER_ORDER_HORIZON_DAYS"]:
        raise ValidationError(
            _l("Choose a date within %(days)s days.", days=current_app.config["PARTNER_ORDER_HORIZON_DAYS"]),
            field="delivery_date",
        )
    slots = windows(location, day)
    if not slots:
        raise ValidationError(
            _l("%(place)s does not receive deliveries on that day.", place=location.name), field="delivery_date"
        )
    if window is None:
        raise ValidationError(_l("Choose a delivery window."), field="window")
    hours = location.hours_on(day.weekday())
    if window.start_minute < hours.opens_minute or window.end_minute > hours.closes_minute:
        raise ValidationError(
            _l(
                "%(place)s receives deliveries from %(opens)s to %(closes)s on that day.",
                place=location.name,
                opens=clock.format_minutes(hours.opens_minute),
                closes=clock.format_minutes(hours.closes_minute),
            ),
            field="window",
        )
