"""Cart rules. Carts arrive with the checkout issue; until then every cart is empty."""

from __future__ import annotations


def item_count_for(user_id: int | None, session_key: str | None) -> int:
    """Number of items in the visitor's cart, shown in the header."""
    return 0
