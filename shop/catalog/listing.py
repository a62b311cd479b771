"""Listings and searches: what a listing URL asks for (Filters), its facets, its order and its
pages. Which products a listing shows, their facet values and sort keys come from the catalog's
columns in memory (columns.py); the page's products are then loaded by id, as the few columns
their cards show (cards.py). Nothing here commits."""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, func, select

from shop import geo
from shop.catalog import cards, columns, search, selection
from shop.catalog.certificates import stars_now
from shop.catalog.groups import GROUPS, GROUPS_BY_CODE, SUBGROUP_TO_GROUP
from shop.catalog.models import Product
from shop.extensions import db
from shop.producers.models import Producer
from shop.text import fold

PAGE_SIZE = 24
# The orders a listing offers, in the order the sort menu shows them.
SORTS = {
    "relevance": _l("Relevance"),
    "newest": _l("Newest"),
    "price_asc": _l("Price: low to high"),
    "price_desc": _l("Price: high to low"),
    "stars": _l("Most stars"),
}


@dataclass
class Filters:
    """What a listing URL asks for, already cleaned: unknown or malformed values are dropped."""

    q: str = ""
    stars: tuple[int, ...] = ()
    group: str | None = None
    province: int | None = None
    ward: int | None = None
    producer: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool = False
    sort: str = "relevance"
    page: int = 1
    subgroup: str | None = None

    @classmethod
    def from_args(cls, args) -> Filters:
        def get(name: str):
            # Asked first: a MultiDict's get raises and catches an exception for a missing key.
            return args.get(name) if name in args else None

        stars = sorted({int(s) for s in args.getlist("stars") if s in ("3", "4", "5")}) if "stars" in args else ()
        group, subgroup = get("group"), get("subgroup")
        province = _int_arg(get("province"))
        sort = get("sort") or "relevance"
        return cls(
            q=(get("q") or "").strip()[: search.MAX_QUERY_LENGTH],
            stars=tuple(stars),
            group=group if group in GROUPS_BY_CODE else None,
            subgroup=subgroup if subgroup in SUBGROUP_TO_GROUP else None,
            province=province if province is not None and geo.province_name(province) else None,
            producer=(get("producer") or "").strip()[:120] or None,
            min_price=_price_arg(get("min_price")),
            max_price=_price_arg(get("max_price")),
            in_stock=get("in_stock") == "1",
            sort=sort if sort in SORTS else "relevance",
            page=max(1, _int_arg(get("page")) or 1),
        )

    def to_args(self, **changes) -> dict:
        """The query string of this listing with `changes`, without defaults (for links)."""
        values = {**self.__dict__, **changes}
        args: dict = {}
        if values["q"]:
            args["q"] = values["q"]
        if values["stars"]:
            args["stars"] = list(values["stars"])
        for name in ("group", "subgroup", "producer", "min_price", "max_price"):
            if values[name] is not None:
                args[name] = values[name]
        if values["province"] is not None:
            args["province"] = f"{values['province']:02d}"  # official two-digit code, as in /origins/01
        if values["in_stock"]:
            args["in_stock"] = 1
        if values["sort"] != "relevance":
            args["sort"] = values["sort"]
        if values["page"] != 1:
            args["page"] = values["page"]
        return args

    @property
    def active(self) -> bool:
        return bool(
            self.stars
            or self.group
            or self.subgroup
            or self.province
            or self.producer
            or self.min_price is not None
            or self.max_price is not None
            or self.in_stock
        )


def _int_arg(raw) -> int | None:
    if raw is None or not re.fullmatch(r"\s*\d{1,9}\s*", str(raw)):
        return None
    return int(raw)


def _price_arg(raw) -> int | None:
    if raw is None:
        return None
    cleaned = re.sub(r"[\s.,₫đ]", "", str(raw))  # "125.000 ₫" as people write it
    return int(cleaned) if re.fullmatch(r"\d{1,12}", cleaned) else None


@dataclass
class FacetValue:
    value: object
    label: str
    count: int
    selected: bool


@dataclass
class Listing:
    filters: Filters
    products: list[cards.CardProduct]
    total: int
    page: int
    pages: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestions: list[cards.CardProduct] = field(default_factory=list)
    in_stock: dict[int, bool] = field(default_factory=dict)
    # Where this listing's facets and order are kept (see selection.select_products): the copy
    # of the catalog's columns and the key. A page may keep with them what it builds from the
    # filters and facets alone (the filter sidebar: views.kept_fragment). None: not kept.
    kept: tuple | None = None


# --- One page -------------------------------------------------------------------------------


def list_products(f: Filters, *, today: date, with_facets: bool = True, page_size: int = PAGE_SIZE) -> Listing:
    """One page of published products for the filters, with facet counts (or without, for the
    producer and origin pages). A page past the end shows the last page.

    A bounded number of statements whatever the page and catalog size. With facets: see
    selection.select_products, from this process's copy of the catalog's columns; then the
    page's cards and their stock, with the catalog's version to check that copy by (done again
    with a fresh copy if the catalog had changed). Without: a count, then the page's cards and
    their stock."""
    if with_facets:
        return _from_columns(f, today, page_size)
    total = _count(f, today)
    pages = max(1, math.ceil(total / page_size))
    page = min(f.page, pages)
    products, in_stock = _page_cards(f, today, page, page_size) if total else ([], {})
    return Listing(filters=f, products=products, total=total, page=page, pages=pages, in_stock=in_stock)


def _from_columns(f: Filters, today: date, page_size: int) -> Listing:
    held = selection.held_columns(today)
    for _ in range(3):  # the catalog rarely changes between two statements, and more rarely twice
        counts, ordered = selection.selected(f, today, held)
        total = len(ordered)
        pages = max(1, math.ceil(total / page_size))
        page = min(f.page, pages)
        ids = ordered[(page - 1) * page_size : page * page_size].tolist()
        products, in_stock, version = cards.load_checked(ids, today=today, with_stock=True)
        current = selection.catalog_columns(today, version)  # reads the version itself when no card did
        if current is held:
            break
        held = current
    listing = Listing(
        filters=f,
        products=products,
        total=total,
        page=page,
        pages=pages,
        facets=_facet_values(f, *counts),
        in_stock=in_stock,
        kept=None if (key := selection.selection_key(f)) is None else (held, key),
    )
    if f.q and total == 0:
        listing.suggestions = _suggestions(f.q, today)
    return listing


def _suggestions(q: str, today: date, limit: int = 8) -> list[cards.CardProduct]:
    """When nothing matches every word: products matching any of them, best first."""
    terms = search.query_terms(q)
    if not terms:
        return []
    found = (
        cards.query()
        .where(columns.listed(), search.matching(terms, any_term=True))
        .order_by(search.relevance(q, terms, any_term=True).desc(), Product.id)
        .limit(limit)
    )
    return cards.fetch(found, today=today)[0]


# --- In SQL: pages without facets (producers, origins), and the tests' reference ------------


def _facet_filters(f: Filters, today: date) -> dict:
    """The filters that are also facets, by facet name, as WHERE clauses."""
    filters = {}
    if f.stars:
        filters["stars"] = and_(Product.star_level.in_(f.stars), Product.star_valid_until >= today)
    if f.group:
        filters["group"] = Product.group_code == f.group
    if f.province:
        filters["province"] = Product.province_code == f.province
    if f.producer:
        filters["producer"] = (
            Product.producer_id == select(Producer.id).where(Producer.slug == f.producer).scalar_subquery()
        )
    return filters


def _conditions(f: Filters, today: date, *, skip: str | None = None, facets: bool = True) -> list:
    """WHERE clauses for the filters, leaving out the facet `skip` (so a facet counts its own
    values), or every facet filter when not `facets`."""
    conditions = [columns.listed()]
    if f.q:
        terms = search.query_terms(f.q)
        # A query of punctuation alone matches nothing, rather than everything.
        conditions.append(search.matching(terms) if terms else false())
    if facets:
        conditions += [clause for name, clause in _facet_filters(f, today).items() if name != skip]
    if f.ward:
        conditions.append(Product.ward_code == f.ward)
    if f.subgroup:
        conditions.append(Product.subgroup_code == f.subgroup)
    if f.min_price is not None:
        conditions.append(Product.price_from_vnd >= f.min_price)
    if f.max_price is not None:
        conditions.append(Product.price_from_vnd <= f.max_price)
    if f.in_stock:
        conditions.append(cards.in_stock())
    return conditions


def _order_keys(f: Filters, today: date) -> list[tuple]:
    """(expression, descending) pairs a listing is ordered by (columns.order does the same in memory)."""
    stars = stars_now(today)
    if f.sort == "newest":
        return [(Product.published_at, True), (Product.id, True)]
    if f.sort == "price_asc":
        return [(Product.price_from_vnd, False), (Product.id, False)]
    if f.sort == "price_desc":
        return [(Product.price_from_vnd, True), (Product.id, False)]
    if f.sort == "stars":
        return [(func.coalesce(stars, 0), True), (Product.published_at, True), (Product.id, True)]
    if f.q and (terms := search.query_terms(f.q)):
        return [(search.relevance(f.q, terms), True), (func.coalesce(stars, 0), True), (Product.id, False)]
    # Without a query: featured first, then newest (an order the listing index can serve).
    return [(Product.featured, True), (Product.published_at, True), (Product.id, True)]


def sql_conditions(f: Filters, today: date) -> list:
    """SQL: the WHERE clauses of the products a listing for `f` shows (for callers that page
    through it in SQL by its sort keys, such as the API)."""
    return _conditions(f, today)


def sql_order_keys(f: Filters, today: date) -> list[tuple]:
    """SQL: the (expression, descending) pairs a listing for `f` is ordered by, the last one
    unique (the product's id)."""
    return _order_keys(f, today)


def _order(f: Filters, today: date):
    return [key.desc() if descending else key.asc() for key, descending in _order_keys(f, today)]


def _count(f: Filters, today: date) -> int:
    return db.session.scalar(select(func.count()).select_from(Product).where(*_conditions(f, today)))


def _page_cards(f: Filters, today: date, page: int, page_size: int) -> tuple[list[cards.CardProduct], dict]:
    """The cards of one page, in order, and their stock: one statement."""
    offset = (page - 1) * page_size
    return cards.top(
        _conditions(f, today), _order(f, today), today=today, limit=page_size, offset=offset, with_stock=True
    )


def _facet_values(f: Filters, star_counts, group_counts, province_counts, producer_rows) -> dict[str, list[FacetValue]]:
    group_names = _group_names(str(get_locale()))
    return {
        "stars": [FacetValue(s, str(s), star_counts.get(s, 0), s in f.stars) for s in (5, 4, 3)],
        "group": [
            FacetValue(g.code, group_names[g.code], group_counts.get(g.code, 0), g.code == f.group) for g in GROUPS
        ],
        "province": sorted(
            (FacetValue(code, _province_label(code), n, code == f.province) for code, n in province_counts.items()),
            key=lambda v: (-v.count, _folded(v.label)),
        ),
        "producer": [FacetValue(slug, name, n, slug == f.producer) for slug, name, n in producer_rows],
    }


# A facet's labels, worked out once (per language): each listing asked again for the six group
# names (a gettext each) and folded some thirty province names to sort them.


@functools.lru_cache(maxsize=8)
def _group_names(locale: str) -> dict[str, str]:
    return {g.code: str(g.name) for g in GROUPS}


@functools.lru_cache(maxsize=256)
def _province_label(code: int) -> str:
    return geo.province_name(code) or str(code)


@functools.lru_cache(maxsize=256)
def _folded(label: str) -> str:
    return fold(label)
