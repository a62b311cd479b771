"""The run (`flask shop run-standing-orders`): which (standing order, date) pairs are due, the
claim that makes each ordered once however many runs or processes there are, placing the order
of what the plan allows, and the mail to the partner about what went wrong."""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shop import clock
from shop.accounts.models import PartnerMember, User
from shop.errors import ValidationError
from shop.extensions import db
from shop.mail.services import queue_mail
from shop.models_base import utcnow
from shop.orders.models import Order
from shop.partners.members import ORDERING_ROLES, may_order_for
from shop.partners.models import TERM_DAYS, Partner, PartnerLocation
from shop.urls import external_url
from shop.wholesale import ordering
from shop.wholesale.delivery import earliest_date
from shop.wholesale.models import RUN_OUTCOMES, StandingOrder, StandingOrderRun, StandingOrderSkip
from shop.wholesale.standing.calendar import RunDetail
from shop.wholesale.standing.plan import credit_refusal, delivery_window, plan_order
from shop.wholesale.standing.rules import (
    is_delivery_date,
    lines_on,
    takes_standing_orders,
)

log = logging.getLogger(__name__)


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
        counts = ", ".join(f"{outcome} {self.outcomes.get(outcome, 0)}" for outcome in RUN_OUTCOMES)
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
        and takes_standing_orders(standing.partner)
        and standing.location.active
        and is_delivery_date(standing, day)
        and db.session.get(StandingOrderSkip, (standing.id, day)) is None
        and bool(lines_on(standing, day))
    )


def _members(partner: Partner, roles: tuple[str, ...], location_id: int | None = None) -> list[User]:
    """Active users acting for the partner in `roles`; buyers limited to other locations than
    `location_id` are left out."""
    rows = db.session.execute(
        select(User, PartnerMember)
        .join(PartnerMember, PartnerMember.user_id == User.id)
        .where(PartnerMember.partner_id == partner.id, PartnerMember.role.in_(roles), User.active.is_(True))
        .order_by(User.id)
    ).all()
    return [
        user
        for user, member in rows
        if location_id is None or member.role != "buyer" or may_order_for(member, location_id)
    ]


def _mail_run(standing: StandingOrder, run: StandingOrderRun, order: Order | None, roles: tuple[str, ...]) -> None:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    template = "standing_refused" if run.outcome in ("over_credit", "on_hold") else "standing_shortfall"
    url = external_url("partners.standing_show", standing_order_id=standing.id)
    for user in _members(standing.partner, roles, standing.location_id):
        queue_mail(
            to=user.email,
            template=template,
            locale=user.locale or default,
            user=user,
            partner=standing.partner,
            standing=standing,
            location=standing.location,
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
    owners = _members(standing.partner, ("owner",))
    if owners:
        return owners[0].id, owners[0].email, owners[0].locale or default
    return None, standing.partner.einvoice_email or "", default


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
    day, partner, today = run.delivery_date, standing.partner, now.astimezone(clock.VN).date()
    window = delivery_window(standing, day)
    actor_id, email, locale = _order_contact(standing)
    for attempt in range(3):
        quantities, missing = plan_order(standing, day, window, now)
        if not quantities:
            run.outcome, run.detail = "nothing", json.dumps({"missing": missing})
            _mail_run(standing, run, None, ("owner", "buyer"))
            return None
        request = ordering.PartnerOrderRequest(
            location=standing.location,
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
            refusal = credit_refusal(partner, basket.subtotal_vnd, today)
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
