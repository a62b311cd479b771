"""What the review of a partner's order offers before "Place order": its lines priced today,
the delivery dates its products can reach the chosen location, the windows of the chosen date,
the ways to pay, and on account the credit left and the day the invoice will be due."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from shop.invoicing.credit import CreditSummary, credit_summary
from shop.invoicing.services import due_on_for
from shop.partners.models import TERM_DAYS, Partner, PartnerLocation
from shop.wholesale.delivery import Window, delivery_dates, windows
from shop.wholesale.ordering import Basket, payment_options, price_lines


@dataclass
class Review:
    basket: Basket
    dates: list[date]
    chosen_date: date | None
    slots: list[Window]
    options: list
    credit: CreditSummary | None
    due_on: date | None
    term_days: int | None


def review_order(
    partner: Partner,
    quantities: Iterable[tuple[int, int]],
    location: PartnerLocation | None,
    chosen_date: date | None,
    *,
    now: datetime,
    today: date,
) -> Review:
    """The review of an order of `quantities` (variant id, units) for `location`: the date
    chosen if the products can be delivered then, else the first one they can (None without a
    location or any date), and that date's windows. Reads only."""
    basket = price_lines(partner, quantities, day=today)
    dates = delivery_dates(basket.products, location, now) if location else []
    if chosen_date not in dates:
        chosen_date = dates[0] if dates else None
    on_terms = partner.on_terms
    return Review(
        basket=basket,
        dates=dates,
        chosen_date=chosen_date,
        slots=windows(location, chosen_date) if location and chosen_date else [],
        options=payment_options(partner, basket.subtotal_vnd),
        credit=credit_summary(partner, today) if on_terms else None,
        due_on=due_on_for(partner.payment_terms, chosen_date, today) if on_terms and chosen_date else None,
        term_days=TERM_DAYS.get(partner.payment_terms),
    )
