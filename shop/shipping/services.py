"""Shipping: the zone a province belongs to, the price by weight, and which deliveries (standard,
same-day, pickup) a cart can have. Below the cart in the layering: it reads any cart-like object
with lines, a weight and its producers, so the cart page and checkout ask the same rules."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Protocol

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop import clock, geo
from shop.catalog.models import Product
from shop.extensions import db
from shop.shipping.models import ShippingZone, ShippingZoneProvince


class ShippableLine(Protocol):
    product: Product


class ShippableCart(Protocol):
    """What shipping needs of a cart (shop.cart.services.PricedCart is one)."""

    @property
    def lines(self) -> Iterable[ShippableLine]: ...

    @property
    def weight_g(self) -> int: ...

    @property
    def producer_ids(self) -> set[int]: ...


def same_day_cutoff() -> time:
    hours, _, minutes = current_app.config["SAME_DAY_CUTOFF"].partition(":")
    return time(int(hours), int(minutes or 0))


# Shipping ------------------------------------------------------------------------------------


def zone_for(province_code: int | None) -> ShippingZone | None:
    if geo.province_name(province_code) is None:  # also keeps a huge number from the database
        return None
    return db.session.scalar(
        select(ShippingZone)
        .join(ShippingZoneProvince, ShippingZoneProvince.zone_code == ShippingZone.code)
        .where(ShippingZoneProvince.province_code == province_code)
        .options(selectinload(ShippingZone.rates))
    )


def standard_price(zone: ShippingZone, weight_g: int) -> int:
    """The first weight band that holds the parcel; above the heaviest, that band's price plus the
    zone's price for every started kilogram over it."""
    weight_g = max(weight_g, 1)
    for rate in zone.rates:
        if weight_g <= rate.max_weight_g:
            return rate.price_vnd
    top = zone.rates[-1]
    extra_kg = math.ceil((weight_g - top.max_weight_g) / 1000)
    return top.price_vnd + extra_kg * zone.extra_per_kg_vnd


@dataclass
class DeliveryOption:
    method: str
    price_vnd: int | None
    available: bool
    reason: object | None = None  # why not, when not available (lazy string)
    transit_days: tuple[int, int] | None = None


def _perishable_blocker(cart: ShippableCart, days: int):
    """The first product whose shelf life is not longer than a delivery of `days` days."""
    for line in cart.lines:
        if not line.product.keeps_through(days):
            return line.product
    return None


def delivery_options(
    cart: ShippableCart, province_code: int | None, *, now: datetime, locale: str
) -> list[DeliveryOption]:
    """Standard, same-day and pickup for this cart and destination, each with its price or the
    reason it cannot be chosen. Perishable products (xôi keeps a day) rule out any delivery that
    may take as long as they keep."""
    zone = zone_for(province_code)
    return [_standard(cart, zone, locale), _same_day(zone, now), _pickup(cart)]


def _standard(cart: ShippableCart, zone: ShippingZone | None, locale: str) -> DeliveryOption:
    if zone is None:
        return DeliveryOption("standard", None, False, _l("Choose your province to see the shipping price."))
    blocker = _perishable_blocker(cart, zone.transit_days_max)
    reason = None
    if blocker is not None:
        reason = _l(
            "%(product)s keeps %(days)s; standard delivery to %(zone)s can take %(transit)s.",
            product=blocker.name(locale),
            days=ngettext("%(num)d day", "%(num)d days", blocker.shelf_life_days),
            zone=zone.name(locale),
            transit=ngettext("%(num)d day", "%(num)d days", zone.transit_days_max),
        )
    transit = (zone.transit_days_min, zone.transit_days_max)
    return DeliveryOption("standard", standard_price(zone, cart.weight_g), blocker is None, reason, transit)


def _same_day(zone: ShippingZone | None, now: datetime) -> DeliveryOption:
    if zone is None or zone.same_day_vnd is None:
        return DeliveryOption("same_day", None, False, _l("Same-day delivery is only in Hà Nội."))
    cutoff = same_day_cutoff()
    if now.astimezone(clock.VN).time() >= cutoff:
        reason = _l(
            "Same-day delivery closes at %(cutoff)s each day; order tomorrow morning.",
            cutoff=cutoff.strftime("%H:%M"),
        )
        return DeliveryOption("same_day", zone.same_day_vnd, False, reason)
    return DeliveryOption("same_day", zone.same_day_vnd, True, None, (0, 0))


def _pickup(cart: ShippableCart) -> DeliveryOption:
    if len(cart.producer_ids) == 1:
        return DeliveryOption("pickup", 0, True, None, (0, 0))
    return DeliveryOption("pickup", 0, False, _l("Pickup is possible when every item comes from one producer."))


def preferred_delivery(options: list[DeliveryOption], chosen: str | None) -> str | None:
    """The choice to show as selected: the shopper's, unless it cannot be had (xôi cannot travel
    by standard delivery), then the first that can."""
    available = [o.method for o in options if o.available]
    if chosen in available or not available:
        return chosen
    return available[0]
