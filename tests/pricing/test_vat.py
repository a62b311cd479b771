"""VAT as data: the rate of a product group (or subgroup) on a day, the VAT inside a
VAT-inclusive price rounded half up to a whole đồng, and sums per rate."""

from __future__ import annotations

from datetime import date

import pytest

from shop.pricing import by_rate, format_rate, split_gross, vat_in_gross, vat_rate_bp, vat_table
from tests.support.builders import make_product


@pytest.mark.parametrize(
    ("group", "subgroup", "day", "rate"),
    [
        ("thuc-pham", "che-bien-tu-gao", date(2026, 12, 31), 800),  # xôi: reduced rate, last day
        ("thuc-pham", "che-bien-tu-gao", date(2027, 1, 1), 1000),  # the full rate from New Year
        ("thuc-pham", None, date(2026, 11, 30), 800),
        ("do-uong", "tra", date(2027, 1, 1), 1000),
        ("thuc-pham", "nong-san-tuoi", date(2026, 12, 31), 500),  # fresh produce: 5% throughout
        ("thuc-pham", "nong-san-tuoi", date(2027, 1, 1), 500),
        ("duoc-lieu", "duoc-lieu-tho", date(2027, 1, 1), 500),  # raw herbs
        ("duoc-lieu", "san-pham-tu-duoc-lieu", date(2027, 1, 1), 1000),
        ("sinh-vat-canh", "hoa", date(2027, 1, 1), 500),  # Nhật Tân peach blossoms
    ],
)
def test_the_rate_follows_the_group_subgroup_and_date(app, group, subgroup, day, rate):
    assert vat_table(day).rate_bp(group, subgroup) == rate


def test_a_products_rate_is_read_from_its_group(app):
    xoi = make_product("Xôi Phú Thượng", subgroup_code="che-bien-tu-gao")
    assert vat_rate_bp(xoi, date(2026, 12, 31)) == 800
    assert vat_rate_bp(xoi, date(2027, 1, 1)) == 1000


def test_a_day_before_any_rate_has_none(app):
    with pytest.raises(LookupError):
        vat_table(date(2020, 1, 1)).rate_bp("thuc-pham")


def test_the_vat_inside_a_gross_price():
    assert vat_in_gross(108_000, 800) == 8_000
    assert vat_in_gross(110_000, 1000) == 10_000
    assert vat_in_gross(105_000, 500) == 5_000
    # 100.000 ₫ at 8%: 7 407,407… → 7 407; at 10%: 9 090,909… → 9 091
    assert vat_in_gross(100_000, 800) == 7_407
    assert vat_in_gross(100_000, 1000) == 9_091


@pytest.mark.parametrize(("gross", "vat"), [(3, 1), (9, 2), (15, 3), (21, 4)])
def test_an_exact_half_dong_rounds_up(gross, vat):
    # At 20% the VAT inside a gross amount is gross / 6: 0.5, 1.5, 2.5, 3.5 đồng. (At 5, 8 and 10%
    # the divisor is 21, 27 or 11 and an exact half cannot happen.)
    assert vat_in_gross(gross, 2000) == vat


def test_nearly_half_rounds_to_the_nearest():
    assert vat_in_gross(20, 800) == 1  # 1.48
    assert vat_in_gross(21, 800) == 2  # 1.56


def test_net_and_vat_add_up_to_gross():
    split = split_gross(100_000, 800)
    assert (split.gross_vnd, split.vat_vnd, split.net_vnd) == (100_000, 7_407, 92_593)
    assert split.net_vnd + split.vat_vnd == split.gross_vnd


def test_lines_are_summed_per_rate_each_line_rounded():
    lines = [(100_000, 800), (50_000, 800), (105_000, 500), (10, 800)]
    splits = by_rate(lines)
    assert [s.rate_bp for s in splits] == [500, 800]
    five, eight = splits
    assert (five.gross_vnd, five.vat_vnd, five.net_vnd) == (105_000, 5_000, 100_000)
    # 7 407 + 3 704 (3 703,7) + 1 (0,74): each line's VAT rounded on its own, as the invoice shows it
    assert (eight.gross_vnd, eight.vat_vnd) == (150_010, 7_407 + 3_704 + 1)


def test_no_lines_no_rates():
    assert by_rate([]) == []


@pytest.mark.parametrize(("bp", "shown"), [(800, "8%"), (1000, "10%"), (500, "5%"), (525, "5.25%"), (550, "5.5%")])
def test_rates_are_shown_as_percentages(bp, shown):
    assert format_rate(bp) == shown
