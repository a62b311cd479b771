"""What the run orders for one standing order and date: the window kept within the location's
hours that day, each line's quantity as the stock and the partner rules allow (and why a line
falls short), and whether the credit limit or an overdue hold refuses the order."""

from __future__ import annotations

from datetime import date, datetime

from shop.catalog.models import Variant
from shop.errors import ValidationError
from shop.extensions import db
from shop.invoicing import credit
from shop.partners.models import Partner
from shop.wholesale import ordering
from shop.wholesale.delivery import Window, earliest_date, reach_problem, windows
from shop.wholesale.models import StandingOrder
from shop.wholesale.standing.rules import lines_on


def delivery_window(standing: StandingOrder, day: date) -> Window:
    """Its window on `day`, kept within the location's hours that day (they may have changed
    since it was set): the part of it they overlap, else the day's first slot."""
    hours = standing.location.hours_on(day.weekday())
    start = max(standing.window_start_minute, hours.opens_minute)
    end = min(standing.window_end_minute, hours.closes_minute)
    if start < end:
        return Window(start, end)
    return windows(standing.location, day)[0]


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


def plan_order(
    standing: StandingOrder, day: date, window: Window, now: datetime
) -> tuple[list[tuple[int, int]], list[dict]]:
    """What to order for `day` now: (variant id, quantity) pairs, and what is missing."""
    lines = lines_on(standing, day)
    variants = ordering.orderable_variants(line.variant_id for line in lines)
    location = standing.location
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


def credit_refusal(partner: Partner, amount_vnd: int, today: date) -> tuple[str, dict] | None:
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
