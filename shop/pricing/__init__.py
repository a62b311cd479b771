"""The one place that decides a price: what a shopper pays (the retail price), what an approved
restaurant partner pays (a negotiated price valid that day, else the best volume break its
quantity reaches, else retail), the quantities a partner may order, and the VAT in a price.

Every price in the shop includes VAT. Cart, checkout, the partners' quick order, standing
orders, invoices and statements all ask here, every time, on the server; templates and views
never compute a price.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import or_, select

from shop.catalog.models import Product, Variant
from shop.errors import ValidationError
from shop.extensions import db
from shop.money import BP, divide_half_up
from shop.partners.models import Partner
from shop.pricing.models import PartnerPrice, PriceBreak, VatRate

# Where a price came from, as partner pages show it.
RETAIL, BREAK, NEGOTIATED = "retail", "break", "negotiated"


def unit_price_vnd(variant: Variant) -> int:
    """What a shopper pays for one unit, in đồng (VAT included)."""
    return variant.price_vnd


def line_total_vnd(unit_price: int, quantity: int) -> int:
    return unit_price * quantity


# Partners' prices ------------------------------------------------------------------------------


def partner_prices_allowed(partner: Partner | None) -> bool:
    """Only an approved (active) partner gets partner prices; anyone else pays retail."""
    return partner is not None and partner.status == "active"


@dataclass(frozen=True)
class PartnerPriceBook:
    """What decides a partner's prices for some variants on one day, loaded in two statements
    (breaks, and this partner's negotiated prices valid that day): ask it for any quantity."""

    partner_id: int | None
    day: date
    breaks: dict[int, list[tuple[int, int]]]  # variant id: [(min_qty, unit price)] by min_qty
    negotiated: dict[int, int]  # variant id: unit price
    # variant id: (valid_from, valid_to) of the negotiated price in `negotiated`, for callers
    # that show how long it lasts (the API's price list).
    negotiated_dates: dict[int, tuple[date, date | None]] = field(default_factory=dict)

    def price(self, variant: Variant, quantity: int) -> Quote:
        """The unit price of `variant` at `quantity` units in one line, and where it came from."""
        retail = unit_price_vnd(variant)
        if variant.id in self.negotiated:
            return Quote(variant.id, quantity, self.negotiated[variant.id], NEGOTIATED, retail)
        # The cheapest break the quantity reaches. A break not below today's retail price (the
        # producer lowered retail after setting it) never applies: a partner never pays more
        # than a shopper. With a well-kept ladder this is simply the highest break reached.
        best = None
        for min_qty, price in self.breaks.get(variant.id, ()):
            if min_qty <= quantity and price < retail and (best is None or price <= best[1]):
                best = (min_qty, price)
        if best is not None:
            return Quote(variant.id, quantity, best[1], BREAK, retail, break_min_qty=best[0])
        return Quote(variant.id, quantity, retail, RETAIL, retail)

    def tiers(self, variant: Variant) -> list[tuple[int, int]]:
        """The partner's price ladder for a variant: (from quantity, unit price), retail first;
        breaks that would not lower the price are left out."""
        if variant.id in self.negotiated:
            return [(1, self.negotiated[variant.id])]
        retail = unit_price_vnd(variant)
        ladder = [(1, retail)]
        for min_qty, price in self.breaks.get(variant.id, ()):
            if price < ladder[-1][1]:
                ladder.append((min_qty, price))
        return ladder


@dataclass(frozen=True)
class Quote:
    variant_id: int
    quantity: int
    unit_price_vnd: int
    source: str  # RETAIL, BREAK or NEGOTIATED
    retail_vnd: int
    break_min_qty: int | None = None

    @property
    def total_vnd(self) -> int:
        return line_total_vnd(self.unit_price_vnd, self.quantity)

    @property
    def saving_vnd(self) -> int:
        """What the partner saves on this line against retail (0 or more)."""
        return max(0, (self.retail_vnd - self.unit_price_vnd) * self.quantity)


def price_book(partner: Partner | None, variant_ids: Iterable[int], day: date) -> PartnerPriceBook:
    """The prices `partner` pays on `day` for these variants. A partner that is not approved (or
    None) gets a book with no breaks and no negotiated prices: retail."""
    ids = sorted(set(variant_ids))
    if not partner_prices_allowed(partner) or not ids:
        return PartnerPriceBook(None, day, {}, {})
    breaks = _breaks(ids)
    negotiated: dict[int, int] = {}
    dates: dict[int, tuple[date, date | None]] = {}
    for variant_id, price, valid_from, valid_to in db.session.execute(
        select(PartnerPrice.variant_id, PartnerPrice.unit_price_vnd, PartnerPrice.valid_from, PartnerPrice.valid_to)
        .where(
            PartnerPrice.partner_id == partner.id,
            PartnerPrice.variant_id.in_(ids),
            PartnerPrice.valid_from <= day,
            or_(PartnerPrice.valid_to.is_(None), PartnerPrice.valid_to >= day),
        )
        # Should two lists overlap, the one that started last wins.
        .order_by(PartnerPrice.valid_from, PartnerPrice.id)
    ):
        negotiated[variant_id] = price
        dates[variant_id] = (valid_from, valid_to)
    return PartnerPriceBook(partner.id, day, breaks, negotiated, dates)


def breaks_book(variant_ids: Iterable[int], day: date) -> PartnerPriceBook:
    """The volume prices alone (what an approved partner without a negotiated price pays), for
    staff and producer pages that compare them; never for pricing a partner's order."""
    ids = sorted(set(variant_ids))
    return PartnerPriceBook(None, day, _breaks(ids) if ids else {}, {})


def _breaks(ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    breaks: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for variant_id, min_qty, price in db.session.execute(
        select(PriceBreak.variant_id, PriceBreak.min_qty, PriceBreak.unit_price_vnd)
        .where(PriceBreak.variant_id.in_(ids))
        .order_by(PriceBreak.variant_id, PriceBreak.min_qty)
    ):
        breaks[variant_id].append((min_qty, price))
    return dict(breaks)


def partner_unit_price(partner: Partner | None, variant: Variant, quantity: int, day: date) -> Quote:
    """The price of one line for a partner (or retail for anyone else)."""
    return price_book(partner, [variant.id], day).price(variant, quantity)


# Partners' quantity rules ---------------------------------------------------------------------


def quantity_problem(variant: Variant, quantity: int):
    """Why a partner may not order `quantity` of `variant` in one line (a lazy string), or None:
    below the minimum, above the maximum, or not a multiple of the pack step."""
    return rules_problem(
        quantity, min_qty=variant.partner_min_qty, max_qty=variant.partner_max_qty, step=variant.partner_step
    )


def rules_problem(quantity: int, *, min_qty: int | None, max_qty: int | None, step: int | None):
    """`quantity_problem` for rules not (yet) stored on a variant: a producer's new rules checked
    against the breaks already set."""
    if quantity < 1:
        return _l("Enter a quantity of at least 1.")
    step = step or 1
    if min_qty is not None and quantity < min_qty:
        return _l("The minimum for partners is %(n)s.", n=min_qty)
    if max_qty is not None and quantity > max_qty:
        return _l("The maximum for partners is %(n)s.", n=max_qty)
    if quantity % step:
        lower, higher = quantity - quantity % step, quantity - quantity % step + step
        if lower >= max(step, min_qty or 0):
            return _l("Order in steps of %(step)s: %(lower)s or %(higher)s.", step=step, lower=lower, higher=higher)
        return _l("Order in steps of %(step)s, e.g. %(higher)s.", step=step, higher=higher)
    return None


def check_quantity(variant: Variant, quantity: int) -> None:
    """Raises ValidationError (field "quantity") when a partner may not order this quantity."""
    problem = quantity_problem(variant, quantity)
    if problem is not None:
        raise ValidationError(problem, field="quantity")


def check_rules(min_qty: int | None, max_qty: int | None, step: int) -> None:
    """A producer's quantity rules for partners: a step of at least 1; minimum and maximum are
    multiples of the step, the maximum not below the minimum. Raises ValidationError."""
    if step is None or step < 1:
        raise ValidationError(_l("The pack step is a whole number of at least 1."), field="partner_step")
    if min_qty is not None and (min_qty < 1 or min_qty % step):
        raise ValidationError(
            _l("The minimum must be a multiple of the pack step (%(step)s).", step=step), field="partner_min_qty"
        )
    if max_qty is not None and (max_qty < 1 or max_qty % step):
        raise ValidationError(
            _l("The maximum must be a multiple of the pack step (%(step)s).", step=step), field="partner_max_qty"
        )
    if min_qty is not None and max_qty is not None and max_qty < min_qty:
        raise ValidationError(_l("The maximum cannot be below the minimum."), field="partner_max_qty")


def check_break(variant: Variant, min_qty: int, unit_price_vnd: int) -> None:
    """A volume break's quantity must itself be one a partner may order, above 1, and its price
    above 0 and below retail. Raises ValidationError."""
    if min_qty is None or min_qty < 2:
        raise ValidationError(_l("A volume price starts from 2 units or more."), field="min_qty")
    problem = quantity_problem(variant, min_qty)
    if problem is not None:
        raise ValidationError(
            _l("A volume price must start at a quantity partners may order: %(problem)s", problem=problem),
            field="min_qty",
        )
    if unit_price_vnd is None or unit_price_vnd <= 0:
        raise ValidationError(_l("Enter a price above 0 ₫."), field="unit_price_vnd")
    if unit_price_vnd >= variant.price_vnd:
        raise ValidationError(_l("A volume price must be below the retail price."), field="unit_price_vnd")


def rules_text(variant: Variant) -> str:
    """The quantity rules in words for partner pages ("" when there are none)."""
    parts = []
    if variant.partner_min_qty:
        parts.append(str(_l("min. %(n)s", n=variant.partner_min_qty)))
    if variant.partner_max_qty:
        parts.append(str(_l("max. %(n)s", n=variant.partner_max_qty)))
    if (variant.partner_step or 1) > 1:
        parts.append(ngettext("in steps of %(num)s", "in steps of %(num)s", variant.partner_step))
    return ", ".join(parts)


# VAT -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VatTable:
    """The VAT rates in force on one day, by (group, subgroup); a subgroup's own rate wins."""

    day: date
    rates: dict[tuple[str, str | None], int]

    def rate_bp(self, group_code: str, subgroup_code: str | None = None) -> int:
        if subgroup_code is not None and (group_code, subgroup_code) in self.rates:
            return self.rates[(group_code, subgroup_code)]
        if (group_code, None) in self.rates:
            return self.rates[(group_code, None)]
        raise LookupError(f"no VAT rate for {group_code}/{subgroup_code} on {self.day}")

    def rate_of(self, product: Product) -> int:
        return self.rate_bp(product.group_code, product.subgroup_code)


def vat_table(day: date) -> VatTable:
    """The rates in force on `day` (Vietnam's date), in one statement."""
    rows = db.session.execute(
        select(VatRate.group_code, VatRate.subgroup_code, VatRate.rate_bp).where(
            VatRate.valid_from <= day, or_(VatRate.valid_to.is_(None), VatRate.valid_to >= day)
        )
    )
    return VatTable(day, {(group, subgroup): rate for group, subgroup, rate in rows})


def vat_rate_bp(product: Product, day: date) -> int:
    """The VAT rate of `product` on `day`, in basis points (800 = 8 %)."""
    return vat_table(day).rate_of(product)


def vat_in_gross(gross_vnd: int, rate_bp: int) -> int:
    """The VAT contained in a VAT-inclusive amount: gross × rate / (1 + rate), rounded half up
    to a whole đồng (the one rounding rule for VAT)."""
    return divide_half_up(gross_vnd * rate_bp, BP + rate_bp)


@dataclass(frozen=True)
class VatSplit:
    rate_bp: int
    gross_vnd: int
    vat_vnd: int

    @property
    def net_vnd(self) -> int:
        return self.gross_vnd - self.vat_vnd


def split_gross(gross_vnd: int, rate_bp: int) -> VatSplit:
    """A VAT-inclusive amount as net + VAT at `rate_bp`."""
    return VatSplit(rate_bp, gross_vnd, vat_in_gross(gross_vnd, rate_bp))


def by_rate(lines: Iterable[tuple[int, int]]) -> list[VatSplit]:
    """(gross, rate) pairs of lines summed per rate, each line's VAT rounded on its own (as the
    invoice shows it), lowest rate first."""
    gross: dict[int, int] = defaultdict(int)
    vat: dict[int, int] = defaultdict(int)
    for line_gross, rate in lines:
        gross[rate] += line_gross
        vat[rate] += vat_in_gross(line_gross, rate)
    return [VatSplit(rate, gross[rate], vat[rate]) for rate in sorted(gross)]


def format_rate(rate_bp: int) -> str:
    """800 → "8%", 525 → "5.25%" (VAT rates are whole percents in practice)."""
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}%" if not rest else f"{whole}.{rest:02d}".rstrip("0") + "%"
