"""Changing what decides partners' prices: a producer's quantity rules and volume breaks per
pack, an admin's negotiated prices for one partner, and the VAT rates by product group. Every
change is checked here (the rules in shop.pricing, plus the shop's own: a ladder of breaks whose
price never rises with the quantity, negotiated prices and VAT rates whose dates never overlap)
and written to the audit log with the values before and after. Nothing here commits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from shop import audit, clock
from shop.catalog.editing import MAX_PRICE_VND, parse_price
from shop.catalog.groups import GROUPS_BY_CODE, SUBGROUP_TO_GROUP
from shop.catalog.models import Product, Variant
from shop.errors import ConflictError, Forbidden, NotFound, ValidationError
from shop.extensions import db
from shop.money import BP, format_vnd
from shop.partners.models import Partner
from shop.pricing import breaks_book, check_break, check_rules, format_rate, rules_problem
from shop.pricing.models import PartnerPrice, PriceBreak, VatRate
from shop.text import clean_text, fold

# A line of more than this is not an order a partner places by typing it.
MAX_QUANTITY = 1_000_000
RULE_FIELDS = ("partner_min_qty", "partner_max_qty", "partner_step")
BREAK_FIELDS = ("variant_id", "min_qty", "unit_price_vnd")
PRICE_FIELDS = ("partner_id", "variant_id", "unit_price_vnd", "valid_from", "valid_to")
VAT_FIELDS = ("group_code", "subgroup_code", "rate_bp", "valid_from", "valid_to", "basis")
BASIS_LENGTH = 200


# --- Reading what people typed ------------------------------------------------------------------


_DIGITS = re.compile(r"[0-9]{1,9}")


def parse_quantity(value, *, field: str, required: bool = False) -> int | None:
    """A whole number of units from 1 to MAX_QUANTITY (None when empty and not `required`).
    Raises ValidationError naming `field`."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = (str(value) if value is not None else "").strip().replace(".", "").replace(" ", "")
        if not text:
            if required:
                raise ValidationError(_l("Enter a number of units."), field=field)
            return None
        if not _DIGITS.fullmatch(text):
            raise ValidationError(_l("Enter a whole number of units, e.g. 10."), field=field)
        number = int(text)
    if not 1 <= number <= MAX_QUANTITY:
        raise ValidationError(_l("Enter a whole number of units from 1 to %(max)d.", max=MAX_QUANTITY), field=field)
    return number


def parse_unit_price(value, *, field: str = "unit_price_vnd") -> int:
    """A price in đồng as the catalog reads it (125000, 125.000, 125.000 ₫). Raises ValidationError."""
    return parse_price(value, field=field) if not isinstance(value, int) else _price_in_range(value, field)


def _price_in_range(value: int, field: str) -> int:
    if isinstance(value, bool) or not 1 <= value <= MAX_PRICE_VND:
        raise ValidationError(_l("Enter a price above 0 ₫."), field=field)
    return value


def parse_day(value, *, field: str, required: bool = True) -> date | None:
    """A date as a date field sends it (2026-12-31). Raises ValidationError naming `field`."""
    if isinstance(value, date):
        return value
    text = (str(value) if value is not None else "").strip()
    if not text:
        if required:
            raise ValidationError(_l("Enter a date."), field=field)
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(_l("Enter a date as year-month-day, e.g. 2027-01-01."), field=field) from None


_PERCENT = re.compile(r"([0-9]{1,3})(?:[.,]([0-9]{1,2}))?")


def parse_rate(value, *, field: str = "rate") -> int:
    """A VAT rate typed as a percentage (8, 8%, 5.25, 5,25) in basis points, 0 % to 100 %."""
    text = (str(value) if value is not None else "").strip().rstrip("%").strip()
    match = _PERCENT.fullmatch(text)
    if not match:
        raise ValidationError(_l("Enter the rate as a percentage, e.g. 8 or 5.25."), field=field)
    whole, fraction = match.group(1), (match.group(2) or "").ljust(2, "0")
    rate_bp = int(whole) * 100 + int(fraction)
    if rate_bp > BP:
        raise ValidationError(_l("A rate is between 0 and 100 %."), field=field)
    return rate_bp


def _day(day: date) -> str:
    return format_date(day, "medium")


def _dates(valid_from: date, valid_to: date | None) -> str:
    if valid_to is None:
        return str(_l("from %(start)s, with no end", start=_day(valid_from)))
    return str(_l("from %(start)s to %(end)s", start=_day(valid_from), end=_day(valid_to)))


def _overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return (b_to is None or a_from <= b_to) and (a_to is None or b_from <= a_to)


def _require_admin(actor) -> None:
    if actor is None or not getattr(actor, "is_admin", False):
        raise Forbidden()


# --- A producer's rules and breaks --------------------------------------------------------------


def _record_producer(action: str, entity: str, entity_id, variant: Variant, actor, **kw) -> None:
    audit.record(
        action,
        entity,
        entity_id,
        actor=actor,
        role="producer",
        producer_id=variant.product.producer_id,
        note=variant.sku,
        **kw,
    )


def breaks_of(variant_id: int) -> list[PriceBreak]:
    """A pack's volume breaks, smallest quantity first."""
    return list(
        db.session.scalars(select(PriceBreak).where(PriceBreak.variant_id == variant_id).order_by(PriceBreak.min_qty))
    )


def set_partner_rules(variant: Variant, *, min_qty: int | None, max_qty: int | None, step: int, actor=None) -> bool:
    """Set the minimum, maximum and pack step partners order a pack in; True if anything changed.
    The pack's volume breaks must still start at quantities the new rules allow. Raises
    ValidationError (naming the field, or the break that no longer fits)."""
    check_rules(min_qty, max_qty, step)
    for price_break in breaks_of(variant.id):
        problem = rules_problem(price_break.min_qty, min_qty=min_qty, max_qty=max_qty, step=step)
        if problem is not None:
            raise ValidationError(
                _l(
                    "The volume price from %(qty)s units (%(price)s) would no longer fit these rules: %(problem)s "
                    "Change or remove that volume price first.",
                    qty=price_break.min_qty,
                    price=format_vnd(price_break.unit_price_vnd),
                    problem=problem,
                ),
                field="partner_min_qty" if min_qty is not None and price_break.min_qty < min_qty else None,
            )
    before = audit.snapshot(variant, RULE_FIELDS)
    variant.partner_min_qty, variant.partner_max_qty, variant.partner_step = min_qty, max_qty, step
    after = audit.snapshot(variant, RULE_FIELDS)
    if before == after:
        return False
    db.session.flush()
    _record_producer("variant.partner_rules", "variant", variant.id, variant, actor, before=before, after=after)
    return True


def _check_ladder(variant: Variant, min_qty: int, unit_price_vnd: int, *, except_id: int | None = None) -> None:
    """One break per quantity, and a higher quantity never costs more per unit than a lower one."""
    for other in breaks_of(variant.id):
        if other.id == except_id:
            continue
        if other.min_qty == min_qty:
            raise ConflictError(
                _l("There is already a volume price from %(qty)s units. Change that one instead.", qty=min_qty),
                field="min_qty",
            )
        if other.min_qty < min_qty and other.unit_price_vnd < unit_price_vnd:
            raise ValidationError(
                _l(
                    "From %(qty)s units the price must not be above the %(price)s a partner pays from %(lower)s units.",
                    qty=min_qty,
                    price=format_vnd(other.unit_price_vnd),
                    lower=other.min_qty,
                ),
                field="unit_price_vnd",
            )
        if other.min_qty > min_qty and other.unit_price_vnd > unit_price_vnd:
            raise ValidationError(
                _l(
                    "From %(qty)s units the price must not be below the %(price)s a partner pays from %(higher)s "
                    "units (a larger quantity never costs more).",
                    qty=min_qty,
                    price=format_vnd(other.unit_price_vnd),
                    higher=other.min_qty,
                ),
                field="unit_price_vnd",
            )


def _flush_break(price_break: PriceBreak, min_qty: int) -> None:
    # Two people adding the same quantity at once both pass the check above; the unique key
    # (one break per pack and quantity) lets one of them through and gives the other the message.
    try:
        with db.session.begin_nested():
            db.session.add(price_break)
            db.session.flush()
    except IntegrityError:
        raise ConflictError(
            _l("There is already a volume price from %(qty)s units. Change that one instead.", qty=min_qty),
            field="min_qty",
        ) from None


def add_break(variant: Variant, *, min_qty: int, unit_price_vnd: int, actor=None) -> PriceBreak:
    """A volume price for partners from `min_qty` units. Raises ValidationError (a quantity the
    rules do not allow, a price not below retail, a ladder that would rise) or ConflictError (a
    break at that quantity already)."""
    check_break(variant, min_qty, unit_price_vnd)
    _check_ladder(variant, min_qty, unit_price_vnd)
    price_break = PriceBreak(variant_id=variant.id, min_qty=min_qty, unit_price_vnd=unit_price_vnd)
    _flush_break(price_break, min_qty)
    _record_producer(
        "price_break.create",
        "price_break",
        price_break.id,
        variant,
        actor,
        after=audit.snapshot(price_break, BREAK_FIELDS),
    )
    return price_break


def change_break(price_break: PriceBreak, *, min_qty: int, unit_price_vnd: int, actor=None) -> bool:
    """Change a volume price's quantity or price; True if anything changed. Raises as `add_break`."""
    variant = db.session.get(Variant, price_break.variant_id)
    check_break(variant, min_qty, unit_price_vnd)
    _check_ladder(variant, min_qty, unit_price_vnd, except_id=price_break.id)
    before = audit.snapshot(price_break, BREAK_FIELDS)
    price_break.min_qty, price_break.unit_price_vnd = min_qty, unit_price_vnd
    after = audit.snapshot(price_break, BREAK_FIELDS)
    if before == after:
        return False
    _flush_break(price_break, min_qty)
    _record_producer("price_break.update", "price_break", price_break.id, variant, actor, before=before, after=after)
    return True


def remove_break(price_break: PriceBreak, *, actor=None) -> None:
    """Remove a volume price (orders already placed keep the price they were placed at)."""
    variant = db.session.get(Variant, price_break.variant_id)
    before = audit.snapshot(price_break, BREAK_FIELDS)
    break_id = price_break.id
    db.session.delete(price_break)
    db.session.flush()
    _record_producer("price_break.delete", "price_break", break_id, variant, actor, before=before)


@dataclass(frozen=True)
class BreakRow:
    price_break: PriceBreak
    applies: bool  # False when it is not below today's retail price (the producer lowered it)


@dataclass(frozen=True)
class PackPricing:
    variant: Variant
    breaks: list[BreakRow]


def product_pricing(product: Product) -> list[PackPricing]:
    """Each pack of a product with its volume breaks, for the producer's page (two statements)."""
    variants = sorted(product.variants, key=lambda v: (v.price_vnd, v.id))
    rows: dict[int, list[PriceBreak]] = {v.id: [] for v in variants}
    if rows:
        for price_break in db.session.scalars(
            select(PriceBreak).where(PriceBreak.variant_id.in_(list(rows))).order_by(PriceBreak.min_qty)
        ):
            rows[price_break.variant_id].append(price_break)
    return [PackPricing(v, [BreakRow(b, b.unit_price_vnd < v.price_vnd) for b in rows[v.id]]) for v in variants]


# --- An admin's negotiated prices ----------------------------------------------------------------


def _partner(partner_id: int) -> Partner:
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        raise NotFound()
    return partner


def _partner_price(partner_id: int, price_id: int) -> PartnerPrice:
    price = db.session.get(PartnerPrice, price_id)
    if price is None or price.partner_id != partner_id:
        raise NotFound()
    return price


def _check_no_overlap(price: PartnerPrice) -> None:
    others = db.session.scalars(
        select(PartnerPrice)
        .where(PartnerPrice.partner_id == price.partner_id, PartnerPrice.variant_id == price.variant_id)
        .order_by(PartnerPrice.valid_from)
    )
    for other in others:
        if other is not price and _overlaps(price.valid_from, price.valid_to, other.valid_from, other.valid_to):
            raise ConflictError(
                _l(
                    "These dates overlap the negotiated price of %(price)s valid %(dates)s. "
                    "End that price first or choose other dates.",
                    price=format_vnd(other.unit_price_vnd),
                    dates=_dates(other.valid_from, other.valid_to),
                )
            )


def _record_admin(action: str, entity: str, entity_id, actor, **kw) -> None:
    audit.record(action, entity, entity_id, actor=actor, role="admin", **kw)


def add_partner_price(
    partner_id: int,
    variant_id: int,
    *,
    unit_price_vnd: int,
    valid_from: date,
    valid_to: date | None,
    actor,
) -> PartnerPrice:
    """A price negotiated with one partner for one pack, valid from `valid_from` to `valid_to`
    (inclusive; open-ended without it); it overrides the volume breaks on those days. Raises
    Forbidden (not an admin), NotFound, ValidationError or ConflictError (overlapping dates)."""
    _require_admin(actor)
    _partner(partner_id)
    variant = db.session.get(Variant, variant_id)
    if variant is None:
        raise ValidationError(_l("Choose a pack by its SKU or name."), field="variant_id")
    _price_in_range(unit_price_vnd, "unit_price_vnd")
    if valid_from is None:
        raise ValidationError(_l("Enter a date."), field="valid_from")
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError(_l("The last day cannot be before the first."), field="valid_to")
    price = PartnerPrice(
        partner_id=partner_id,
        variant_id=variant.id,
        unit_price_vnd=unit_price_vnd,
        valid_from=valid_from,
        valid_to=valid_to,
        created_by_user_id=actor.id,
    )
    _check_no_overlap(price)
    db.session.add(price)
    db.session.flush()
    _record_admin(
        "partner_price.create",
        "partner_price",
        price.id,
        actor,
        after=audit.snapshot(price, PRICE_FIELDS),
        note=variant.sku,
    )
    return price


def end_partner_price(partner_id: int, price_id: int, *, last_day: date, actor) -> PartnerPrice:
    """Make a negotiated price end after `last_day` (inclusive). Raises Forbidden, NotFound,
    ValidationError (before its first day) or ConflictError (overlapping another)."""
    _require_admin(actor)
    price = _partner_price(partner_id, price_id)
    if last_day is None:
        raise ValidationError(_l("Enter a date."), field="last_day")
    if last_day < price.valid_from:
        raise ValidationError(
            _l("This price starts on %(start)s: remove it instead of ending it.", start=_day(price.valid_from)),
            field="last_day",
        )
    before = audit.snapshot(price, PRICE_FIELDS)
    price.valid_to = last_day
    _check_no_overlap(price)
    db.session.flush()
    _record_admin(
        "partner_price.end",
        "partner_price",
        price.id,
        actor,
        before=before,
        after=audit.snapshot(price, PRICE_FIELDS),
        note=db.session.get(Variant, price.variant_id).sku,
    )
    return price


def remove_partner_price(partner_id: int, price_id: int, *, actor) -> None:
    """Remove a negotiated price that has not started yet; one in use is ended instead, so the
    list keeps what the partner paid. Raises Forbidden, NotFound or ConflictError."""
    _require_admin(actor)
    price = _partner_price(partner_id, price_id)
    if price.valid_from <= clock.today():
        raise ConflictError(_l("This price is or was in use: end it instead of removing it."))
    before = audit.snapshot(price, PRICE_FIELDS)
    sku = db.session.get(Variant, price.variant_id).sku
    db.session.delete(price)
    db.session.flush()
    _record_admin("partner_price.delete", "partner_price", price_id, actor, before=before, note=sku)


@dataclass(frozen=True)
class NegotiatedRow:
    price: PartnerPrice
    variant: Variant
    state: str  # "current", "future" or "past"
    tiers: list[tuple[int, int]]  # the retail price and breaks, for comparison

    @property
    def retail_vnd(self) -> int:
        return self.variant.price_vnd

    @property
    def above_retail(self) -> bool:
        """The partner would pay more than a shopper (retail was lowered since): worth a look."""
        return self.price.unit_price_vnd > self.variant.price_vnd

    @property
    def can_remove(self) -> bool:
        return self.state == "future"

    @property
    def volume_prices(self) -> list[tuple[int, int]]:
        return self.tiers[1:]


STATE_ORDER = ("current", "future", "past")


def _state(price: PartnerPrice, today: date) -> str:
    if price.valid_on(today):
        return "current"
    return "future" if price.valid_from > today else "past"


def partner_price_list(partner_id: int, today: date) -> list[NegotiatedRow]:
    """One partner's negotiated prices: current first, then future, then past; each with the
    pack's retail price and volume breaks beside it."""
    rows = db.session.execute(
        select(PartnerPrice, Variant)
        .join(Variant, Variant.id == PartnerPrice.variant_id)
        .where(PartnerPrice.partner_id == partner_id)
        .order_by(Variant.sku, PartnerPrice.valid_from.desc())
    ).all()
    ladder = breaks_book([v.id for _, v in rows], today)
    shown = [NegotiatedRow(p, v, _state(p, today), ladder.tiers(v)) for p, v in rows]
    return sorted(shown, key=lambda r: STATE_ORDER.index(r.state))


def variant_for_sku(sku) -> Variant:
    """The pack with this SKU (in any case). Raises ValidationError (field "sku")."""
    text = clean_text(sku)
    variant = None
    if text:
        variant = db.session.scalar(select(Variant).where(func.lower(Variant.sku) == text.lower()[:40]))
    if variant is None:
        raise ValidationError(_l("No pack has this SKU. Find it by name above."), field="sku")
    return variant


def find_variants(query: str, *, limit: int = 20) -> list[Variant]:
    """Packs whose SKU, pack name or product name contains `query` (accents optional), for
    choosing one to price."""
    text = clean_text(query)
    if not text:
        return []
    text = text[:100]
    like = f"%{text.lower()}%"
    folded = f"%{fold(text)}%"
    statement = (
        select(Variant)
        .join(Product, Product.id == Variant.product_id)
        .where(
            or_(
                func.lower(Variant.sku).like(like, escape="\\"),
                func.lower(Variant.name_vi).like(like, escape="\\"),
                func.lower(Variant.name_en).like(like, escape="\\"),
                Product.search_folded.like(folded, escape="\\"),
            )
        )
        .order_by(Product.name_vi, Variant.price_vnd, Variant.id)
        .limit(limit)
    )
    return list(db.session.scalars(statement))


# --- VAT rates -----------------------------------------------------------------------------------


def vat_rates() -> list[VatRate]:
    """Every VAT rate, by group, subgroup and date."""
    return list(
        db.session.scalars(
            select(VatRate).order_by(
                VatRate.group_code, VatRate.subgroup_code.is_not(None), VatRate.subgroup_code, VatRate.valid_from
            )
        )
    )


def add_vat_rate(
    *,
    group_code: str,
    subgroup_code: str | None,
    rate_bp: int,
    valid_from: date,
    basis: str | None,
    actor,
) -> VatRate:
    """A new VAT rate for a product group (or one subgroup) from `valid_from` (today or later),
    open-ended; the group's open-ended rate before it ends the day before. Raises Forbidden,
    ValidationError or ConflictError (a rate of that group already set for these dates)."""
    _require_admin(actor)
    group_code = clean_text(group_code)
    subgroup_code = clean_text(subgroup_code)
    if group_code not in GROUPS_BY_CODE:
        raise ValidationError(_l("Choose the product group."), field="group_code")
    if subgroup_code is not None and SUBGROUP_TO_GROUP.get(subgroup_code) != group_code:
        raise ValidationError(_l("Choose a subgroup of the chosen group, or none."), field="subgroup_code")
    if isinstance(rate_bp, bool) or not isinstance(rate_bp, int) or not 0 <= rate_bp <= BP:
        raise ValidationError(_l("A rate is between 0 and 100 %."), field="rate")
    if valid_from is None:
        raise ValidationError(_l("Enter a date."), field="valid_from")
    if valid_from < clock.today():
        raise ValidationError(
            _l("A new rate starts today or later: orders and invoices already made keep the rate they had."),
            field="valid_from",
        )
    basis = clean_text(basis)
    if not basis:
        raise ValidationError(_l("Name the law or decision the rate comes from."), field="basis")
    if len(basis) > BASIS_LENGTH:
        raise ValidationError(_l("At most %(count)d characters.", count=BASIS_LENGTH), field="basis")

    same = VatRate.subgroup_code.is_(None) if subgroup_code is None else VatRate.subgroup_code == subgroup_code
    existing = list(
        db.session.scalars(select(VatRate).where(VatRate.group_code == group_code, same).order_by(VatRate.valid_from))
    )
    # The open-ended rate before the new one ends the day before; any other rate reaching the
    # new one's first day is a conflict for staff to settle.
    closing = [r for r in existing if r.valid_to is None and r.valid_from < valid_from]
    for rate in existing:
        if rate not in closing and _overlaps(valid_from, None, rate.valid_from, rate.valid_to):
            raise ConflictError(
                _l(
                    "The rate of %(rate)s valid %(dates)s already covers that date.",
                    rate=format_rate(rate.rate_bp),
                    dates=_dates(rate.valid_from, rate.valid_to),
                ),
                field="valid_from",
            )
    for rate in closing:
        before = audit.snapshot(rate, VAT_FIELDS)
        rate.valid_to = valid_from - timedelta(days=1)
        _record_admin(
            "vat_rate.close", "vat_rate", rate.id, actor, before=before, after=audit.snapshot(rate, VAT_FIELDS)
        )
    rate = VatRate(
        group_code=group_code, subgroup_code=subgroup_code, rate_bp=rate_bp, valid_from=valid_from, basis=basis
    )
    db.session.add(rate)
    db.session.flush()
    _record_admin("vat_rate.create", "vat_rate", rate.id, actor, after=audit.snapshot(rate, VAT_FIELDS))
    return rate
