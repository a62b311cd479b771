"""Money is integer Vietnamese đồng; this module formats it."""

from __future__ import annotations


def format_vnd(amount_vnd: int) -> str:
    """Format an amount of đồng as `125.000 ₫` (dot thousands, no decimals), in every language.

    Raises TypeError for anything but an int, so a float can never reach a price on screen.
    """
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int):
        raise TypeError(f"VND amounts are integers, not {type(amount_vnd).__name__}")
    sign = "-" if amount_vnd < 0 else ""
    digits = f"{abs(amount_vnd):,}".replace(",", ".")
    return f"{sign}{digits} ₫"


BP = 10_000  # basis points in a whole: 1250 bp = 12.5 %


def divide_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up to a whole number (both ≥ 0, denominator > 0):
    the one rounding rule for shares of an amount (commission, VAT)."""
    return (2 * numerator + denominator) // (2 * denominator)


def share_vnd(amount_vnd: int, bp: int) -> int:
    """`bp` basis points of `amount_vnd`, rounded half up to a whole đồng."""
    return divide_half_up(amount_vnd * bp, BP)
