""" "Order again": an earlier order's lines, repriced at today's prices for the partner, with
what changed since — a price up or down, a pack no longer for sale, a quantity lowered to the
stock there is or moved to the producer's current quantity rules."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from flask_babel import format_number
from flask_babel import lazy_gettext as _l

from shop.catalog.models import Variant
from shop.money import format_vnd
from shop.orders.models import Order
from shop.partners.models import Partner
from shop.wholesale.ordering import MAX_QUANTITY, orderable_variants, price_lines

# Kinds of change, each worded in `message`.
PRICE_UP, PRICE_DOWN, GONE, NO_STOCK, LOWERED, RULES = "price_up", "price_down", "gone", "no_stock", "lowered", "rules"

_MESSAGES = {
    PRICE_UP: _l("%(name)s (%(sku)s): the price went up from %(old)s to %(new)s."),
    PRICE_DOWN: _l("%(name)s (%(sku)s): the price went down from %(old)s to %(new)s."),
    GONE: _l("%(name)s (%(sku)s) is no longer for sale: it is left out."),
    NO_STOCK: _l("%(name)s (%(sku)s): not enough in stock, it is left out."),
    LOWERED: _l("%(name)s (%(sku)s): lowered from %(old)s to %(new)s, what is in stock."),
    RULES: _l("%(name)s (%(sku)s): %(old)s changed to %(new)s to follow the current quantity rules."),
}


@dataclass(frozen=True)
class Change:
    """One thing that differs from the earlier order (plain values, to keep in a session)."""

    kind: str
    sku: str
    name: str
    old: int | None = None
    new: int | None = None

    def message(self) -> str:
        """In the current language; prices as `125.000 ₫`, quantities as numbers."""
        money = self.kind in (PRICE_UP, PRICE_DOWN)
        show = format_vnd if money else format_number
        values = {"name": self.name, "sku": self.sku}
        if self.old is not None:
            values["old"] = show(self.old)
        if self.new is not None:
            values["new"] = show(self.new)
        return str(_MESSAGES[self.kind] % values)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data) -> Change | None:
        try:
            change = cls(**data)
        except TypeError:
            return None
        return change if change.kind in _MESSAGES else None


def fit_quantity(variant: Variant, quantity: int) -> tuple[int, int]:
    """(the quantity the current rules allow nearest below `quantity` — raised to the minimum,
    the same lowered to the stock there is, 0 if none fits)."""
    step = max(variant.partner_step or 1, 1)
    lowest = max(variant.partner_min_qty or 0, step)
    highest = min(variant.partner_max_qty or MAX_QUANTITY, MAX_QUANTITY)

    def fit(ceiling: int) -> int:
        wanted = min(max(quantity, lowest), ceiling)
        wanted -= wanted % step
        return wanted if wanted >= lowest else 0

    return fit(highest), fit(min(highest, variant.available))


@dataclass
class Reorder:
    items: list[tuple[int, int]]
    changes: list[Change]


def reorder(partner: Partner, order: Order, *, day: date, locale: str) -> Reorder:
    """The lines of `order` as they can be ordered on `day`: quantities fitted to today's rules
    and stock, priced for the partner, and the changes against the order. Writes nothing."""
    wanted: dict[int, int] = {}
    names: dict[int, tuple[str, str, int]] = {}
    changes: list[Change] = []
    for line in order.lines:
        if line.variant_id is None:
            changes.append(Change(GONE, line.sku, _line_name(line, locale)))
            continue
        wanted[line.variant_id] = wanted.get(line.variant_id, 0) + line.quantity
        names[line.variant_id] = (line.sku, _line_name(line, locale), line.unit_price_vnd)
    variants = orderable_variants(wanted)
    items = []
    for variant_id, quantity in wanted.items():
        sku, name, _ = names[variant_id]
        variant = variants.get(variant_id)
        if variant is None:
            changes.append(Change(GONE, sku, name))
            continue
        by_rules, in_stock = fit_quantity(variant, quantity)
        if in_stock == 0:
            changes.append(Change(NO_STOCK if by_rules else RULES, sku, name, quantity, 0))
            continue
        if in_stock < by_rules:
            changes.append(Change(LOWERED, sku, name, quantity, in_stock))
        elif by_rules != quantity:
            changes.append(Change(RULES, sku, name, quantity, by_rules))
        items.append((variant_id, in_stock))
    basket = price_lines(partner, items, day=day)
    for line in basket.lines:
        sku, name, old_price = names[line.variant.id]
        if line.unit_price_vnd > old_price:
            changes.append(Change(PRICE_UP, sku, name, old_price, line.unit_price_vnd))
        elif line.unit_price_vnd < old_price:
            changes.append(Change(PRICE_DOWN, sku, name, old_price, line.unit_price_vnd))
    return Reorder(items, changes)


def _line_name(line, locale: str) -> str:
    return f"{line.product_name(locale)} — {line.variant_name(locale)}"
