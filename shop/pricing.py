"""The one place that decides what a shopper pays for a variant. Templates and views never
compute prices; cart and checkout ask here, every time, on the server."""

from __future__ import annotations

from shop.catalog.models import Variant


def unit_price_vnd(variant: Variant) -> int:
    """Retail price in đồng. (Partner volume tiers will be decided here too.)"""
    return variant.price_vnd


def line_total_vnd(unit_price: int, quantity: int) -> int:
    return unit_price * quantity
