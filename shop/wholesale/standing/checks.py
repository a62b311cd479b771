"""What makes a standing order valid: its name, its lines (SKUs a partner may order, in the
partner quantity rules, that reach the location), weekdays the location receives, a window within
its hours on each of them, and its dates. Each check raises ValidationError naming the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from shop import pricing
from shop.catalog.models import Variant
from shop.clock import format_minutes
from shop.errors import ValidationError
from shop.partners.models import WEEKDAY_NAMES, PartnerLocation
from shop.wholesale import ordering
from shop.wholesale.delivery import Window, reach_problem
from shop.wholesale.standing.rules import MAX_LINES, NAME_MAX, day_names, weekday_list


def clean_name(name: str | None) -> str:
    text = " ".join((name or "").split())
    if not text:
        raise ValidationError(_l("Give the standing order a name, e.g. Morning xôi."), field="name")
    if len(text) > NAME_MAX:
        raise ValidationError(_l("A name has at most %(n)s characters.", n=NAME_MAX), field="name")
    return text


def check_weekdays(location: PartnerLocation, weekdays) -> int:
    days = sorted({int(day) for day in weekdays or () if str(day).isdigit() and 0 <= int(day) <= 6})
    if not days:
        raise ValidationError(_l("Tick at least one weekday."), field="weekdays")
    closed = [day for day in days if location.hours_on(day) is None]
    if closed:
        raise ValidationError(
            _l(
                "%(place)s does not receive deliveries on %(days)s.",
                place=location.name,
                days=day_names(closed),
            ),
            field="weekdays",
        )
    return sum(1 << day for day in days)


def check_window(location: PartnerLocation, mask: int, window: Window | None) -> Window:
    if window is None:
        raise ValidationError(_l("Choose a delivery window."), field="window")
    for day in weekday_list(mask):
        hours = location.hours_on(day)
        if window.start_minute < hours.opens_minute or window.end_minute > hours.closes_minute:
            raise ValidationError(
                _l(
                    "%(place)s receives deliveries from %(opens)s to %(closes)s on %(day)s: choose a window "
                    "within those hours on every day you ticked.",
                    place=location.name,
                    opens=format_minutes(hours.opens_minute),
                    closes=format_minutes(hours.closes_minute),
                    day=WEEKDAY_NAMES[day],
                ),
                field="window",
            )
    return window


def check_dates(start: date | None, end: date | None, *, today: date) -> None:
    if start is None:
        raise ValidationError(_l("Choose the first delivery date."), field="start_date")
    if start <= today:
        raise ValidationError(_l("The first delivery date must be after today."), field="start_date")
    if end is not None and end < start:
        raise ValidationError(_l("The last date cannot be before the first."), field="end_date")


def check_lines(location: PartnerLocation, lines) -> list[tuple[Variant, int]]:
    """(SKU, quantity) pairs typed by a person, as orderable variants and quantities. A row with
    neither is left out. Raises ValidationError on the row's field (lines-<n>-sku or -quantity)."""
    rows = [(n, (sku or "").strip(), quantity) for n, (sku, quantity) in enumerate(lines or ())]
    rows = [(n, sku, quantity) for n, sku, quantity in rows if sku or quantity]
    if not rows:
        raise ValidationError(_l("Enter at least one SKU and quantity."), field="lines")
    if len(rows) > MAX_LINES:
        raise ValidationError(_l("A standing order has at most %(n)s lines.", n=MAX_LINES), field="lines")
    found = ordering.variants_by_sku(sku for _, sku, _ in rows)
    checked, seen = [], set()
    locale = str(get_locale() or "vi")
    for n, sku, quantity in rows:
        if not sku:
            raise ValidationError(_l("Enter the SKU of this line."), field=f"lines-{n}-sku")
        variant = found.get(sku.lower())
        if variant is None:
            raise ValidationError(_l("No product for sale has the SKU %(sku)s.", sku=sku), field=f"lines-{n}-sku")
        if variant.id in seen:
            raise ValidationError(
                _l("%(sku)s is on two lines: enter it once.", sku=variant.sku), field=f"lines-{n}-sku"
            )
        seen.add(variant.id)
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            raise ValidationError(_l("Enter a whole number."), field=f"lines-{n}-quantity")
        problem = (
            _l("Enter at most %(n)s.", n=ordering.MAX_QUANTITY)
            if quantity > ordering.MAX_QUANTITY
            else pricing.quantity_problem(variant, quantity)
        )
        if problem is not None:
            raise ValidationError(
                _l(
                    "%(product)s (%(sku)s): %(problem)s",
                    product=variant.product.name(locale),
                    sku=variant.sku,
                    problem=problem,
                ),
                field=f"lines-{n}-quantity",
            )
        problem = reach_problem(variant.product, location)
        if problem is not None:
            raise ValidationError(problem, field=f"lines-{n}-sku")
        checked.append((variant, quantity))
    return checked


@dataclass
class StandingOrderDetails:
    """What the "New standing order" form carries."""

    name: str | None
    lines: list[tuple[str, int | None]]
    weekdays: list[int]
    start_date: date | None
    end_date: date | None = None
    window: Window | None = None
    po_number: str | None = None
