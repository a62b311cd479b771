"""Standing orders: a partner's lines delivered to one location on chosen weekdays, and the run
(`flask shop run-standing-orders`) that turns them into orders a few days ahead.

- Who: owners and buyers (a buyer limited to some locations only for those), for a location
  that is open. Only partners on payment terms (on account) have standing orders: a prepaid
  partner pays each order before it is made, so an order made at night by the run would sit
  unpaid and hold stock until it expired. A real shop offers repeat deliveries to the
  restaurants it gives credit to; a prepaid partner asks for terms first (the form says so). A
  partner moved to prepaid, suspended, or a closed location: its standing orders are left out
  of the run (nothing claimed), and the page says why.
- The run, for every delivery date from tomorrow to `days_ahead` days ahead that is one of the
  standing order's weekdays, within its dates, not skipped, and a day its location receives:
  it claims the (standing order, date) row first — the unique key makes a second run, or a
  second process at the same time, skip that date — then orders at today's partner prices
  through `place_partner_order`, on account. Short stock: it orders what there is (lowered to
  the pack step; lines with nothing left dropped) and mails what is missing; over the credit
  limit or held by an overdue invoice: nothing is ordered and the owners and accountants are
  mailed. One transaction per standing order and date.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import format_date, get_locale, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shop import audit, clock, pricing
from shop.accounts.models import PartnerMember, User
from shop.catalog.models import Variant
from shop.errors import ConflictError, Forbidden, NotFound, ValidationError
from shop.extensions import db
from shop.invoicing import credit
from shop.mail.services import queue_mail
from shop.models_base import utcnow
from shop.money import format_vnd
from shop.orders.models import Order
from shop.partners.models import TERM_DAYS, Partner, PartnerLocation, PartnerMemberLocation
from shop.urls import external_url
from shop.wholesale import ordering
from shop.wholesale.delivery import Window, earliest_date, format_minute, reach_problem, windows
from shop.wholesale.models import StandingOrder, StandingOrderLine, StandingOrderRun, StandingOrderSkip

log = logging.getLogger(__name__)

ORDERING_ROLES = ("owner", "buyer")
MAX_LINES = 50
NAME_MAX = 120
# The standing order's page shows this many days ahead.
SHOWN_DAYS = 14
WEEKDAY_NAMES = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)


# --- Who may do what ---------------------------------------------------------------------------


def _membership(partner: Partner, user: User) -> PartnerMember:
    member = db.session.get(PartnerMember, (user.id, partner.id))
    if member is None or member.role not in ORDERING_ROLES:
        raise Forbidden(_l("Only owners and buyers manage standing orders."))
    return member


def _allowed_location_ids(member: PartnerMember) -> set[int] | None:
    if member.role == "owner" or member.all_locations:
        return None
    return set(
        db.session.scalars(
            select(PartnerMemberLocation.location_id).where(
                PartnerMemberLocation.user_id == member.user_id,
                PartnerMemberLocation.partner_id == member.partner_id,
            )
        )
    )


def _location_for(partner: Partner, user: User, location_id) -> PartnerLocation:
    """A location of `partner` the user may order for and still open; NotFound otherwise (a
    buyer limited to other branches learns nothing about this one)."""
    member = _membership(partner, user)
    location = db.session.get(PartnerLocation, location_id) if isinstance(location_id, int) else None
    allowed = _allowed_location_ids(member)
    if location is None or location.partner_id != partner.id or (allowed is not None and location.id not in allowed):
        raise NotFound()
    return location


def standing_order_of(partner: Partner, user: User, standing_order_id) -> StandingOrder:
    """The partner's standing order the user may see (an owner or a buyer of its location).
    Raises NotFound for another partner's or another branch's, Forbidden for an accountant."""
    member = _membership(partner, user)
    standing = db.session.get(StandingOrder, standing_order_id) if isinstance(standing_order_id, int) else None
    if standing is None or standing.partner_id != partner.id:
        raise NotFound()
    allowed = _allowed_location_ids(member)
    if allowed is not None and standing.location_id not in allowed:
        raise NotFound()
    return standing


def standing_orders_for(partner: Partner, user: User) -> list[tuple[PartnerLocation, list[StandingOrder]]]:
    """The standing orders the user may see, per location (the locations they order for, open
    ones and closed ones that still have standing orders), by name."""
    member = _membership(partner, user)
    allowed = _allowed_location_ids(member)
    rows = db.session.scalars(
        select(StandingOrder)
        .where(StandingOrder.partner_id == partner.id)
        .options(selectinload(StandingOrder.lines))
        .order_by(StandingOrder.name, StandingOrder.id)
    ).all()
    by_location: dict[int, list[StandingOrder]] = {}
    for standing in rows:
        by_location.setdefault(standing.location_id, []).append(standing)
    return [
        (location, by_location.get(location.id, []))
        for location in partner.locations
        if (allowed is None or location.id in allowed) and (location.active or location.id in by_location)
    ]


def location_of(standing: StandingOrder) -> PartnerLocation:
    return db.session.get(PartnerLocation, standing.location_id)


def partner_of(standing: StandingOrder) -> Partner:
    return db.session.get(Partner, standing.partner_id)


def takes_standing_orders(partner: Partner) -> bool:
    """Whether the run orders for this partner now: approved and buying on account."""
    return partner.status == "active" and partner.on_terms


# --- What a standing order is made of ------------------------------------------------------------


def _tomorrow(today: date | None = None) -> date:
    return (today or clock.today()) + timedelta(days=1)


def _clean_name(name: str | None) -> str:
    text = " ".join((name or "").split())
    if not text:
        raise ValidationError(_l("Give the standing order a name, e.g. Morning xôi."), field="name")
    if len(text) > NAME_MAX:
        raise ValidationError(_l("A name has at most %(n)s characters.", n=NAME_MAX), field="name")
    return text


def _weekday_list(mask: int) -> list[int]:
    return [day for day in range(7) if mask & (1 << day)]


def weekday_names(mask: int) -> str:
    """The weekdays of a mask in words, in the current language ("Monday, Wednesday")."""
    return ", ".join(str(WEEKDAY_NAMES[day]) for day in _weekday_list(mask))


def window_label(standing: StandingOrder) -> str:
    return f"{format_minute(standing.window_start_minute)}–{format_minute(standing.window_end_minute)}"


def location_windows(location: PartnerLocation) -> list[Window]:
    """The delivery windows a standing order for `location` may choose: two-hour slots of its
    receiving hours on any of its days, earliest first."""
    slots: set[Window] = set()
    monday = date(2026, 1, 5)  # any Monday: only the weekday matters
    for day in range(7):
        slots.update(windows(location, monday + timedelta(days=day)))
    return sorted(slots, key=lambda w: (w.start_minute, w.end_minute))


def _check_weekdays(location: PartnerLocation, weekdays) -> int:
    days = sorted({int(day) for day in weekdays or () if str(day).isdigit() and 0 <= int(day) <= 6})
    if not days:
        raise ValidationError(_l("Tick at least one weekday."), field="weekdays")
    closed = [day for day in days if location.hours_on(day) is None]
    if closed:
        raise ValidationError(
            _l(
                "%(place)s does not receive deliveries on %(days)s.",
                place=location.name,
                days=", ".join(str(WEEKDAY_NAMES[day]) for day in closed),
            ),
            field="weekdays",
        )
    return sum(1 << day for day in days)


def _check_window(location: PartnerLocation, mask: int, window: Window | None) -> Window:
    if window is None:
        raise ValidationError(_l("Choose a delivery window."), field="window")
    for day in _weekday_list(mask):
        hours = location.hours_on(day)
        if window.start_minute < hours.opens_minute or window.end_minute > hours.closes_minute:
            raise ValidationError(
                _l(
                    "%(place)s receives deliveries from %(opens)s to %(closes)s on %(day)s: choose a window "
                    "within those hours on every day you ticked.",
                    place=location.name,
                    opens=format_minute(hours.opens_minute),
                    closes=format_minute(hours.closes_minute),
                    day=WEEKDAY_NAMES[day],
                ),
                field="window",
            )
    return window


def _check_dates(start: date | None, end: date | None, *, today: date) -> None:
    if start is None:
        raise ValidationError(_l("Choose the first delivery date."), field="start_date")
    if start <= today:
        raise ValidationError(_l("The first delivery date must be after today."), field="start_date")
    if end is not None and end < start:
        raise ValidationError(_l("The last date cannot be before the first."), field="end_date")


def _check_lines(location: PartnerLocation, lines) -> list[tuple[Variant, int]]:
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


def _snapshot(standing: StandingOrder) -> dict:
    return {
        "name": standing.name,
        "location_id": standing.location_id,
        "weekdays_mask": standing.weekdays_mask,
        "start_date": standing.start_date,
        "end_date": standing.end_date,
        "window": window_label(standing),
        "po_number": standing.po_number,
        "status": standing.status,
    }


def _audit(standing: StandingOrder, action: str, user: User, *, before=None, after=None, note=None) -> None:
    audit.record(
        f"standing_order.{action}",
        "standing_order",
        standing.id,
        actor=user,
        role="partner",
        before=before,
        after=after,
        note=note,
    )


def create_standing_order(
    partner: Partner, user: User, location_id: int, details: StandingOrderDetails
) -> StandingOrder:
    """A standing order for a location the user (owner or buyer) orders for: lines by SKU that
    keep the partner quantity rules and can reach the location, weekdays the location receives,
    a window within its hours on each of them, a first date after today and an optional last
    one. Raises NotFound (location), Forbidden (role), ValidationError (field named) — also when
    the partner pays when ordering (standing orders are for partners on account)."""
    location = _location_for(partner, user, location_id)
    if not location.active:
        raise ValidationError(_l("%(place)s is closed: no new order can name it.", place=location.name))
    if partner.status != "active":
        raise ValidationError(_l("Your partner account is not approved yet: you cannot order at partner prices."))
    if not partner.on_terms:
        raise ValidationError(
            _l(
                "Standing orders are for partners who buy on account: your account pays each order when it is "
                "placed. Ask the shop for payment terms, or order each time from the quick order."
            )
        )
    name = _clean_name(details.name)
    lines = _check_lines(location, details.lines)
    mask = _check_weekdays(location, details.weekdays)
    window = _check_window(location, mask, details.window)
    _check_dates(details.start_date, details.end_date, today=clock.today())
    standing = StandingOrder(
        partner_id=partner.id,
        location_id=location.id,
        name=name,
        weekdays_mask=mask,
        start_date=details.start_date,
        end_date=details.end_date,
        window_start_minute=window.start_minute,
        window_end_minute=window.end_minute,
        po_number=ordering.clean_po_number(details.po_number),
        status="active",
        created_by_user_id=user.id,
    )
    for variant, quantity in lines:
        standing.lines.append(
            StandingOrderLine(variant_id=variant.id, quantity=quantity, valid_from=details.start_date)
        )
    db.session.add(standing)
    db.session.flush()
    _audit(
        standing,
        "create",
        user,
        after={**_snapshot(standing), "lines": {variant.sku: quantity for variant, quantity in lines}},
    )
    return standing


def _last_run_date(standing: StandingOrder) -> date | None:
    return db.session.scalar(
        select(db.func.max(StandingOrderRun.delivery_date)).where(StandingOrderRun.standing_order_id == standing.id)
    )


def _run_on(standing: StandingOrder, day: date) -> StandingOrderRun | None:
    return db.session.scalar(
        select(StandingOrderRun).where(
            StandingOrderRun.standing_order_id == standing.id, StandingOrderRun.delivery_date == day
        )
    )


def pause_standing_order(partner: Partner, user: User, standing_order_id: int) -> StandingOrder:
    """Stop ordering until resumed (orders already placed stay). Raises ConflictError if paused."""
    standing = standing_order_of(partner, user, standing_order_id)
    if standing.status == "paused":
        raise ConflictError(_l("This standing order is paused already."))
    standing.status = "paused"
    db.session.flush()
    _audit(standing, "pause", user, before={"status": "active"}, after={"status": "paused"})
    return standing


def resume_standing_order(partner: Partner, user: User, standing_order_id: int) -> StandingOrder:
    """Order again from the next run on. Raises ConflictError if not paused, ValidationError if
    its location is closed."""
    standing = standing_order_of(partner, user, standing_order_id)
    if standing.status == "active":
        raise ConflictError(_l("This standing order is not paused."))
    if not location_of(standing).active:
        raise ValidationError(_l("%(place)s is closed: no new order can name it.", place=location_of(standing).name))
    standing.status = "active"
    db.session.flush()
    _audit(standing, "resume", user, before={"status": "paused"}, after={"status": "active"})
    return standing


def is_delivery_date(standing: StandingOrder, day: date) -> bool:
    """One of its weekdays, within its dates, and a day its location receives."""
    return (
        standing.on_weekday(day.weekday())
        and standing.start_date <= day
        and (standing.end_date is None or day <= standing.end_date)
        and location_of(standing).hours_on(day.weekday()) is not None
    )


def _check_future_date(day: date | None) -> date:
    if day is None:
        raise ValidationError(_l("Choose a date."), field="day")
    if day <= clock.today():
        raise ValidationError(_l("Choose a date after today."), field="day")
    return day


def skip_date(partner: Partner, user: User, standing_order_id: int, day: date | None) -> StandingOrder:
    """Skip one delivery date (a holiday, the branch closed). Raises ValidationError for a date
    not after today or not one of its delivery dates, ConflictError when that date is skipped
    already or its order is already placed (cancel that order instead)."""
    standing = standing_order_of(partner, user, standing_order_id)
    day = _check_future_date(day)
    if not is_delivery_date(standing, day):
        raise ValidationError(
            _l("%(date)s is not a delivery date of this standing order.", date=format_date(day, "full")), field="day"
        )
    if db.session.get(StandingOrderSkip, (standing.id, day)) is not None:
        raise ConflictError(_l("%(date)s is skipped already.", date=format_date(day, "full")))
    if _run_on(standing, day) is not None:
        raise ConflictError(
            _l(
                "The order for %(date)s is already made: cancel that order if you do not want it.",
                date=format_date(day, "full"),
            )
        )
    db.session.add(StandingOrderSkip(standing_order_id=standing.id, on_date=day))
    db.session.flush()
    _audit(standing, "skip", user, after={"skipped": day})
    return standing


def unskip_date(partner: Partner, user: User, standing_order_id: int, day: date | None) -> StandingOrder:
    """Deliver on a date skipped before, if it is still after today. Raises ValidationError for a
    date not after today, ConflictError when that date is not skipped."""
    standing = standing_order_of(partner, user, standing_order_id)
    day = _check_future_date(day)
    skip = db.session.get(StandingOrderSkip, (standing.id, day))
    if skip is None:
        raise ConflictError(_l("%(date)s is not skipped.", date=format_date(day, "full")))
    db.session.delete(skip)
    db.session.flush()
    _audit(standing, "unskip", user, before={"skipped": day})
    return standing


def first_changeable_date(standing: StandingOrder, today: date | None = None) -> date:
    """The first date from which lines may change: tomorrow, or the day after the last date
    whose order is already made, and not before the standing order starts."""
    first = _tomorrow(today)
    last_run = _last_run_date(standing)
    if last_run is not None:
        first = max(first, last_run + timedelta(days=1))
    return max(first, standing.start_date)


def lines_on(standing: StandingOrder, day: date) -> list[StandingOrderLine]:
    return [line for line in standing.lines if line.valid_on(day)]


def change_lines_from(
    partner: Partner, user: User, standing_order_id: int, from_date: date | None, lines
) -> StandingOrder:
    """From `from_date` on, deliver `lines` ((SKU, quantity) pairs) instead: the lines in force
    end the day before, lines that would only have started later are dropped. Raises
    ValidationError for a date before `first_changeable_date` or after the last date, or a bad
    line (field named)."""
    standing = standing_order_of(partner, user, standing_order_id)
    if from_date is None:
        raise ValidationError(_l("Choose the date from which the new lines apply."), field="from_date")
    first = first_changeable_date(standing)
    if from_date < first:
        raise ValidationError(
            _l(
                "Lines can change from %(date)s on (orders for earlier dates are already made or due today).",
                date=format_date(first, "full"),
            ),
            field="from_date",
        )
    if standing.end_date is not None and from_date > standing.end_date:
        raise ValidationError(_l("This standing order ends before that date."), field="from_date")
    checked = _check_lines(location_of(standing), lines)
    before = {
        line.variant_id: [line.quantity, line.valid_from, line.valid_to]
        for line in standing.lines
        if line.valid_on(from_date)
    }
    for line in list(standing.lines):
        if line.valid_from >= from_date:
            standing.lines.remove(line)
        elif line.valid_to is None or line.valid_to >= from_date:
            line.valid_to = from_date - timedelta(days=1)
    for variant, quantity in checked:
        standing.lines.append(StandingOrderLine(variant_id=variant.id, quantity=quantity, valid_from=from_date))
    db.session.flush()
    _audit(
        standing,
        "change_lines",
        user,
        before={"lines": before},
        after={"from": from_date, "lines": {variant.sku: quantity for variant, quantity in checked}},
    )
    return standing


def end_standing_order(
    partner: Partner, user: User, standing_order_id: int, last_date: date | None
) -> StandingOrder | None:
    """Deliver for the last time on `last_date` (not before today, nor before a date whose order
    is already made). A standing order that would end before it starts, with no order made, is
    removed (returns None). Raises ValidationError (field "last_date")."""
    standing = standing_order_of(partner, user, standing_order_id)
    if last_date is None:
        raise ValidationError(_l("Choose the last delivery date."), field="last_date")
    first = clock.today()
    last_run = _last_run_date(standing)
    if last_run is not None and last_run > first:
        first = last_run
    if last_date < first:
        raise ValidationError(
            _l(
                "The last delivery date can be %(date)s at the earliest (an order for it is already made).",
                date=format_date(first, "full"),
            )
            if last_run is not None and last_run >= clock.today()
            else _l("The last delivery date cannot be in the past."),
            field="last_date",
        )
    before = _snapshot(standing)
    if last_date < standing.start_date and last_run is None:
        _audit(standing, "remove", user, before=before)
        db.session.delete(standing)
        db.session.flush()
        return None
    standing.end_date = max(last_date, standing.start_date)
    db.session.flush()
    _audit(standing, "end", user, before=before, after=_snapshot(standing))
    return standing


# --- The calendar a page shows ------------------------------------------------------------------


@dataclass
class UpcomingDay:
    day: date
    state: str  # ordered, will_order, skipped, not_receiving, paused, no_lines
    run: StandingOrderRun | None = None
    can_skip: bool = False
    can_unskip: bool = False

    @property
    def label(self):
        return _DAY_STATES[self.state]


_DAY_STATES = {
    "ordered": _l("Ordered"),
    "will_order": _l("Will be ordered"),
    "skipped": _l("Skipped"),
    "not_receiving": _l("Not a receiving day"),
    "paused": _l("Paused"),
    "no_lines": _l("No lines"),
}


def upcoming(standing: StandingOrder, today: date | None = None, days: int = SHOWN_DAYS) -> list[UpcomingDay]:
    """Its next `days` dates from tomorrow, each with what will happen (or happened) on it."""
    today = today or clock.today()
    first, last = today + timedelta(days=1), today + timedelta(days=days)
    runs = {
        run.delivery_date: run
        for run in db.session.scalars(
            select(StandingOrderRun).where(
                StandingOrderRun.standing_order_id == standing.id,
                StandingOrderRun.delivery_date.between(first, last),
            )
        )
    }
    skipped = {skip.on_date for skip in standing.skips}
    shown = []
    for n in range(days):
        day = first + timedelta(days=n)
        run = runs.get(day)
        if run is not None:
            shown.append(UpcomingDay(day, "ordered", run))
            continue
        in_dates = standing.start_date <= day and (standing.end_date is None or day <= standing.end_date)
        if not (in_dates and standing.on_weekday(day.weekday())):
            continue  # not one of its days at all: not listed
        if location_of(standing).hours_on(day.weekday()) is None:
            shown.append(UpcomingDay(day, "not_receiving"))
        elif day in skipped:
            shown.append(UpcomingDay(day, "skipped", can_unskip=True))
        elif standing.status == "paused":
            shown.append(UpcomingDay(day, "paused", can_skip=True))
        elif not lines_on(standing, day):
            shown.append(UpcomingDay(day, "no_lines"))
        else:
            shown.append(UpcomingDay(day, "will_order", can_skip=True))
    return shown


def past_runs(standing: StandingOrder, limit: int = 60) -> list[tuple[StandingOrderRun, Order | None]]:
    """Its runs, the latest delivery date first, with their orders."""
    runs = db.session.scalars(
        select(StandingOrderRun)
        .where(StandingOrderRun.standing_order_id == standing.id)
        .order_by(StandingOrderRun.delivery_date.desc())
        .limit(limit)
    ).all()
    orders = {
        order.id: order
        for order in db.session.scalars(select(Order).where(Order.id.in_([r.order_id for r in runs if r.order_id])))
    }
    return [(run, orders.get(run.order_id)) for run in runs]


@dataclass
class StandingPanel:
    """The dashboard's view of the standing orders a member sees."""

    active: int
    paused: int
    problems: list[tuple[StandingOrder, StandingOrderRun]]


def panel_summary(partner: Partner, user: User, today: date | None = None, days: int = 7) -> StandingPanel | None:
    """How many of the user's standing orders are active or paused, and the runs of the last
    `days` days and ahead that did not order everything (the latest first). None without any."""
    today = today or clock.today()
    groups = standing_orders_for(partner, user)
    standing_orders = {standing.id: standing for _location, rows in groups for standing in rows}
    if not standing_orders:
        return None
    runs = db.session.scalars(
        select(StandingOrderRun)
        .where(
            StandingOrderRun.standing_order_id.in_(standing_orders),
            StandingOrderRun.delivery_date >= today - timedelta(days=days),
            StandingOrderRun.outcome != "placed",
        )
        .order_by(StandingOrderRun.delivery_date.desc(), StandingOrderRun.id.desc())
        .limit(10)
    ).all()
    current = [s for s in standing_orders.values() if s.end_date is None or s.end_date >= today]
    return StandingPanel(
        active=sum(1 for s in current if s.status == "active"),
        paused=sum(1 for s in current if s.status == "paused"),
        problems=[(standing_orders[run.standing_order_id], run) for run in runs],
    )


# --- What a run did, in words -------------------------------------------------------------------

_OUTCOMES = {
    "placed": _l("Ordered"),
    "partial": _l("Ordered in part"),
    "nothing": _l("Nothing available"),
    "over_credit": _l("Over the credit limit"),
    "on_hold": _l("On hold: overdue invoices"),
    "failed": _l("Not ordered: an error"),
}

_REASONS = {
    "not_for_sale": _l("no longer for sale"),
    "out_of_stock": _l("out of stock"),
    "short": _l("only part in stock"),
    "rules": _l("the quantity rules changed"),
    "too_late": _l("past the producer's cut-off for that date"),
    "cannot_reach": _l("cannot reach this location fresh"),
}


def outcome_label(outcome: str) -> str:
    return str(_OUTCOMES.get(outcome, outcome))


@dataclass
class RunDetail:
    """A run's `detail`, read back: what could not be ordered, or why nothing was."""

    missing: list[dict] = field(default_factory=list)
    credit: dict | None = None
    error: str | None = None

    @classmethod
    def of(cls, run: StandingOrderRun) -> RunDetail:
        try:
            data = json.loads(run.detail or "{}")
        except ValueError:
            data = {}
        return cls(missing=data.get("missing", []), credit=data.get("credit"), error=data.get("error"))

    def reasons(self) -> list[str]:
        """Each missing line in words: "Xôi (XOI-1): 20 wanted, 5 ordered — only part in stock"."""
        return [
            str(
                _l(
                    "%(sku)s: %(wanted)s wanted, %(ordered)s ordered — %(reason)s",
                    sku=item["sku"],
                    wanted=item["wanted"],
                    ordered=item["ordered"],
                    reason=_REASONS.get(item["reason"], item["reason"]),
                )
            )
            for item in self.missing
        ]

    def credit_message(self) -> str | None:
        """Why nothing was ordered, for over_credit and on_hold runs."""
        if not self.credit:
            return None
        if self.credit.get("invoices"):
            invoices = ", ".join(self.credit["invoices"])
            return ngettext(
                "Invoice %(invoices)s is overdue. Pay it, or ask the shop to lift the hold, and the next "
                "dates will be ordered again.",
                "Invoices %(invoices)s are overdue. Pay them, or ask the shop to lift the hold, and the next "
                "dates will be ordered again.",
                len(self.credit["invoices"]),
                invoices=invoices,
            )
        return str(
            _l(
                "This order (%(amount)s) would have gone over your credit limit by %(over)s (limit %(limit)s, "
                "unpaid invoices %(in_use)s). Pay an open invoice and the next dates will be ordered again.",
                amount=format_vnd(self.credit["amount_vnd"]),
                over=format_vnd(self.credit["over_vnd"]),
                limit=format_vnd(self.credit["limit_vnd"]),
                in_use=format_vnd(self.credit["in_use_vnd"]),
            )
        )


# --- The run ------------------------------------------------------------------------------------


@dataclass
class RunSummary:
    """What one run did: how many (standing order, date) pairs ended how, and how many another
    run or process had done already (or were paused or skipped while the run went on)."""

    dates: tuple[date, date]
    outcomes: Counter = field(default_factory=Counter)
    done_elsewhere: int = 0

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())

    def line(self) -> str:
        counts = ", ".join(f"{outcome} {self.outcomes.get(outcome, 0)}" for outcome in _OUTCOMES)
        first, last = self.dates
        return (
            f"Standing orders for {first.isoformat()} to {last.isoformat()}: {self.total} dates run ({counts}); "
            f"{self.done_elsewhere} done by another run"
        )


def _active_standing_orders(first: date, last: date):
    return (
        select(StandingOrder)
        .join(Partner, Partner.id == StandingOrder.partner_id)
        .join(PartnerLocation, PartnerLocation.id == StandingOrder.location_id)
        .where(
            StandingOrder.status == "active",
            StandingOrder.start_date <= last,
            (StandingOrder.end_date.is_(None)) | (StandingOrder.end_date >= first),
            Partner.status == "active",
            Partner.payment_terms.in_(tuple(TERM_DAYS)),
            PartnerLocation.active.is_(True),
        )
    )


def due_runs(today: date, days_ahead: int, *, now: datetime | None = None) -> list[tuple[int, date]]:
    """(standing order id, delivery date) pairs the run should order `now`: dates from tomorrow
    to `today + days_ahead` — or further, up to the first date its producers can still deliver
    (goods from another province are on the road for days) — that are one of an active standing
    order's weekdays, within its dates, not skipped, a day its location receives, with lines on
    that date and no run yet; only for approved partners on account and open locations. Ordered
    by date, then standing order."""
    now = now or clock.now()
    horizon = current_app.config["PARTNER_ORDER_HORIZON_DAYS"]
    first = today + timedelta(days=1)
    # The furthest a producer's first possible date can be: cut-off passed and on the road.
    reach = today + timedelta(days=min(horizon, max(days_ahead, 2 + current_app.config["PARTNER_TRANSIT_DAYS"])))
    if days_ahead < 1:
        return []
    standing_orders = db.session.scalars(
        _active_standing_orders(first, reach).options(selectinload(StandingOrder.lines))
    ).all()
    if not standing_orders:
        return []
    locations = {
        location.id: location
        for location in db.session.scalars(
            select(PartnerLocation)
            .where(PartnerLocation.id.in_({standing.location_id for standing in standing_orders}))
            .options(selectinload(PartnerLocation.hours))
        )
    }
    variants = ordering.orderable_variants(line.variant_id for s in standing_orders for line in s.lines)
    keys = (StandingOrderSkip.standing_order_id, StandingOrderSkip.on_date)
    skipped = {tuple(row) for row in db.session.execute(select(*keys).where(keys[1].between(first, reach)))}
    keys = (StandingOrderRun.standing_order_id, StandingOrderRun.delivery_date)
    done = {tuple(row) for row in db.session.execute(select(*keys).where(keys[1].between(first, reach)))}
    due = []
    for standing in standing_orders:
        location = locations[standing.location_id]
        last = today + timedelta(days=days_ahead)
        for line in standing.lines:
            variant = variants.get(line.variant_id)
            if variant is not None:
                last = max(last, earliest_date(variant.product.producer, location, now))
        last = min(last, reach)
        day = first
        while day <= last:
            key = (standing.id, day)
            if key not in skipped and key not in done and is_delivery_date(standing, day) and lines_on(standing, day):
                due.append(key)
            day += timedelta(days=1)
    due.sort(key=lambda key: (key[1], key[0]))
    return due


def _still_due(standing: StandingOrder | None, day: date) -> bool:
    """Asked again once the date is claimed: the standing order may have been paused, skipped or
    ended since `due_runs` read it."""
    return (
        standing is not None
        and standing.status == "active"
        and takes_standing_orders(partner_of(standing))
        and location_of(standing).active
        and is_delivery_date(standing, day)
        and db.session.get(StandingOrderSkip, (standing.id, day)) is None
        and bool(lines_on(standing, day))
    )


def delivery_window(standing: StandingOrder, day: date) -> Window:
    """Its window on `day`, kept within the location's hours that day (they may have changed
    since it was set): the part of it they overlap, else the day's first slot."""
    hours = location_of(standing).hours_on(day.weekday())
    start = max(standing.window_start_minute, hours.opens_minute)
    end = min(standing.window_end_minute, hours.closes_minute)
    if start < end:
        return Window(start, end)
    return windows(location_of(standing), day)[0]


def _orderable_quantity(variant: Variant, wanted: int) -> int:
    """As much of `wanted` as the stock allows, lowered to the pack step and the maximum; 0 when
    that is below the minimum."""
    quantity = min(wanted, max(variant.available, 0))
    if variant.partner_max_qty:
        quantity = min(quantity, variant.partner_max_qty)
    quantity -= quantity % (variant.partner_step or 1)
    if variant.partner_min_qty and quantity < variant.partner_min_qty:
        return 0
    return quantity


def _plan(
    standing: StandingOrder, day: date, window: Window, now: datetime
) -> tuple[list[tuple[int, int]], list[dict]]:
    """What to order for `day` now: (variant id, quantity) pairs, and what is missing."""
    lines = lines_on(standing, day)
    variants = ordering.orderable_variants(line.variant_id for line in lines)
    location = location_of(standing)
    quantities, missing = [], []
    for line in lines:
        variant = variants.get(line.variant_id)
        reason, quantity = None, 0
        if variant is None:
            variant, reason = db.session.get(Variant, line.variant_id), "not_for_sale"
        elif reach_problem(variant.product, location) is not None:
            reason = "cannot_reach"
        elif day < earliest_date(variant.product.producer, location, now):
            reason = "too_late"
        else:
            quantity = _orderable_quantity(variant, line.quantity)
            if quantity < line.quantity:
                if quantity == 0 and variant.available < line.quantity:
                    reason = "out_of_stock"  # none, or less than the minimum or a pack
                elif variant.available < line.quantity:
                    reason = "short"
                else:
                    reason = "rules"
        if quantity:
            quantities.append((variant.id, quantity))
        if reason:
            missing.append(
                {
                    "sku": variant.sku if variant else str(line.variant_id),
                    "wanted": line.quantity,
                    "ordered": quantity,
                    "reason": reason,
                }
            )
    return quantities, missing


def _members(partner: Partner, roles: tuple[str, ...], location_id: int | None = None) -> list[User]:
    """Active users acting for the partner in `roles`; buyers limited to other locations than
    `location_id` are left out."""
    rows = db.session.execute(
        select(User, PartnerMember)
        .join(PartnerMember, PartnerMember.user_id == User.id)
        .where(PartnerMember.partner_id == partner.id, PartnerMember.role.in_(roles), User.active.is_(True))
        .order_by(User.id)
    ).all()
    users = []
    for user, member in rows:
        if location_id is not None and member.role == "buyer":
            allowed = _allowed_location_ids(member)
            if allowed is not None and location_id not in allowed:
                continue
        users.append(user)
    return users


def _mail_run(standing: StandingOrder, run: StandingOrderRun, order: Order | None, roles: tuple[str, ...]) -> None:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    template = "standing_refused" if run.outcome in ("over_credit", "on_hold") else "standing_shortfall"
    url = external_url("partners.standing_show", standing_order_id=standing.id)
    for user in _members(partner_of(standing), roles, standing.location_id):
        queue_mail(
            to=user.email,
            template=template,
            locale=user.locale or default,
            user=user,
            partner=partner_of(standing),
            standing=standing,
            location=location_of(standing),
            run=run,
            detail=RunDetail.of(run),
            order_number=order.number if order else None,
            order_total=order.total_vnd if order else None,
            standing_url=url,
        )


def _order_contact(standing: StandingOrder) -> tuple[int | None, str, str]:
    """Who the order is placed for (its user, mail address and language): the person who made
    the standing order while they still order for the partner, else its first owner."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    creator = db.session.get(User, standing.created_by_user_id) if standing.created_by_user_id else None
    if creator is not None and creator.active:
        member = db.session.get(PartnerMember, (creator.id, standing.partner_id))
        if member is not None and member.role in ORDERING_ROLES:
            return creator.id, creator.email, creator.locale or default
    owners = _members(partner_of(standing), ("owner",))
    if owners:
        return owners[0].id, owners[0].email, owners[0].locale or default
    return None, partner_of(standing).einvoice_email or "", default


def _credit_refusal(partner: Partner, amount_vnd: int, today: date) -> tuple[str, dict] | None:
    """(outcome, figures) when the partner may not order `amount_vnd` on account today, else
    None. The decision is credit.check_may_order's; the figures are for the page and the mail."""
    try:
        credit.check_may_order(partner, amount_vnd, today=today, on_terms=True)
    except ValidationError:
        summary = credit.credit_summary(partner, today)
        if summary.on_hold:
            numbers = [invoice.number for invoice in credit.overdue_invoices(partner.id, today)]
            return "on_hold", {"invoices": numbers}
        return "over_credit", {
            "amount_vnd": amount_vnd,
            "limit_vnd": summary.limit_vnd,
            "in_use_vnd": summary.in_use_vnd,
            "over_vnd": summary.in_use_vnd + amount_vnd - summary.limit_vnd,
        }
    return None


def _claim(standing_order_id: int, day: date) -> StandingOrderRun | None:
    """Insert the run's row for (standing order, date) as the first statement of a new
    transaction, or return None (transaction rolled back) when another run has it. On SQLite
    the insert takes the write lock before any read could pin a stale snapshot; on PostgreSQL a
    second insert of the same key waits for the first transaction, then fails on the unique
    key. (Not in a savepoint: on SQLite a SAVEPOINT that opens the transaction commits it when
    released, and the claim must stand or fall with the order.)"""
    run = StandingOrderRun(standing_order_id=standing_order_id, delivery_date=day, outcome="failed")
    db.session.add(run)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None
    return run


def _order_one(run: StandingOrderRun, standing: StandingOrder, now: datetime) -> Order | None:
    """Order what can be ordered for the run's date and set its outcome; mail the partner what
    went wrong. Writes in the caller's transaction."""
    day, partner, today = run.delivery_date, partner_of(standing), now.astimezone(clock.VN).date()
    window = delivery_window(standing, day)
    actor_id, email, locale = _order_contact(standing)
    for attempt in range(3):
        quantities, missing = _plan(standing, day, window, now)
        if not quantities:
            run.outcome, run.detail = "nothing", json.dumps({"missing": missing})
            _mail_run(standing, run, None, ("owner", "buyer"))
            return None
        request = ordering.PartnerOrderRequest(
            location=location_of(standing),
            quantities=quantities,
            delivery_date=day,
            window=window,
            po_number=standing.po_number,
            note=str(_l("Standing order: %(name)s", name=standing.name)),
        )
        try:
            order = ordering.place_partner_order(
                partner, request, actor_user_id=actor_id, email=email, locale=locale, now=now
            )
        except (ordering.OutOfStock, ValidationError):
            # A refusal writes nothing. Over the credit limit or on hold is an outcome of its
            # own (asked only now: most orders pass, and placing checks it anyway); otherwise
            # another order took the stock since the plan (PostgreSQL lets it): plan again, and
            # after the third try let the refusal say what is wrong.
            basket = ordering.price_lines(partner, quantities, day=today)
            refusal = _credit_refusal(partner, basket.subtotal_vnd, today)
            if refusal is not None:
                run.outcome, figures = refusal
                run.detail = json.dumps({"credit": figures, "missing": missing})
                _mail_run(standing, run, None, ("owner", "accountant"))
                return None
            if attempt == 2:
                raise
            db.session.expire_all()
            standing = db.session.get(StandingOrder, run.standing_order_id)
            continue
        run.order_id = order.id
        run.outcome = "partial" if missing else "placed"
        run.detail = json.dumps({"missing": missing}) if missing else None
        if missing:
            _mail_run(standing, run, order, ("owner", "buyer"))
        return order
    raise AssertionError("unreachable")


def run_one(standing_order_id: int, day: date, now: datetime) -> str | None:
    """Order one standing order for one date in its own transaction, committed here (the run
    is a command, one transaction per date). Returns the outcome, or None when another run did
    that date already or it is no longer due. An unexpected error is logged and recorded as
    "failed" when it can be."""
    run = _claim(standing_order_id, day)
    if run is None:
        return None
    try:
        standing = db.session.get(StandingOrder, standing_order_id)
        if not _still_due(standing, day):
            db.session.rollback()
            return None
        _order_one(run, standing, now)
        db.session.flush()
        outcome = run.outcome
        db.session.commit()
        return outcome
    except ValidationError as exc:
        # place_partner_order refused what the plan let through (a rule the plan does not know).
        db.session.rollback()
        return _record_failure(standing_order_id, day, str(exc.message))
    except Exception as exc:
        db.session.rollback()
        log.exception("Standing order %s for %s failed", standing_order_id, day)
        return _record_failure(standing_order_id, day, f"{type(exc).__name__}: {exc}"[:500])


def _record_failure(standing_order_id: int, day: date, error: str) -> str | None:
    db.session.add(
        StandingOrderRun(
            standing_order_id=standing_order_id,
            delivery_date=day,
            outcome="failed",
            detail=json.dumps({"error": error}),
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    except Exception:
        db.session.rollback()
        log.exception("Could not record the failure of standing order %s for %s", standing_order_id, day)
    return "failed"


def run_standing_orders(now: datetime | None = None, days_ahead: int | None = None) -> RunSummary:
    """Create the orders of every standing order for the delivery dates from tomorrow to
    `days_ahead` days ahead (STANDING_ORDER_DAYS_AHEAD), each (standing order, date) once
    however often, and in however many processes, it runs. Commits one transaction per
    standing order and date; one failing never undoes another. Returns the summary."""
    now = now or utcnow()
    if days_ahead is None:
        days_ahead = current_app.config["STANDING_ORDER_DAYS_AHEAD"]
    days_ahead = max(0, min(days_ahead, current_app.config["PARTNER_ORDER_HORIZON_DAYS"]))
    today = now.astimezone(clock.VN).date()
    summary = RunSummary(dates=(today + timedelta(days=1), today + timedelta(days=days_ahead)))
    due = due_runs(today, days_ahead, now=now)
    db.session.rollback()  # the reads above pin nothing while the dates are claimed
    for standing_order_id, day in due:
        outcome = run_one(standing_order_id, day, now)
        if outcome is None:
            summary.done_elsewhere += 1
        else:
            summary.outcomes[outcome] += 1
    return summary


__all__ = [
    "RunDetail",
    "RunSummary",
    "StandingOrderDetails",
    "change_lines_from",
    "create_standing_order",
    "due_runs",
    "end_standing_order",
    "pause_standing_order",
    "resume_standing_order",
    "run_standing_orders",
    "skip_date",
    "standing_order_of",
    "standing_orders_for",
    "unskip_date",
]
