"""Partners' quantity rules (Shopify's): a minimum, a maximum and a pack step, the minimum and
maximum multiples of the step; a volume break must start at a quantity the rules allow."""

from __future__ import annotations

import pytest

from shop.errors import ValidationError
from shop.pricing import check_break, check_quantity, check_rules, quantity_problem, rules_text


@pytest.fixture
def ruled(pack):
    pack.partner_min_qty, pack.partner_max_qty, pack.partner_step = 12, 120, 6
    return pack


def test_a_quantity_within_the_rules_is_fine(ruled):
    for quantity in (12, 18, 60, 120):
        assert quantity_problem(ruled, quantity) is None


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (0, "Enter a quantity of at least 1."),
        (6, "The minimum for partners is 12."),
        (126, "The maximum for partners is 120."),
        (20, "Order in steps of 6: 18 or 24."),
    ],
)
def test_a_quantity_outside_the_rules_says_why(ruled, quantity, message):
    assert str(quantity_problem(ruled, quantity)) == message
    with pytest.raises(ValidationError) as refused:
        check_quantity(ruled, quantity)
    assert refused.value.field == "quantity"


def test_off_step_below_one_step_suggests_the_next(pack):
    pack.partner_step = 6
    assert str(quantity_problem(pack, 4)) == "Order in steps of 6, e.g. 6."


def test_no_rules_allow_any_quantity(pack):
    assert quantity_problem(pack, 1) is None
    assert quantity_problem(pack, 997) is None
    assert rules_text(pack) == ""


def test_the_rules_in_words(ruled):
    assert rules_text(ruled) == "min. 12, max. 120, in steps of 6"


@pytest.mark.parametrize(
    ("min_qty", "max_qty", "step", "field"),
    [
        (None, None, 0, "partner_step"),
        (10, None, 6, "partner_min_qty"),
        (None, 100, 6, "partner_max_qty"),
        (12, 6, 6, "partner_max_qty"),
        (0, None, 1, "partner_min_qty"),
    ],
)
def test_rules_that_do_not_fit_together_are_refused(min_qty, max_qty, step, field):
    with pytest.raises(ValidationError) as refused:
        check_rules(min_qty, max_qty, step)
    assert refused.value.field == field


def test_rules_that_fit_together_pass():
    check_rules(12, 120, 6)
    check_rules(None, None, 1)
    check_rules(6, 6, 6)


def test_a_break_must_start_at_a_quantity_partners_may_order(ruled):
    with pytest.raises(ValidationError) as refused:
        check_break(ruled, 20, 90_000)
    assert refused.value.field == "min_qty"
    assert "Order in steps of 6: 18 or 24." in str(refused.value.message)
    with pytest.raises(ValidationError):
        check_break(ruled, 126, 90_000)
    check_break(ruled, 24, 90_000)


def test_a_break_must_be_below_retail_and_above_nothing(pack):
    with pytest.raises(ValidationError) as refused:
        check_break(pack, 10, 100_000)
    assert str(refused.value.message) == "A volume price must be below the retail price."
    with pytest.raises(ValidationError):
        check_break(pack, 10, 0)
    with pytest.raises(ValidationError):
        check_break(pack, 1, 90_000)
