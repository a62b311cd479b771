"""The quick order grid: the catalog's packs a partner can order, found by name or SKU, product
group and producer, a page at a time, each with the partner's price ladder and quantity rules,
and — for the packs with a quantity in the draft — the line as `ordering.price_lines` prices and
checks it. Nothing here decides a price."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from shop import pricing
from shop.catalog.groups import GROUPS, group_name
from shop.catalog.models import Product, Variant
from shop.catalog.search import query_terms
from shop.extensions import db
from shop.partners.models import Partner
from shop.producers.models import Producer
from shop.wholesale.drafts import Draft
from shop.wholesale.ordering import Basket, Line, price_lines

PER_PAGE = 50
LOW_STOCK = 20


@dataclass(frozen=True)
class Filters:
    q: str = ""
    group: str | None = None
    producer_id: int | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> Filters:
        """From a query string: unknown groups, bad numbers and pages below 1 are dropped."""
        q = " ".join((args.get("q") or "").split())[:100]
        group = args.get("group") or None
        if group not in {g.code for g in GROUPS}:
            group = None
        producer = args.get("producer") or ""
        page = args.get("page") or ""
        return cls(
            q=q,
            group=group,
            producer_id=int(producer) if producer.isdigit() and len(producer) < 10 else None,
            page=max(1, int(page)) if page.isdigit() and len(page) < 6 else 1,
        )

    def args(self, **changes) -> dict:
        """As query arguments for a link (empty ones left out)."""
        values = {"q": self.q, "group": self.group, "producer": self.producer_id, "page": self.page, **changes}
        return {key: value for key, value in values.items() if value and not (key == "page" and value == 1)}


def _orderable():
    return (
        select(Variant)
        .join(Variant.product)
        .join(Product.producer)
        .where(Product.status == "published", Producer.status == "active")
    )


def matching(filters: Filters, *, only: list[int] | None = None):
    """The statement selecting the orderable variants that match `filters` (their product and
    producer joined), unordered; `only`: among these variant ids."""
    statement = _orderable()
    if only is not None:
        statement = statement.where(Variant.id.in_(sorted(only) or [-1]))
    for term in query_terms(filters.q):
        statement = statement.where(
            or_(
                Product.search_folded.contains(term, autoescape=True),
                func.lower(Variant.sku).contains(term, autoescape=True),
            )
        )
    if filters.group:
        statement = statement.where(Product.group_code == filters.group)
    if filters.producer_id:
        statement = statement.where(Product.producer_id == filters.producer_id)
    return statement


def find_variants(
    filters: Filters, *, only: list[int] | None = None, per_page: int = PER_PAGE
) -> tuple[list[Variant], int, int]:
    """(the page's variants, how many match, the page shown — the last one if asked past it);
    `only`: among these variant ids (the draft's)."""
    statement = matching(filters, only=only)
    total = db.session.scalar(select(func.count()).select_from(statement.with_only_columns(Variant.id).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(filters.page, pages)
    variants = db.session.scalars(
        statement.options(contains_eager(Variant.product).contains_eager(Product.producer))
        .order_by(Product.name_vi, Product.id, Variant.price_vnd, Variant.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(variants), total, page


def filter_choices() -> tuple[list[tuple[str, str]], list[tuple[int, str]]]:
    """The product groups and producers that have something to order, for the filter menus."""
    rows = db.session.execute(
        select(Product.group_code, Producer.id, Producer.name)
        .join(Product.producer)
        .where(Product.status == "published", Producer.status == "active")
        .distinct()
    ).all()
    group_codes = {group for group, _, _ in rows}
    groups = [(g.code, group_name(g.code)) for g in GROUPS if g.code in group_codes]
    producers = sorted({(producer_id, name) for _, producer_id, name in rows}, key=lambda p: (p[1], p[0]))
    return groups, producers


def source_label(quote: pricing.Quote) -> str:
    """Where a line's price comes from, in words: "volume price from 10"."""
    if quote.source == pricing.NEGOTIATED:
        return str(_l("your negotiated price"))
    if quote.source == pricing.BREAK:
        return str(_l("volume price from %(n)s", n=format_number(quote.break_min_qty)))
    return str(_l("retail price"))


def stock_label(variant: Variant) -> str:
    if variant.available <= 0:
        return str(_l("Out of stock"))
    if variant.available <= LOW_STOCK:
        return str(_l("Only %(n)s left", n=format_number(variant.available)))
    return str(_l("In stock"))


@dataclass
class GridRow:
    """A pack as the grid shows it."""

    variant: Variant
    tiers: list[tuple[int, int]]  # (from quantity, unit price): the partner's ladder
    rules: str
    shown: str  # what its input shows
    line: Line | None  # priced and checked, when the draft has a quantity for it
    problem: object | None  # what is wrong with the quantity typed (a lazy string)

    @property
    def product(self) -> Product:
        return self.variant.product

    @property
    def source(self) -> str:
        return source_label(self.line.quote) if self.line else ""

    @property
    def stock(self) -> str:
        return stock_label(self.variant)

    @property
    def in_stock(self) -> bool:
        return self.variant.available > 0


def grid(partner: Partner, variants: list[Variant], draft: Draft, *, day: date) -> tuple[list[GridRow], Basket]:
    """The page's rows and the whole draft priced (every page's lines, for the summary)."""
    basket = price_lines(partner, draft.items(), day=day)
    lines = {line.variant.id: line for line in basket.lines}
    book = pricing.price_book(partner, [variant.id for variant in variants], day)
    rows = []
    for variant in variants:
        line = lines.get(variant.id)
        problem = draft.problem(variant.id) or (line.problem if line else None)
        rows.append(
            GridRow(variant, book.tiers(variant), pricing.rules_text(variant), draft.shown(variant.id), line, problem)
        )
    return rows, basket


def missing_variants(draft: Draft, basket: Basket) -> list[int]:
    """The draft's variants that are no longer for sale (price_lines leaves them out)."""
    priced = {line.variant.id for line in basket.lines}
    return [variant_id for variant_id in draft.quantities if variant_id not in priced]
