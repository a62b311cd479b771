"""A standing order's calendar as its pages show it: the next dates with what will happen on
each, its past runs with their orders, the dashboard's panel, and what a run did in words."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from shop import clock
from shop.accounts.models import User
from shop.extensions import db
from shop.money import format_vnd
from shop.orders.models import Order
from shop.partners.models import Partner
from shop.wholesale.models import StandingOrder, StandingOrderRun
from shop.wholesale.standing.rules import SHOWN_DAYS, lines_on, standing_orders_for


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
        if standing.location.hours_on(day.weekday()) is None:
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
