"""Catalog rules: certificates and their validity, the search text, listings with facets and
accent-insensitive search. Nothing here commits."""

from __future__ import annotations

import calendar
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
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
    true,
)
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from shop import geo
from shop.catalog.groups import GROUPS, GROUPS_BY_CODE, SUBGROUP_TO_GROUP
from shop.catalog.models import Certificate, Product, Variant
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


def today_vn() -> date:
    """Today's date in Vietnam, the day certificates lapse on."""
    from zoneinfo import ZoneInfo

    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()


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
    refresh_rating(product, today or today_vn())
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
    exact = " ".join(p for p in parts if p).lower()
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
        words = (f'"{t}"*' if n == last else f'"{t}"' for n, t in enumerate(terms))
        return {"match": (" OR " if any_term else " ").join(words)}
    # Terms are letters and digits only (query_terms), so they are safe inside a pattern.
    return {f"search_pattern{n}": rf"\m{t}" if n == last else rf"\m{t}\M" for n, t in enumerate(terms)}


def _search_condition(terms: list[str], *, any_term: bool = False):
    """Rows matching the folded terms (all of them, or any). Every word must match a whole word
    but the last, which may be the start of one, as people type: "xoi phu th" finds "Xôi Phú
    Thượng". FTS5 on SQLite; on PostgreSQL, word-boundary patterns the trigram index serves.
    The terms are named parameters (see _search_values), so that a statement built for one query
    serves another of the same shape."""
    values = _search_values(terms, any_term=any_term)
    if db.engine.dialect.name == "sqlite":
        fts = table("product_search")
        ids = select(literal_column("rowid")).select_from(fts).where(text("product_search MATCH :match"))
        return Product.id.in_(ids.params(values))
    conditions = [Product.search_folded.regexp_match(bindparam(name, value)) for name, value in values.items()]
    return or_(*conditions) if any_term else and_(*conditions)


def _like_escaped(value: str) -> str:
    """`value` for LIKE … ESCAPE '/', as autoescape would write it."""
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _relevance_values(q: str, terms: list[str]) -> dict[str, str]:
    """The bound values of _relevance, by parameter name."""
    q_lower = q.lower().strip()
    values = {"rel_phrase": _like_escaped(q_lower)}
    for n, word in enumerate(_WORD.findall(q_lower)[:MAX_QUERY_TERMS]):
        values[f"rel_word{n}"] = _like_escaped(word)
    for n, term in enumerate(terms):
        values[f"rel_term{n}"] = term
        values[f"rel_term_inside{n}"] = " " + term
    return values


def _relevance(q: str, terms: list[str]):
    """Higher is better: the exact phrase as typed (with its diacritics), then each exact word,
    then each folded word found at the start of a word.

    Each word of the phrase is part of it, so a row with the phrase has every word too: the
    words are only looked for in rows without it (the same score, with fewer scans of the text
    per match, which is most of a broad search's cost). The texts looked for are named
    parameters (see _relevance_values)."""
    values = _relevance_values(q, terms)

    def param(name):
        return bindparam(name, values[name])

    def exact(name):
        return Product.search_exact.contains(param(name), escape="/")

    word_scores = [case((exact(name), 10), else_=0) for name in values if name.startswith("rel_word")]
    word_score = sum(word_scores[1:], word_scores[0]) if word_scores else literal(0)
    score = case((exact("rel_phrase"), 100 + 10 * len(word_scores)), else_=word_score)
    for n in range(len(terms)):
        starts = or_(
            Product.search_folded.startswith(param(f"rel_term{n}")),
            Product.search_folded.contains(param(f"rel_term_inside{n}")),
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
    """One page of published products for the filters, with facet counts.

    A bounded number of statements whatever the page and catalog size: the facet counts (one
    GROUP BY per facet for a listing, then the top producers' names; the group facet also gives
    the total; without facets, one count), the page's ids, then those products with their
    producer and availability, and their images. A search finds its facet counts and its page's
    ids in one statement. A page past the end shows the last page."""
    ids = None
    if f.q and with_facets:
        counts, ids = _search_facets_and_page(f, today, page=f.page, page_size=page_size)
        facets = _facet_values(f, *counts)
    else:
        facets = _facets(f, today) if with_facets else {}
    total = _total_from_facets(f, facets) if facets else _count(f, today)
    pages = max(1, math.ceil(total / page_size))
    page = min(f.page, pages)
    if ids is None or page != f.page:
        ids = []
        if total:
            ids = db.session.scalars(
                select(Product.id)
                .where(*_conditions(f, today))
                .order_by(*_order(f, today))
                .limit(page_size)
                .offset((page - 1) * page_size)
            ).all()
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


def _total_from_facets(f: Filters, facets: dict) -> int:
    # Every product is in exactly one group, and the group facet applies every other filter.
    return sum(v.count for v in facets["group"] if not f.group or v.value == f.group)


def current_stars(product: Product, today: date) -> int | None:
    if product.star_level and product.star_valid_until and product.star_valid_until >= today:
        return product.star_level
    return None


PRODUCER_FACET_SIZE = 30


def _facets(f: Filters, today: date) -> dict[str, list[FacetValue]]:
    return _facet_values(f, *_listing_facet_counts(f, today))


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


def _listing_facet_counts(f: Filters, today: date):
    """One GROUP BY per facet, each with every filter but its own. Without a query, the listing
    index answers these without reading product rows."""

    def counts(column, skip, *extra):
        return select(column, func.count()).where(*_conditions(f, today, skip=skip), *extra).group_by(column)

    # Plain columns in GROUP BY, so that the listing index answers without reading rows.
    star_counts = dict(db.session.execute(counts(Product.star_level, "stars", Product.star_valid_until >= today)).all())
    group_counts = dict(db.session.execute(counts(Product.group_code, "group")).all())
    province_counts = dict(db.session.execute(counts(Product.province_code, "province")).all())
    per_producer = counts(Product.producer_id, "producer").subquery()
    producer_rows = db.session.execute(
        select(Producer.slug, Producer.name, per_producer.c.count)
        .join(per_producer, per_producer.c.producer_id == Producer.id)
        .order_by(per_producer.c.count.desc(), Producer.name)
        .limit(PRODUCER_FACET_SIZE)
    ).all()
    return star_counts, group_counts, province_counts, producer_rows


_FACETS = (("stars", "f_stars"), ("group", "f_group"), ("province", "f_province"), ("producer", "f_producer"))


# Search statements by shape (see _search_facets_and_page): statements only, never results.
_SEARCH_STATEMENTS: dict[tuple, Select] = {}


def _search_facets_and_page(f: Filters, today: date, *, page: int, page_size: int):
    """A search's facet counts (as _listing_facet_counts gives them) and the ids of one page of
    its results, in order, from one statement.

    A search reads every matching product row (the listing index cannot say which products
    match); with thousands of matches those reads, and ranking each match, are most of the
    cost. So the matches are found and read once, into a materialized CTE holding per match its
    value of each facet and its sort keys; from it come both each facet's values as
    comma-separated text, which Python counts (a GROUP BY per facet would cost a pass each),
    and the page. A facet's value is left out (NULL, which the aggregate skips) for a match
    that another active facet filter excludes; the filters that are not facets apply to every
    match, and the page takes only the matches every facet filter keeps."""
    terms = query_terms(f.q)
    # The statement depends on the filters, the page and how many words the query has, not on
    # the words themselves (bound parameters): built once per shape, it saves building and
    # hashing a large SQLAlchemy statement on every search. Only the statement is kept, never a
    # result.
    words = len(_WORD.findall(f.q.lower().strip())[:MAX_QUERY_TERMS])
    shape = (db.engine.dialect.name, today, f.stars, f.group, f.province, f.ward, f.producer, f.min_price)
    shape += (f.max_price, f.in_stock, f.sort, page, page_size, len(terms), words)
    statement = _SEARCH_STATEMENTS.get(shape)
    if statement is None:
        if len(_SEARCH_STATEMENTS) >= 500:
            _SEARCH_STATEMENTS.clear()
        statement = _SEARCH_STATEMENTS[shape] = _search_statement(f, today, page=page, page_size=page_size)
    params = {**_search_values(terms), **_relevance_values(f.q, terms)} if terms else {}
    rows = db.session.execute(statement, params).all()
    stars, groups, provinces, producers = (Counter(text.split(",")) if text else Counter() for text in rows[0][1:])
    producer_counts = Counter({int(k): n for k, n in producers.items()})
    counts = (
        {int(k): n for k, n in stars.items()},
        dict(groups),
        {int(k): n for k, n in provinces.items()},
        _top_producers(producer_counts),
    )
    return counts, [row.id for row in rows if row.id is not None]


def _search_statement(f: Filters, today: date, *, page: int, page_size: int):
    """The statement _search_facets_and_page runs, for any query of the shape of `f`'s."""
    facet_filters = _facet_filters(f, today)
    columns = {"stars": stars_now(today), "group": Product.group_code}
    columns |= {"province": Product.province_code, "producer": Product.producer_id}

    def value(name):
        others = [clause for other, clause in facet_filters.items() if other != name]
        text_value = cast(columns[name], String)
        return case((and_(*others), text_value)) if others else text_value

    keys = _order_keys(f, today)
    listed = [and_(*facet_filters.values()).label("listed")] if facet_filters else []
    matches = (
        select(
            Product.id.label("id"),
            *(value(name).label(label) for name, label in _FACETS),
            *(key.label(f"key{n}") for n, (key, _) in enumerate(keys)),
            *listed,
        )
        .where(*_conditions(f, today, facets=False))
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )
    ids = (
        select(matches.c.id, *(matches.c[f"key{n}"] for n in range(len(keys))))
        .where(*([matches.c.listed] if facet_filters else []))
        .order_by(*_directed([(matches.c[f"key{n}"], descending) for n, (_, descending) in enumerate(keys)]))
        .limit(page_size)
        .offset((page - 1) * page_size)
        .subquery("page")
    )
    aggregates = select(*(func.aggregate_strings(matches.c[label], ",").label(label) for _, label in _FACETS))
    aggregates = aggregates.subquery("facets")
    # One row per product of the page (or one with no id when the page is empty), each with the
    # facet texts; ordered again outside, as a subquery's order is not kept.
    return (
        select(ids.c.id, *(aggregates.c[label] for _, label in _FACETS))
        .select_from(aggregates.outerjoin(ids, true()))
        .order_by(*_directed([(ids.c[f"key{n}"], descending) for n, (_, descending) in enumerate(keys)]))
    )


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
            .order_by(_relevance(q, terms).desc(), Product.id)
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
    """Featured products, one shelf per star level, the six groups with counts, top origins.

    Each shelf picks its ids from the listing index; the products of every shelf then load at once."""

    def shelf_ids(*conditions) -> list[int]:
        return list(
            db.session.scalars(
                select(Product.id)
                .where(_published(), *conditions)
                .order_by(Product.published_at.desc(), Product.id.desc())
                .limit(shelf_size)
            )
        )

    picks = {"featured": shelf_ids(Product.featured)}
    for level in (5, 4, 3):
        picks[level] = shelf_ids(Product.star_level == level, Product.star_valid_until >= today)
    products, _ = load_products(sorted({i for ids in picks.values() for i in ids}))
    by_id = {p.id: p for p in products}
    group_counts = dict(
        db.session.execute(
            select(Product.group_code, func.count()).where(_published()).group_by(Product.group_code)
        ).all()
    )
    origins = db.session.execute(
        select(Product.province_code, func.count())
        .where(_published())
        .group_by(Product.province_code)
        .order_by(func.count().desc(), Product.province_code)
        .limit(8)
    ).all()
    return {
        "featured": [by_id[i] for i in picks["featured"] if i in by_id],
        "shelves": {level: [by_id[i] for i in picks[level] if i in by_id] for level in (5, 4, 3)},
        "groups": [(g, group_counts.get(g.code, 0)) for g in GROUPS],
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
