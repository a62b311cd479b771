"""The order a buyer is putting together before "Place order": quantities per variant, typed in
the quick order grid (on any of its pages), taken from a CSV or from an earlier order. Kept
between requests by the caller (the partner pages keep it in the session, compactly: 500 lines
fit in a cookie); always priced and checked again by `ordering.price_lines`, never trusted."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from shop.errors import ValidationError
from shop.wholesale.csv_orders import parse_quantity
from shop.wholesale.ordering import MAX_LINES

TYPED_MAX = 20


@dataclass
class Draft:
    """Quantities by variant id (in the order they were added), and what was typed that is not
    a quantity (shown back in its input with the reason)."""

    quantities: dict[int, int] = field(default_factory=dict)
    typed: dict[int, str] = field(default_factory=dict)

    def items(self) -> list[tuple[int, int]]:
        return list(self.quantities.items())

    def __len__(self) -> int:
        return len(self.quantities)

    def problem(self, variant_id: int):
        """Why what was typed for this variant is not a quantity (a lazy string), or None."""
        raw = self.typed.get(variant_id)
        return None if raw is None else parse_quantity(raw)[1]

    def shown(self, variant_id: int) -> str:
        """What the variant's input shows."""
        if variant_id in self.typed:
            return self.typed[variant_id]
        quantity = self.quantities.get(variant_id)
        return "" if quantity is None else str(quantity)

    def put(self, variant_id: int, raw: str | None) -> None:
        """What the buyer typed for a variant: empty or 0 takes it out; a quantity keeps it; anything
        else is kept as typed to show it back. Raises ValidationError past MAX_LINES lines."""
        text = (raw or "").strip()[:TYPED_MAX]
        self.typed.pop(variant_id, None)
        if text in ("", "0"):
            self.quantities.pop(variant_id, None)
            return
        quantity, problem = parse_quantity(text)
        if problem is not None:
            self.quantities.pop(variant_id, None)
            self.typed[variant_id] = text
            return
        self.set(variant_id, quantity)

    def set(self, variant_id: int, quantity: int) -> None:
        if variant_id not in self.quantities and len(self.quantities) >= MAX_LINES:
            raise ValidationError(_l("An order has at most %(n)s lines.", n=MAX_LINES), field="quantities")
        self.quantities[variant_id] = quantity

    def merge(self, items) -> None:
        """Quantities from a CSV or an earlier order: each replaces the variant's quantity."""
        for variant_id, quantity in items:
            self.typed.pop(variant_id, None)
            self.set(variant_id, quantity)

    def encode(self) -> str:
        """ "12:10,40:5;41=abc" — compact enough for a session cookie."""
        quantities = ",".join(f"{variant_id}:{quantity}" for variant_id, quantity in self.quantities.items())
        typed = ",".join(f"{variant_id}={raw.replace(',', ' ')}" for variant_id, raw in self.typed.items())
        return f"{quantities};{typed}" if typed else quantities

    @classmethod
    def decode(cls, text) -> Draft:
        """The draft `encode` wrote (anything else reads as an empty draft or loses the bad parts)."""
        draft = cls()
        if not isinstance(text, str):
            return draft
        quantities, _, typed = text.partition(";")
        for pair in quantities.split(","):
            variant_id, _, quantity = pair.partition(":")
            ok = variant_id.isdigit() and quantity.isdigit() and int(quantity) > 0
            if ok and len(draft.quantities) < MAX_LINES:
                draft.quantities[int(variant_id)] = int(quantity)
        for pair in typed.split(",") if typed else ():
            variant_id, _, raw = pair.partition("=")
            if variant_id.isdigit() and len(draft.typed) < MAX_LINES:
                draft.typed[int(variant_id)] = raw[:TYPED_MAX]
        return draft


def parse_items(text: str | None) -> list[tuple[int, int]]:
    """ "12:10,40:5" (a confirm form's hidden lines) as [(variant id, quantity)], at most
    MAX_LINES; anything unreadable is left out (the lines are checked again anyway)."""
    return Draft.decode((text or "").partition(";")[0]).items()


def encode_items(items) -> str:
    return ",".join(f"{variant_id}:{quantity}" for variant_id, quantity in items)
