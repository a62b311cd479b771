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
