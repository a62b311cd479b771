"""Catalog rules: certificates and their validity, the search text, listings with facets and
accent-insensitive search. Nothing here commits."""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from shop import clock, geo
from shop.catalog import columns
from shop.catalog.groups import GROUPS, GROUPS_BY_CODE, SUBGROUP_TO_GROUP
from shop.catalog.models import CatalogState, Certificate, Product, Variant
from shop.errors import NotFound, ValidationError
from shop.extensions import db
from shop.producers.models import Producer
from shop.text import fold

PAGE_SIZE = 24
MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 8
CERTIFICATE_MONTHS = 36
SORTS = ("relevance", "newest", "price_asc", "price_desc", "stars")
# Decision 1489/QĐ-TTg moved 3★ ratings from districts to provinces from 1 July 2025.
TWO_TIER_FROM = date(2025, 7, 1)
STAR_SCORES = {3: (50, 69), 4: (70, 89), 5: (90, 100)}


# --- Certificates ---------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 Jan + 1 month → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_valid_until(decision_date: date) -> date:
    return add_months(decision_date, CERTIFICATE_MONTHS)


def expected_issuer_level(star_level: int, decision_date: date) -> tuple[str, ...]:
    """Who may rate a star level on a date: before July 2025 district (3★), province (4★),
    central (5★); since then province (3★–4★), central (5★)."""
    if star_level == 5:
        return ("central",)
    if decision_date >= TWO_TIER_FROM:
        return ("province",)
    return ("district",) if star_level == 3 else ("province",)


def check_certificate(
    *,
    star_level: int,
    score: int | None,
    decision_date: date,
    valid_until: date,
    issuer_level: str,
    potential_five_star: bool = False,
) -> None:
    """Raises ValidationError when a certificate contradicts the OCOP rules."""
    if star_level not in STAR_SCORES:
        raise ValidationError(_l("Only 3, 4 and 5 stars are certified."), field="star_level")
    if score is not None:
        low, high = STAR_SCORES[star_level]
        if not low <= score <= high:
            raise ValidationError(
                _l("A %(stars)d-star product scores %(low)d–%(high)d.", stars=star_level, low=low, high=high),
                field="score",
            )
    if issuer_level not in expected_issuer_level(star_level, decision_date):
        raise ValidationError(_l("That authority did not rate this star level on that date."), field="issuer_level")
    if valid_until <= decision_date:
        raise ValidationError(_l("A certificate must be valid after its decision date."), field="valid_until")
    if potential_five_star and star_level != 4:
        raise ValidationError(
            _l("Only 4-star products carry the “potential 5-star” label."), field="potential_five_star"
        )


def add_certificate(
    product: Product,
    *,
    star_level: int,
    decision_number: str,
    decision_date: date,
    issuing_body: str,
    issuer_level: str,
    score: int | None = None,
    valid_until: date | None = None,
    potential_five_star: bool = False,
    verification_status: str = "pending",
    document_path: str | None = None,
    today: date | None = None,
) -> Certificate:
    """Record a rating decision (valid 36 months unless stated). Raises ValidationError."""
    valid_until = valid_until or default_valid_until(decision_date)
    check_certificate(
        star_level=star_level,
        score=score,
        decision_date=decision_date,
        valid_until=valid_until,
        issuer_level=issuer_level,
        potential_five_star=potential_five_star,
    )
    certificate = Certificate(
        product=product,
        producer_id=product.producer_id,
        star_level=star_level,
        score=score,
        decision_number=decision_number,
        decision_date=decision_date,
        issuing_body=issuing_body,
        issuer_level=issuer_level,
        valid_until=valid_until,
        potential_five_star=potential_five_star,
        verification_status=verification_status,
        document_path=document_path,
    )
    db.session.add(certificate)
    db.session.flush()
    refresh_rating(product, today or clock.today())
    return certificate


def current_certificate(certificates, today: date) -> Certificate | None:
    """The verified, unexpired certificate with the most stars (the latest among equals)."""
    current = [c for c in certificates if c.is_current(today)]
    return max(current, key=lambda c: (c.star_level, c.decision_date), default=None)


def refresh_rating(product: Product, today: date) -> None:
    """Copy the current certificate's stars onto the product, for fast filters."""
    best = current_certificate(product.certificates, today)
    product.star_level = best.star_level if best else None
    product.star_valid_until = best.valid_until if best else None


def refresh_ratings(today: date) -> int:
    """Re-rate every product whose shown stars have lapsed (run daily: `flask shop refresh-ratings`).

    Lapsed stars never show even before this runs, because every query also checks the date;
    this only lets a product fall back to another certificate that is still valid."""
    products = db.session.scalars(
        select(Product).where(Product.star_valid_until < today).options(selectinload(Product.certificates))
    ).all()
    for product in products:
        refresh_rating(product, today)
    db.session.flush()
    return len(products)


def stars_now(today: date):
    """SQL: the product's current star level, or NULL when it has none or it lapsed."""
    return case((Product.star_valid_until >= today, Product.star_level), else_=None)


# --- Search text ----------------------------------------------------------------------------


def search_texts(product: Product, producer: Producer) -> tuple[str, str]:
    """(exact lower-case text, folded text) of everything a shopper may type to find a product."""
    group = GROUPS_BY_CODE.get(product.group_code)
    parts = [
        product.name_vi,
        product.name_en,
        producer.name,
        product.craft_village,
        product.former_name,
        geo.ward_name(product.ward_code),
        geo.province_name(product.province_code),
        group.name_vi if group else None,
    ]
    if group:
        with force_locale("en"):  # English group names are searchable too ("ornamental")
            parts.append(str(group.name))
    # NFC, as the search normalises queries: the same letter typed either way is one word.
    exact = unicodedata.normalize("NFC", " ".join(p for p in parts if p)).lower()
    return exact, fold(exact)


def refresh_product(product: Product) -> None:
    """Recompute the search text and the lowest price after names, origin or variants changed."""
    producer = product.producer or db.session.get(Producer, product.producer_id)
    product.search_exact, product.search_folded = search_texts(product, producer)
    prices = [v.price_vnd for v in product.variants]
    product.price_from_vnd = min(prices) if prices else None


# --- Listing filters ------------------------------------------------------------------------


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

    @classmethod
    def from_args(cls, args) -> Filters:
        stars = sorted({int(s) for s in args.getlist("stars") if s in ("3", "4", "5")})
        group = args.get("group")
        province = _int_arg(args.get("province"))
        sort = args.get("sort", "relevance")
        return cls(
            q=(args.get("q") or "").strip()[:MAX_QUERY_LENGTH],
            stars=tuple(stars),
            group=group if group in GROUPS_BY_CODE else None,
            province=province if province is not None and geo.province_name(province) else None,
            producer=(args.get("producer") or "").strip()[:120] or None,
            min_price=_price_arg(args.get("min_price")),
            max_price=_price_arg(args.get("max_price")),
            in_stock=args.get("in_stock") == "1",
            sort=sort if sort in SORTS else "relevance",
            page=max(1, _int_arg(args.get("page")) or 1),
        )

    def to_args(self, **changes) -> dict:
        """The query string of this listing with `changes`, without defaults (for links)."""
        values = {**self.__dict__, **changes}
        args: dict = {}
        if values["q"]:
            args["q"] = values["q"]
        if values["stars"]:
            args["stars"] = list(values["stars"])
        for name in ("group", "producer", "min_price", "max_price"):
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


_WORD = re.compile(r"[^\W_]+")  # letters and digits; "_" and punctuation separate words


def query_terms(q: str) -> list[str]:
    return _WORD.findall(fold(q))[:MAX_QUERY_TERMS]


@dataclass
class FacetValue:
    value: object
    label: str
    count: int
    selected: bool


@dataclass
class Listing:
    filters: Filters
    products: list[Product]
    total: int
    page: int
    pages: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestions: list[Product] = field(default_factory=list)
    in_stock: dict[int, bool] = field(default_factory=dict)


def _published():
    """Published products of active producers. Inactive producers are few, so this reads no
    producer row per product and the listing index alone can answer counts."""
    inactive = select(Producer.id).where(Producer.status != "active")
    return and_(Product.status == "published", Product.producer_id.not_in(inactive))


def _search_values(terms: list[str], *, any_term: bool = False) -> dict[str, str]:
    """The bound values of _search_condition, by parameter name."""
    last = len(terms) - 1
    if db.engine.dialect.name == "sqlite":
        return {"match": _fts_folded(terms, any_term=any_term)}
    # Terms are letters and digits only (query_terms), so they are safe inside a pattern.
    return {f"search_pattern{n}": rf"\m{t}" if n == last else rf"\m{t}\M" for n, t in enumerate(terms)}


def _search_condition(terms: list[str], *, any_term: bool = False, product_id=Product.id):
    """Rows matching the folded terms (all of them, or any). Every word must match a whole word
    but the last, which may be the start of one, as people type: "xoi phu th" finds "Xôi Phú
    Thượng". FTS5 on SQLite; on PostgreSQL, word-boundary patterns the trigram index serves.
    The terms are named parameters (see _search_values), so that a statement built for one query
    serves another of the same shape. `product_id`: the column holding the product's id (for
    rows of another table)."""
    values = _search_values(terms, any_term=any_term)
    if db.engine.dialect.name == "sqlite":
        return product_id.in_(_fts_rows("product_search", "match", values["match"]))
    conditions = [Product.search_folded.regexp_match(bindparam(name, value)) for name, value in values.items()]
    condition = or_(*conditions) if any_term else and_(*conditions)
    return condition if product_id is Product.id else product_id.in_(select(Product.id).where(condition))


def _like_escaped(value: str) -> str:
    """`value` for LIKE … ESCAPE '/', as autoescape would write it."""
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _exact_words(q: str) -> list[str]:
    """The words of `q` as typed, with their diacritics, lower-case."""
    return _WORD.findall(unicodedata.normalize("NFC", q).lower())[:MAX_QUERY_TERMS]


def _fts_pattern(words: list[str], n: int) -> str:
    """Word `n` of `words` as an FTS5 string: whole, but the last may be the start of a word."""
    return f'"{words[n]}"' + ("*" if n == len(words) - 1 else "")


def _fts_folded(terms: list[str], *, any_term: bool = False) -> str:
    """FTS5 query: products whose folded text has all `terms` (or any)."""
    words = (_fts_pattern(terms, n) for n in range(len(terms)))
    return "search_folded : (" + (" OR " if any_term else " ").join(words) + ")"


def _relevance_values(q: str, terms: list[str], *, any_term: bool = False) -> dict[str, str]:
    """The bound values of _relevance (and _exact_match), by parameter name: `rel_phrase`, one
    `rel_word<n>` per word, and with `any_term` one `rel_term<n>` per folded term."""
    words = _exact_words(q)
    if db.engine.dialect.name == "sqlite":
        # FTS5 queries; words are letters and digits only, so they are safe inside quotes. The
        # phrase may end with the start of a word, as the search does; words are whole (the
        # start of a word, "an…", can be in half the catalog).
        values = {"rel_phrase": 'search_exact : "' + " ".join(words) + '"*'} if words else {}
        values |= {f"rel_word{n}": f'search_exact : "{word}"' for n, word in enumerate(words)}
        if any_term:
            values |= {f"rel_term{n}": f"search_folded : {_fts_pattern(terms, n)}" for n in range(len(terms))}
        return values
    values = {"rel_phrase": _like_escaped(unicodedata.normalize("NFC", q).lower().strip())} if words else {}
    values |= {f"rel_word{n}": _like_escaped(word) for n, word in enumerate(words)}
    if any_term:
        values |= {f"rel_term{n}": term for n, term in enumerate(terms)}
        values |= {f"rel_term_inside{n}": " " + term for n, term in enumerate(terms)}
    return values


def _fts_rows(index: str, name: str, value: str):
    """SQL: the ids of the products whose text in the FTS5 table `index` matches `value`."""
    condition = text(f"{index} MATCH :{name}").bindparams(bindparam(name, value))
    return select(literal_column("rowid")).select_from(table(index)).where(condition)


def _exact_match(name: str, values: dict[str, str], product_id=Product.id):
    """SQL: the product's text as written contains the phrase or word `name` of _relevance_values.

    On SQLite it is looked up in the search index, which also holds the text with its
    diacritics: one lookup for the whole statement rather than a scan of every match's text."""
    if db.engine.dialect.name == "sqlite":
        return product_id.in_(_fts_rows("product_search", name, values[name]))
    return Product.search_exact.contains(bindparam(name, values[name]), escape="/")


def _word_names(values: dict[str, str]) -> list[str]:
    return [name for name in values if name.startswith("rel_word")]


def _relevance(q: str, terms: list[str], *, any_term: bool = False):
    """SQL, higher is better: the exact phrase as typed (with its diacritics) scores 100 and
    10 per word; otherwise each exact word scores 10. When any term may match (suggestions),
    each folded term found at the start of a word adds 1; when all must, every match has them all.

    A row with the phrase has every word too, so the words are only looked for in rows without
    it. The texts looked for are named parameters (see _relevance_values). A search computes
    the same score from the sets of matches with each (see _search); this one orders
    suggestions and is the reference the tests compare it with."""
    values = _relevance_values(q, terms, any_term=any_term)
    words = _word_names(values)
    if not words:
        return literal(0)
    word_scores = [case((_exact_match(name, values), 10), else_=0) for name in words]
    score = case(
        (_exact_match("rel_phrase", values), 100 + 10 * len(words)), else_=sum(word_scores[1:], word_scores[0])
    )
    for n in range(len(terms) if any_term else 0):
        if db.engine.dialect.name == "sqlite":
            starts = _exact_match(f"rel_term{n}", values)
        else:
            starts = or_(
                Product.search_folded.startswith(bindparam(f"rel_term{n}", values[f"rel_term{n}"])),
                Product.search_folded.contains(bindparam(f"rel_term_inside{n}", values[f"rel_term_inside{n}"])),
            )
        score = score + case((starts, 1), else_=0)
    return score


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
    conditions = [_published()]
    if f.q:
        terms = query_terms(f.q)
        # A query of punctuation alone matches nothing, rather than everything.
        conditions.append(_search_condition(terms) if terms else false())
    if facets:
        conditions += [clause for name, clause in _facet_filters(f, today).items() if name != skip]
    if f.ward:
        conditions.append(Product.ward_code == f.ward)
    if f.min_price is not None:
        conditions.append(Product.price_from_vnd >= f.min_price)
    if f.max_price is not None:
        conditions.append(Product.price_from_vnd <= f.max_price)
    if f.in_stock:
        conditions.append(_in_stock())
    return conditions


def _in_stock():
    return exists().where(Variant.product_id == Product.id, Variant.on_hand > Variant.reserved)


def _order_keys(f: Filters, today: date) -> list[tuple]:
    """(expression, descending) pairs a listing is ordered by."""
    stars = stars_now(today)
    if f.sort == "newest":
        return [(Product.published_at, True), (Product.id, True)]
    if f.sort == "price_asc":
        return [(Product.price_from_vnd, False), (Product.id, False)]
    if f.sort == "price_desc":
        return [(Product.price_from_vnd, True), (Product.id, False)]
    if f.sort == "stars":
        return [(func.coalesce(stars, 0), True), (Product.published_at, True), (Product.id, True)]
    if f.q and (terms := query_terms(f.q)):
        return [(_relevance(f.q, terms), True), (func.coalesce(stars, 0), True), (Product.id, False)]
    # Without a query: featured first, then newest (an order the listing index can serve).
    return [(Product.featured, True), (Product.published_at, True), (Product.id, True)]


def _order(f: Filters, today: date):
    return _directed(_order_keys(f, today))


def _directed(keys: list[tuple]) -> list:
    return [key.desc() if descending else key.asc() for key, descending in keys]


def list_products(f: Filters, *, today: date, with_facets: bool = True, page_size: int = PAGE_SIZE) -> Listing:
    """One page of published products for the filters, with facet counts (or without, for the
    producer and origin pages). A page past the end shows the last page.

    A bounded number of statements whatever the page and catalog size. With facets: see
    _select; then the page's products with their producer, availability and images. Without:
    a count, the page's ids, then those products."""
    if with_facets:
        counts, ordered = _select(f, today)
        facets = _facet_values(f, *counts)
        total = len(ordered)
    else:
        facets, total = {}, _count(f, today)
    pages = max(1, math.ceil(total / page_size))
    page = min(f.page, pages)
    if with_facets:
        ids = ordered[(page - 1) * page_size : page * page_size]
    elif total:
        ids = db.session.scalars(
            select(Product.id)
            .where(*_conditions(f, today))
            .order_by(*_order(f, today))
            .limit(page_size)
            .offset((page - 1) * page_size)
        ).all()
    else:
        ids = []
    products, in_stock = load_products(ids)
    listing = Listing(
        filters=f, products=products, total=total, page=page, pages=pages, facets=facets, in_stock=in_stock
    )
    if f.q and total == 0:
        listing.suggestions = _suggestions(f.q)
    return listing


def load_products(ids: list[int]) -> tuple[list[Product], dict[int, bool]]:
    """Products by id, in that order, with producer and images, and whether each is in stock."""
    if not ids:
        return [], {}
    # Images joined in the same statement (a product has one or two): one round trip fewer
    # than loading them separately, and about 0.5 ms less ORM work for a page of 24.
    rows = db.session.execute(
        select(Product, _in_stock().label("in_stock"))
        .join(Product.producer)
        .options(contains_eager(Product.producer), joinedload(Product.images))
        .where(Product.id.in_(ids))
    ).unique()
    by_id = {product.id: (product, bool(flag)) for product, flag in rows}
    ordered = [by_id[i] for i in ids if i in by_id]
    return [p for p, _ in ordered], {p.id: flag for p, flag in ordered}


def _count(f: Filters, today: date) -> int:
    return db.session.scalar(select(func.count()).select_from(Product).where(*_conditions(f, today)))


def current_stars(product: Product, today: date) -> int | None:
    if product.star_level and product.star_valid_until and product.star_valid_until >= today:
        return product.star_level
    return None


PRODUCER_FACET_SIZE = 30


def _facet_values(f: Filters, star_counts, group_counts, province_counts, producer_rows) -> dict[str, list[FacetValue]]:
    return {
        "stars": [FacetValue(s, str(s), star_counts.get(s, 0), s in f.stars) for s in (5, 4, 3)],
        "group": [FacetValue(g.code, str(g.name), group_counts.get(g.code, 0), g.code == f.group) for g in GROUPS],
        "province": sorted(
            (
                FacetValue(code, geo.province_name(code) or str(code), n, code == f.province)
                for code, n in province_counts.items()
            ),
            key=lambda v: (-v.count, fold(v.label)),
        ),
        "producer": [FacetValue(slug, name, n, slug == f.producer) for slug, name, n in producer_rows],
    }


# --- Search: matches from the index, facets and order from the catalog's columns in memory ---


# Groups are held in the columns by their position in GROUPS.
_GROUP_INDEX = {g.code: n for n, g in enumerate(GROUPS)}


def catalog_columns(today: date) -> columns.CatalogColumns:
    """This process's copy of the listed catalog's filter and sort values (see
    shop/catalog/columns.py), reloaded when the catalog or the day has changed since."""
    version = db.session.scalar(select(CatalogState.version))
    held = current_app.extensions.get("catalog_columns")
    if held is None or held.version != version or held.today != today:
        held = current_app.extensions["catalog_columns"] = _load_columns(version, today)
    return held


def _ints(text_value: str | None) -> np.ndarray:
    return np.fromstring(text_value or "", dtype=np.int64, sep=" ")


def _load_columns(version: int, today: date) -> columns.CatalogColumns:
    """Read the values of every listed product in one statement, as one text per column: about
    0.15 s per 100,000 products on SQLite, where as many result rows take a good part of a
    second. The texts of one SELECT come from one pass over the same rows, so their n-th values
    belong together. The publication order comes as the ids in that order (SQLite feeds an
    aggregate the rows of an ordered subquery in order; PostgreSQL is told so), far cheaper than
    a window function."""
    # Where the database puts NULL when it orders prices: first on SQLite, last on PostgreSQL.
    missing_price = -1 if db.engine.dialect.name == "sqlite" else 2**62
    group_index = case(_GROUP_INDEX, value=Product.group_code)
    values = [
        Product.id,
        func.coalesce(stars_now(today), 0),
        group_index,
        Product.province_code,
        Product.producer_id,
        func.coalesce(Product.price_from_vnd, missing_price),
        cast(Product.featured, Integer),
    ]
    texts = [func.aggregate_strings(cast(value, String), " ") for value in values]
    by_publication = (Product.published_at, Product.id)
    if db.engine.dialect.name == "postgresql":
        published = func.string_agg(cast(Product.id, String), aggregate_order_by(literal(" "), *by_publication))
        published = select(published).where(_published())
    else:
        ordered = select(Product.id).where(_published()).order_by(*by_publication).subquery()
        published = select(func.aggregate_strings(cast(ordered.c.id, String), " "))
    row = db.session.execute(select(*texts, published.scalar_subquery()).where(_published())).one()
    ids, stars, group, province, producer, price, featured, in_publication_order = (_ints(t) for t in row)
    order = np.argsort(ids)
    held = columns.CatalogColumns(
        version=version,
        today=today,
        ids=ids[order],
        stars=stars[order].astype(np.int8),
        group=group[order].astype(np.int8),
        province=province[order].astype(np.int32),
        producer=producer[order].astype(np.int32),
        price=price[order],
        featured=featured[order].astype(np.int8),
        published=np.zeros(len(ids), dtype=np.int32),
        missing_price=missing_price,
    )
    rows, _ = held.positions(in_publication_order)
    held.published[rows] = np.arange(len(rows), dtype=np.int32)
    return held


# Match statements by the number of the query's terms and words (see _match_statement).
_MATCH_STATEMENTS: dict[tuple, Select] = {}


def _match_statement(terms: list[str], values: dict[str, str]):
    """As texts of ids: every product matching the terms, the products with the exact phrase and
    those with each exact word (on PostgreSQL, only among the matches: it compares texts). On
    SQLite this reads the search index only, no product row. Built once per shape (the words
    are bound parameters; `values` are _relevance_values for the query)."""
    shape = (db.engine.dialect.name, len(terms), len(_word_names(values)))
    statement = _MATCH_STATEMENTS.get(shape)
    if statement is not None:
        return statement
    exact_names = ["rel_phrase", *_word_names(values)] if values else []
    if db.engine.dialect.name == "sqlite":

        def ids(name):
            rowid = literal_column("rowid")
            found = select(func.aggregate_strings(cast(rowid, String), " ")).select_from(table("product_search"))
            return found.where(text(f"product_search MATCH :{name}")).scalar_subquery()

        texts = [ids("match"), *(ids(name) for name in exact_names)]
    else:

        def ids(*conditions):
            found = select(func.aggregate_strings(cast(Product.id, String), " "))
            return found.where(_search_condition(terms), *conditions).scalar_subquery()

        texts = [ids(), *(ids(_exact_match(name, values)) for name in exact_names)]
    statement = _MATCH_STATEMENTS[shape] = select(*texts)
    return statement


def _relevance_scores(ids: np.ndarray, phrase: np.ndarray, words: list[np.ndarray]) -> np.ndarray:
    """_relevance's score for each of `ids` (sorted), from the ids with the phrase and with each word."""
    word_score = np.zeros(len(ids), dtype=np.int64)
    for with_word in words:
        word_score += 10 * columns.member(ids, with_word)
    return np.where(columns.member(ids, phrase), 100 + 10 * len(words), word_score)


def _select(f: Filters, today: date) -> tuple[tuple, list[int]]:
    """The facet counts of a listing or a search (stars, groups, provinces: {value: count};
    producers: the top ones' (slug, name, count)) and the ids of all its products in order.

    Which products are listed, their facet values and their sort keys come from the catalog's
    columns in memory (see columns.py); each facet counts the products that all the other
    filters keep. A search first reads from the search index the ids of its matches and of
    the products with the exact phrase and with each exact word, for the relevance (one
    statement). Filters the columns do not hold (stock, a ward) are sets of ids from SQL."""
    held = catalog_columns(today)
    terms = query_terms(f.q)
    if f.q and not terms:  # a query of punctuation alone matches nothing, rather than everything
        return ({}, {}, {}, []), []
    params = {}
    if terms:
        relevance = _relevance_values(f.q, terms)
        params = {**_search_values(terms), **relevance}
        matches, *exact = (_ints(t) for t in db.session.execute(_match_statement(terms, relevance), params).one())
        ids = np.sort(matches)
        score = _relevance_scores(ids, exact[0], exact[1:]) if exact else np.zeros(len(ids), dtype=np.int64)
        rows, listed = held.positions(ids)
        ids, score = ids[listed], score[listed]
    else:
        rows, ids, score = np.arange(len(held)), held.ids, None

    def having(product_id, *conditions) -> np.ndarray:
        """Which of `ids` have a row meeting `conditions` (among the search's matches)."""
        search = [_search_condition(terms, product_id=product_id)] if terms else []
        found = select(func.aggregate_strings(cast(product_id, String), " ")).where(*conditions, *search)
        return columns.member(ids, _ints(db.session.scalar(found, params)))

    mask = np.ones(len(rows), dtype=bool)
    if f.ward:  # only origin pages choose a ward, without facets: not worth a column
        mask &= having(Product.id, Product.ward_code == f.ward)
    if f.min_price is not None or f.max_price is not None:
        price = held.price[rows]
        mask &= price != held.missing_price
        if f.min_price is not None:
            mask &= price >= f.min_price
        if f.max_price is not None:
            mask &= price <= f.max_price
    if f.in_stock:
        mask &= having(Variant.product_id, Variant.on_hand > Variant.reserved)
    facet_masks = {}
    if f.stars:
        facet_masks["stars"] = np.isin(held.stars[rows], f.stars)
    if f.group:
        facet_masks["group"] = held.group[rows] == _GROUP_INDEX[f.group]
    if f.province:
        facet_masks["province"] = held.province[rows] == f.province
    if f.producer:
        producer_id = db.session.scalar(select(Producer.id).where(Producer.slug == f.producer))
        facet_masks["producer"] = held.producer[rows] == (producer_id or -1)

    selection = columns.Selection(held, rows, facet_masks, mask)
    stars = columns.counts(selection.facet_values("stars"))
    stars.pop(0, None)  # no current certificate: not a star level
    groups = columns.counts(selection.facet_values("group"))
    counts = (
        stars,
        {GROUPS[n].code: count for n, count in groups.items()},
        columns.counts(selection.facet_values("province")),
        _top_producers(Counter(columns.counts(selection.facet_values("producer")))),
    )
    kept = selection.kept()
    order = columns.order(held, rows[kept], f.sort, None if score is None else score[kept])
    return counts, ids[kept][order].tolist()


def _top_producers(counts: Counter) -> list[tuple[str, str, int]]:
    """(slug, name, count) of the producers with the most matches, ties by name, as the
    listing's SQL orders them. Only the names of producers that can make the cut are read."""
    ranked = counts.most_common()
    if not ranked:
        return []
    cut = ranked[min(len(ranked), PRODUCER_FACET_SIZE) - 1][1]
    candidates = [producer_id for producer_id, n in ranked if n >= cut]
    # The database orders by name (its collation, as the listing's facet does); the stable sort
    # by count then keeps that order among equal counts.
    rows = db.session.execute(
        select(Producer.id, Producer.slug, Producer.name).where(Producer.id.in_(candidates)).order_by(Producer.name)
    ).all()
    rows = sorted(rows, key=lambda r: -counts[r.id])[:PRODUCER_FACET_SIZE]
    return [(r.slug, r.name, counts[r.id]) for r in rows]


def _suggestions(q: str, limit: int = 8) -> list[Product]:
    """When nothing matches every word: products matching any of them, best first."""
    terms = query_terms(q)
    if not terms:
        return []
    return list(
        db.session.scalars(
            select(Product)
            .join(Product.producer)
            .where(_published(), _search_condition(terms, any_term=True))
            .options(contains_eager(Product.producer), selectinload(Product.images))
            .order_by(_relevance(q, terms, any_term=True).desc(), Product.id)
            .limit(limit)
        ).unique()
    )


# --- Single pages ---------------------------------------------------------------------------


@dataclass
class ProductPage:
    product: Product
    certificate: Certificate | None
    stars: int | None
    latest_certificate: Certificate | None
    same_origin: list[Product]


def product_page(slug: str, *, today: date) -> ProductPage:
    """A published product with its variants, images, certificates and neighbours. Raises NotFound."""
    product = db.session.scalar(
        select(Product)
        .join(Product.producer)
        .where(Product.slug == slug, _published())
        .options(
            contains_eager(Product.producer),
            selectinload(Product.variants),
            selectinload(Product.images),
            selectinload(Product.certificates),
        )
    )
    if product is None:
        raise NotFound()
    certificate = current_certificate(product.certificates, today)
    latest = max(product.certificates, key=lambda c: c.decision_date, default=None)
    same_origin = list(
        db.session.scalars(
            select(Product)
            .join(Product.producer)
            .where(_published(), Product.province_code == product.province_code, Product.id != product.id)
            .options(contains_eager(Product.producer), selectinload(Product.images))
            .order_by(
                (Product.ward_code == product.ward_code).desc(), func.coalesce(stars_now(today), 0).desc(), Product.id
            )
            .limit(4)
        ).unique()
    )
    return ProductPage(
        product=product,
        certificate=certificate,
        stars=certificate.star_level if certificate else None,
        latest_certificate=latest,
        same_origin=same_origin,
    )


def producer_by_slug(slug: str) -> Producer:
    producer = db.session.scalar(select(Producer).where(Producer.slug == slug, Producer.status == "active"))
    if producer is None:
        raise NotFound()
    return producer


def producer_certificates(producer: Producer) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .join(Certificate.product)
            .where(
                Certificate.producer_id == producer.id,
                Product.status == "published",
                Certificate.verification_status == "verified",
            )
            .order_by(Certificate.decision_date.desc())
        )
    )


def origin_producers(province_code: int, ward_code: int | None = None) -> list[Producer]:
    query = select(Producer).where(Producer.status == "active", Producer.province_code == province_code)
    if ward_code is not None:
        query = query.where(Producer.ward_code == ward_code)
    return list(db.session.scalars(query.order_by(Producer.name)))


def check_origin(province_code: int, ward_code: int | None = None) -> None:
    """Raises NotFound for a province or ward code that does not exist (or a ward elsewhere)."""
    if geo.province_name(province_code) is None:
        raise NotFound()
    if ward_code is not None and not geo.ward_in_province(province_code, ward_code):
        raise NotFound()


# --- Home -----------------------------------------------------------------------------------


def home_sections(*, today: date, shelf_size: int = 4) -> dict:
    """Featured products, one shelf per star level (the newest first), the six groups with
    counts, top origins: all chosen from the catalog's columns, then the products of every
    shelf load at once."""
    held = catalog_columns(today)
    newest_first = np.lexsort((-held.published,))

    def shelf(keep: np.ndarray) -> list[int]:
        return held.ids[newest_first[keep[newest_first]][:shelf_size]].tolist()

    picks = {"featured": shelf(held.featured == 1)} | {level: shelf(held.stars == level) for level in (5, 4, 3)}
    products, _ = load_products(sorted({i for ids in picks.values() for i in ids}))
    by_id = {p.id: p for p in products}
    group_counts = columns.counts(held.group)
    origins = sorted(columns.counts(held.province).items(), key=lambda item: (-item[1], item[0]))[:8]
    return {
        "featured": [by_id[i] for i in picks["featured"] if i in by_id],
        "shelves": {level: [by_id[i] for i in picks[level] if i in by_id] for level in (5, 4, 3)},
        "groups": [(g, group_counts.get(n, 0)) for n, g in enumerate(GROUPS)],
        "origins": [(code, geo.province_name(code), n) for code, n in origins],
    }


def sitemap_entries() -> dict:
    products = db.session.execute(
        select(Product.slug, Product.published_at).join(Product.producer).where(_published()).order_by(Product.id)
    ).all()
    producers = db.session.scalars(select(Producer.slug).where(Producer.status == "active").order_by(Producer.id)).all()
    origins = db.session.execute(
        select(Product.province_code, Product.ward_code).join(Product.producer).where(_published()).distinct()
    ).all()
    return {"products": products, "producers": producers, "origins": sorted(set(origins))}


def subgroup_belongs(group_code: str, subgroup_code: str | None) -> bool:
    return subgroup_code is None or SUBGROUP_TO_GROUP.get(subgroup_code) == group_code
