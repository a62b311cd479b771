"""What an approved partner pays: the best volume break its quantity reaches, a negotiated price
on the days it is valid, and retail for anyone else."""

from __future__ import annotations

from datetime import date

import pytest

from shop.pricing import BREAK, NEGOTIATED, RETAIL, partner_unit_price, price_book, unit_price_vnd
from tests.pricing.conftest import a_partner, negotiated, with_breaks

DAY = date(2026, 11, 30)


def test_a_shopper_pays_the_retail_price(pack):
    assert unit_price_vnd(pack) == 100_000
    quote = partner_unit_price(None, pack, 50, DAY)
    assert (quote.unit_price_vnd, quote.source) == (100_000, RETAIL)


@pytest.mark.parametrize(
    ("quantity", "price", "source", "from_qty"),
    [
        (1, 100_000, RETAIL, None),
        (9, 100_000, RETAIL, None),
        (10, 90_000, BREAK, 10),
        (49, 90_000, BREAK, 10),
        (50, 80_000, BREAK, 50),
        (500, 80_000, BREAK, 50),
    ],
)
def test_the_break_a_quantity_reaches_sets_the_unit_price(pack, partner, quantity, price, source, from_qty):
    with_breaks(pack, (10, 90_000), (50, 80_000))
    quote = partner_unit_price(partner, pack, quantity, DAY)
    assert (quote.unit_price_vnd, quote.source, quote.break_min_qty) == (price, source, from_qty)
    assert quote.total_vnd == price * quantity
    assert quote.saving_vnd == (100_000 - price) * quantity


def test_a_break_not_below_retail_is_ignored(pack, partner):
    # The producer lowered retail to 85.000 ₫ after setting breaks at 90.000 and 80.000.
    with_breaks(pack, (10, 90_000), (50, 80_000))
    pack.price_vnd = 85_000
    book = price_book(partner, [pack.id], DAY)
    assert book.price(pack, 20).source == RETAIL
    assert book.price(pack, 20).unit_price_vnd == 85_000
    assert book.price(pack, 50).unit_price_vnd == 80_000
    assert book.tiers(pack) == [(1, 85_000), (50, 80_000)]


def test_a_break_equal_to_retail_is_ignored(pack, partner):
    with_breaks(pack, (10, 100_000))
    assert partner_unit_price(partner, pack, 10, DAY).source == RETAIL


def test_the_ladder_lists_retail_then_the_breaks(pack, partner):
    with_breaks(pack, (10, 90_000), (50, 80_000))
    assert price_book(partner, [pack.id], DAY).tiers(pack) == [(1, 100_000), (10, 90_000), (50, 80_000)]


@pytest.mark.parametrize(
    ("day", "source", "price"),
    [
        (date(2026, 11, 30), RETAIL, 100_000),  # the day before
        (date(2026, 12, 1), NEGOTIATED, 70_000),  # first day, included
        (date(2026, 12, 15), NEGOTIATED, 70_000),
        (date(2026, 12, 31), NEGOTIATED, 70_000),  # last day, included
        (date(2027, 1, 1), BREAK, 90_000),  # the day after: the breaks again
    ],
)
def test_a_negotiated_price_overrides_the_breaks_only_within_its_dates(pack, partner, day, source, price):
    with_breaks(pack, (10, 90_000))
    negotiated(partner, pack, 70_000, date(2026, 12, 1), date(2026, 12, 31))
    quote = partner_unit_price(partner, pack, 10 if source != RETAIL else 1, day)
    assert (quote.source, quote.unit_price_vnd) == (source, price)


def test_an_open_ended_negotiated_price_has_no_last_day(pack, partner):
    negotiated(partner, pack, 70_000, date(2026, 12, 1))
    assert partner_unit_price(partner, pack, 1, date(2030, 1, 1)).unit_price_vnd == 70_000


def test_a_negotiated_price_is_for_its_partner_alone(pack, partner):
    negotiated(partner, pack, 70_000, DAY)
    other = a_partner()
    assert partner_unit_price(other, pack, 1, DAY).source == RETAIL


@pytest.mark.parametrize("status", ["pending", "suspended", "rejected"])
def test_a_partner_not_approved_pays_retail(pack, status):
    partner = a_partner(status=status)
    with_breaks(pack, (10, 90_000))
    negotiated(partner, pack, 70_000, DAY)
    book = price_book(partner, [pack.id], DAY)
    assert book.price(pack, 100).source == RETAIL
    assert book.price(pack, 100).unit_price_vnd == 100_000
    assert book.tiers(pack) == [(1, 100_000)]


def test_one_book_prices_many_packs_in_two_statements(app, partner, xoi, pack):
    from sqlalchemy import event

    from shop.extensions import db
    from tests.support.builders import make_product

    other = make_product("Chè Sen Quảng An", price=450_000).variants[0]
    with_breaks(pack, (10, 90_000))
    with_breaks(other, (5, 400_000))
    ids, _status = [pack.id, other.id], partner.status  # loaded before counting
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        book = price_book(partner, ids, DAY)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 2
    assert book.price(pack, 10).unit_price_vnd == 90_000
    assert book.price(other, 5).unit_price_vnd == 400_000
