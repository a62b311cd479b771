"""What a standing order is and who may see it: the partner's standing orders a member orders
for, the dates it delivers on, the lines in force on a date, its weekdays and window in words."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop import clock
from shop.accounts.models import PartnerMember, User
from shop.catalog.models import Variant
from shop.errors import Forbidden, NotFound
from shop.extensions import db
from shop.partners.members import ORDERING_ROLES, allowed_location_ids, may_order_for
from shop.partners.models import WEEKDAY_NAMES, Partner, PartnerLocation
from shop.wholesale.delivery import Window, windows
from shop.wholesale.models import StandingOrder, StandingOrderLine, StandingOrderRun

MAX_LINES = 50
NAME_MAX = 120
# The standing order's page shows this many days ahead.
SHOWN_DAYS = 14


def _membership(partner: Partner, user: User | None) -> PartnerMember | None:
    """The user's membership (an owner's or a buyer's). None for no user: a program acting for
    the whole partner (an API key for ordering), which its caller has let act."""
    if user is None:
        return None
    member = db.session.get(PartnerMember, (user.id, partner.id))
    if member is None or member.role not in ORDERING_ROLES:
        raise Forbidden(_l("Only owners and buyers manage standing orders."))
    return member


def location_for(partner: Partner, user: User | None, location_id) -> PartnerLocation:
    """A location of `partner` the user (None: the whole partner) may order for (open or closed:
    the caller says which it wants); NotFound otherwise (a buyer limited to other branches learns
    nothing about this one)."""
    member = _membership(partner, user)
    location = db.session.get(PartnerLocation, location_id) if isinstance(location_id, int) else None
    if location is None or location.partner_id != partner.id or not _may_order_for(member, location.id):
        raise NotFound()
    return location


def _may_order_for(member: PartnerMember | None, location_id: int) -> bool:
    return member is None or may_order_for(member, location_id)


def standing_order_of(partner: Partner, user: User | None, standing_order_id) -> StandingOrder:
    """The partner's standing order the user may see (an owner or a buyer of its location; None:
    the whole partner). Raises NotFound for another partner's or another branch's, Forbidden for
    an accountant."""
    member = _membership(partner, user)
    standing = db.session.get(StandingOrder, standing_order_id) if isinstance(standing_order_id, int) else None
    if standing is None or standing.partner_id != partner.id or not _may_order_for(member, standing.location_id):
        raise NotFound()
    return standing


def standing_orders_for(partner: Partner, user: User) -> list[tuple[PartnerLocation, list[StandingOrder]]]:
    """The standing orders the user may see, per location (the locations they order for, open
    ones and closed ones that still have standing orders), by name."""
    member = _membership(partner, user)
    allowed = allowed_location_ids(member)
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


def takes_standing_orders(partner: Partner) -> bool:
    """Whether the run orders for this partner now: approved and buying on account."""
    return partner.status == "active" and partner.on_terms


def _tomorrow(today: date | None = None) -> date:
    return (today or clock.today()) + timedelta(days=1)


def weekday_list(mask: int) -> list[int]:
    return [day for day in range(7) if mask & (1 << day)]


def day_names(days) -> str:
    """Weekdays (Monday = 0) in words, in the current language ("Monday, Wednesday")."""
    return ", ".join(str(WEEKDAY_NAMES[day]) for day in days)


def weekday_names(mask: int) -> str:
    """The weekdays of a mask in words, in the current language ("Monday, Wednesday")."""
    return day_names(weekday_list(mask))


def window_of(standing: StandingOrder) -> Window:
    """The delivery window it was set up with (see plan.delivery_window for a given day's)."""
    return Window(standing.window_start_minute, standing.window_end_minute)


def window_label(standing: StandingOrder) -> str:
    return window_of(standing).label


def location_windows(location: PartnerLocation) -> list[Window]:
    """The delivery windows a standing order for `location` may choose: two-hour slots of its
    receiving hours on any of its days, earliest first."""
    slots: set[Window] = set()
    monday = date(2026, 1, 5)  # any Monday: only the weekday matters
    for day in range(7):
        slots.update(windows(location, monday + timedelta(days=day)))
    return sorted(slots, key=lambda w: (w.start_minute, w.end_minute))


def last_run_date(standing: StandingOrder) -> date | None:
    return db.session.scalar(
        select(db.func.max(StandingOrderRun.delivery_date)).where(StandingOrderRun.standing_order_id == standing.id)
    )


def earliest_last_date(standing: StandingOrder, today: date | None = None) -> date:
    """The earliest date it may end on: today, or the last date whose order is already made."""
    today = today or clock.today()
    last_run = last_run_date(standing)
    return max(today, last_run) if last_run is not None else today


def is_delivery_date(standing: StandingOrder, day: date) -> bool:
    """One of its weekdays, within its dates, and a day its location receives."""
    return (
        standing.on_weekday(day.weekday())
        and standing.start_date <= day
        and (standing.end_date is None or day <= standing.end_date)
        and standing.location.hours_on(day.weekday()) is not None
    )


def first_changeable_date(standing: StandingOrder, today: date | None = None) -> date:
    """The first date from which lines may change: tomorrow, or the day after the last date
    whose order is already made, and not before the standing order starts."""
    first = _tomorrow(today)
    last_run = last_run_date(standing)
    if last_run is not None:
        first = max(first, last_run + timedelta(days=1))
    return max(first, standing.start_date)


def lines_on(standing: StandingOrder, day: date) -> list[StandingOrderLine]:
    return [line for line in standing.lines if line.valid_on(day)]


def variants_of(standing: StandingOrder) -> dict[int, Variant]:
    """{variant id: variant} of all its lines, past and future (for their SKUs and names)."""
    ids = {line.variant_id for line in standing.lines}
    return {v.id: v for v in db.session.scalars(select(Variant).where(Variant.id.in_(ids)))} if ids else {}


def lines_to_change(
    standing: StandingOrder, first: date, variants: dict[int, Variant] | None = None
) -> list[tuple[str, int]]:
    """The (SKU, quantity) pairs a change of lines from `first` starts with: the lines in force
    that day, else those it started with. `variants`: its variants_of, if read already."""
    variants = variants if variants is not None else variants_of(standing)
    current = lines_on(standing, first) or lines_on(standing, standing.start_date)
    return [(variants[line.variant_id].sku, line.quantity) for line in current]
