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

The package, by job: `rules` (what a standing order is, who may see it, its dates and lines),
`checks` (what makes one valid), `editing` (create, pause, resume, skip, change lines, end),
`calendar` (the next dates, past runs, the dashboard panel, outcomes in words), `plan` (what to
order for a date) and `run` (what is due, the claim, placing, the mail).
"""

from shop.wholesale.standing.calendar import (
    RunDetail,
    StandingPanel,
    UpcomingDay,
    outcome_label,
    panel_summary,
    past_runs,
    upcoming,
)
from shop.wholesale.standing.checks import StandingOrderDetails
from shop.wholesale.standing.editing import (
    change_lines_from,
    create_standing_order,
    end_standing_order,
    pause_standing_order,
    resume_standing_order,
    skip_date,
    unskip_date,
)
from shop.wholesale.standing.plan import delivery_window
from shop.wholesale.standing.rules import (
    MAX_LINES,
    NAME_MAX,
    SHOWN_DAYS,
    first_changeable_date,
    is_delivery_date,
    lines_on,
    lines_to_change,
    location_windows,
    standing_order_of,
    standing_orders_for,
    takes_standing_orders,
    variants_of,
    weekday_names,
    window_label,
    window_of,
)
from shop.wholesale.standing.run import RunSummary, due_runs, run_one, run_standing_orders

__all__ = [
    "MAX_LINES",
    "NAME_MAX",
    "SHOWN_DAYS",
    "RunDetail",
    "RunSummary",
    "StandingOrderDetails",
    "StandingPanel",
    "UpcomingDay",
    "change_lines_from",
    "create_standing_order",
    "delivery_window",
    "due_runs",
    "end_standing_order",
    "first_changeable_date",
    "is_delivery_date",
    "lines_on",
    "lines_to_change",
    "location_windows",
    "outcome_label",
    "panel_summary",
    "past_runs",
    "pause_standing_order",
    "resume_standing_order",
    "run_one",
    "run_standing_orders",
    "skip_date",
    "standing_order_of",
    "standing_orders_for",
    "takes_standing_orders",
    "unskip_date",
    "upcoming",
    "weekday_names",
    "window_label",
    "window_of",
    "variants_of",
]
