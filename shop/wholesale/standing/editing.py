"""Changing a standing order (owners and buyers of its location): create it, pause and resume
it, skip a date or deliver on it again, change its lines from a date, end it. Every change is
written to the audit log; services flush, never commit."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop import audit, clock
from shop.accounts.models import User
from shop.errors import ConflictError, ValidationError
from shop.extensions import db
from shop.partners.models import Partner
from shop.wholesale import ordering
from shop.wholesale.models import StandingOrder, StandingOrderLine, StandingOrderRun, StandingOrderSkip
from shop.wholesale.standing.checks import (
    StandingOrderDetails,
    check_dates,
    check_lines,
    check_weekdays,
    check_window,
    clean_name,
)
from shop.wholesale.standing.rules import (
    earliest_last_date,
    first_changeable_date,
    is_delivery_date,
    last_run_date,
    location_for,
    standing_order_of,
    window_label,
)


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


def _audit(standing: StandingOrder, action: str, user: User | None, *, before=None, after=None, note=None) -> None:
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
    partner: Partner, user: User | None, location_id: int, details: StandingOrderDetails, *, via: str | None = None
) -> StandingOrder:
    """A standing order for a location the user (owner or buyer) orders for: lines by SKU that
    keep the partner quantity rules and can reach the location, weekdays the location receives,
    a window within its hours on each of them, a first date after today and an optional last
    one. Raises NotFound (location), Forbidden (role), ValidationError (field named) — also when
    the partner pays when ordering (standing orders are for partners on account).

    Every change below takes the `user` who makes it, or None for a program acting for the whole
    partner (an API key the caller has let act), which `via` names in the audit log."""
    location = location_for(partner, user, location_id)
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
    name = clean_name(details.name)
    lines = check_lines(location, details.lines)
    mask = check_weekdays(location, details.weekdays)
    window = check_window(location, mask, details.window)
    check_dates(details.start_date, details.end_date, today=clock.today())
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
        created_by_user_id=user.id if user is not None else None,
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
        note=via,
    )
    return standing


def _run_on(standing: StandingOrder, day: date) -> StandingOrderRun | None:
    return db.session.scalar(
        select(StandingOrderRun).where(
            StandingOrderRun.standing_order_id == standing.id, StandingOrderRun.delivery_date == day
        )
    )


def pause_standing_order(
    partner: Partner, user: User | None, standing_order_id: int, *, via: str | None = None
) -> StandingOrder:
    """Stop ordering until resumed (orders already placed stay). Raises ConflictError if paused."""
    standing = standing_order_of(partner, user, standing_order_id)
    if standing.status == "paused":
        raise ConflictError(_l("This standing order is paused already."))
    standing.status = "paused"
    db.session.flush()
    _audit(standing, "pause", user, before={"status": "active"}, after={"status": "paused"}, note=via)
    return standing


def resume_standing_order(
    partner: Partner, user: User | None, standing_order_id: int, *, via: str | None = None
) -> StandingOrder:
    """Order again from the next run on. Raises ConflictError if not paused, ValidationError if
    its location is closed."""
    standing = standing_order_of(partner, user, standing_order_id)
    if standing.status == "active":
        raise ConflictError(_l("This standing order is not paused."))
    if not standing.location.active:
        raise ValidationError(_l("%(place)s is closed: no new order can name it.", place=standing.location.name))
    standing.status = "active"
    db.session.flush()
    _audit(standing, "resume", user, before={"status": "paused"}, after={"status": "active"}, note=via)
    return standing


def _check_future_date(day: date | None) -> date:
    if day is None:
        raise ValidationError(_l("Choose a date."), field="day")
    if day <= clock.today():
        raise ValidationError(_l("Choose a date after today."), field="day")
    return day


def skip_date(
    partner: Partner, user: User | None, standing_order_id: int, day: date | None, *, via: str | None = None
) -> StandingOrder:
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
    _audit(standing, "skip", user, after={"skipped": day}, note=via)
    return standing


def unskip_date(
    partner: Partner, user: User | None, standing_order_id: int, day: date | None, *, via: str | None = None
) -> StandingOrder:
    """Deliver on a date skipped before, if it is still after today. Raises ValidationError for a
    date not after today, ConflictError when that date is not skipped."""
    standing = standing_order_of(partner, user, standing_order_id)
    day = _check_future_date(day)
    skip = db.session.get(StandingOrderSkip, (standing.id, day))
    if skip is None:
        raise ConflictError(_l("%(date)s is not skipped.", date=format_date(day, "full")))
    db.session.delete(skip)
    db.session.flush()
    _audit(standing, "unskip", user, before={"skipped": day}, note=via)
    return standing


def change_lines_from(
    partner: Partner,
    user: User | None,
    standing_order_id: int,
    from_date: date | None,
    lines,
    *,
    via: str | None = None,
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
    checked = check_lines(standing.location, lines)
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
        note=via,
    )
    return standing


def end_standing_order(
    partner: Partner, user: User | None, standing_order_id: int, last_date: date | None, *, via: str | None = None
) -> StandingOrder | None:
    """Deliver for the last time on `last_date` (not before today, nor before a date whose order
    is already made). A standing order that would end before it starts, with no order made, is
    removed (returns None). Raises ValidationError (field "last_date")."""
    standing = standing_order_of(partner, user, standing_order_id)
    if last_date is None:
        raise ValidationError(_l("Choose the last delivery date."), field="last_date")
    first = earliest_last_date(standing)
    last_run = last_run_date(standing)
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
        _audit(standing, "remove", user, before=before, note=via)
        db.session.delete(standing)
        db.session.flush()
        return None
    standing.end_date = max(last_date, standing.start_date)
    db.session.flush()
    _audit(standing, "end", user, before=before, after=_snapshot(standing), note=via)
    return standing
