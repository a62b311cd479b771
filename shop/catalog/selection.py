"""Which products a listing or a search shows, its facet counts and its order, from the
catalog's columns in memory (columns.py) and, for a search, the ids of its matches. Nothing here
commits."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
from flask import current_app
from sqlalchemy import String, bindparam, cast, func, literal, select, union

from shop import reads
from shop.catalog import columns, search, word_index
from shop.catalog.groups import GROUP_INDEX, GROUPS
from shop.catalog.models import Product, Variant
from shop.extensions import db
from shop.producers.models import Producer

if TYPE_CHECKING:
    from shop.catalog.listing import Filters

PRODUCER_FACET_SIZE = 30

VERSION = columns.VERSION


def catalog_columns(today: date, version: int | None = None) -> columns.CatalogColumns:
    """This process's copy of the listed catalog's filter and sort values (see
    shop/catalog/columns.py), reloaded when the catalog or the day has changed since.
    `version`: catalog_state's version, when the caller has just read it with another
    statement (else it is read here)."""
    if version is None:
        version = reads.scalar(VERSION)
    held = current_app.extensions.get("catalog_columns")
    if held is None or held.version != version or held.today != today:
        held = current_app.extensions["catalog_columns"] = columns.load(version, today, search.backend())
    return held


def held_columns(today: date) -> columns.CatalogColumns:
    """This process's copy as it is, without asking the database whether it is still current:
    for pages that read the catalog's version with the cards they show (cards.load) rather
    than before them, then check it with catalog_columns(today, version) and do their work
    again in the rare case it had changed. One round trip fewer a page."""
    held = current_app.extensions.get("catalog_columns")
    return held if held is not None and held.today == today else catalog_columns(today)


def select_products(f: Filters, today: date, held: columns.CatalogColumns | None = None) -> tuple[tuple, list[int]]:
    """The facet counts of a listing or a search (stars, groups, provinces: {value: count};
    producers: the top ones' (slug, name, count)) and the ids of all its products in order.

    Which products are listed, their facet values and their sort keys come from the catalog's
    columns in memory (see columns.py); each facet counts the products that all the other
    filters keep. A search first reads from the search index the ids of its matches and of
    the products with the exact phrase and with each exact word, for the relevance (one
    statement). Filters the columns do not hold (stock, a ward) are sets of ids from SQL.

    The answer is kept with the columns, by the filters (all but the page), for the next page
    or visitor: it changes only with the catalog's version or the day, as the columns do. A
    producer's name or slug does not move the version, but renaming a producer rewrites its
    products' search text (which holds the name), which does. Not kept: answers that depend on
    stock (`in_stock`), which changes with every order. `held`: the columns to use (by
    default this process's, checked against the database first)."""
    counts, ordered = selected(f, today, held)
    return counts, ordered.tolist()


def selected(f: Filters, today: date, held: columns.CatalogColumns | None = None) -> tuple[tuple, np.ndarray]:
    """As select_products, the ids as the array they are kept as: a page takes its few ids
    from it (making a list of every listed product's id cost a tenth of a built listing)."""
    held = held or catalog_columns(today)
    key = selection_key(f)
    kept = held.selections.get(key) if key is not None else None
    if kept is None:
        kept = _select(f, held)
        if key is not None:
            held.keep_selection(key, kept)
    return kept


def selection_key(f: Filters) -> tuple | None:
    """What a listing's selection is kept by (see select_products): its filters but the page;
    None for a selection that is not kept."""
    return None if f.in_stock else tuple(value for name, value in vars(f).items() if name != "page")


def _select(f: Filters, held: columns.CatalogColumns) -> tuple[tuple, np.ndarray]:
    terms = search.query_terms(f.q)
    if f.q and not terms:  # a query of punctuation alone matches nothing, rather than everything
        return ({}, {}, {}, []), np.zeros(0, dtype=np.int64)
    if terms:
        found = _find(f.q, terms, held)
        rows, listed = held.positions(found.ids)
        ids, score = found.ids[listed], found.score[listed]
    else:
        rows, ids, score = np.arange(len(held)), held.ids, None
    mask = _other_filters(f, held, rows, ids)
    selection = columns.Selection(held, rows, _facet_masks(f, held, rows), mask)
    kept = selection.kept()
    order = columns.order(held, rows[kept], f.sort, None if score is None else score[kept])
    return _facet_counts(selection), ids[kept][order]


@dataclass
class _Matches:
    """A search's matching product ids (sorted) and their relevance."""

    ids: np.ndarray
    score: np.ndarray


def _find(q: str, terms: list[str], held: columns.CatalogColumns) -> _Matches:
    """The products matching every term, and their relevance: from the words this process
    holds where the backend allows it (word_index.py), else in one statement: the ids of the
    matches, of those with the exact phrase and of those with each exact word."""
    backend = search.backend()
    found = word_index.find(held, terms, backend.exact_texts(q)) if backend.finds_in_memory else None
    if found is not None:
        ids, exact = found
    else:
        relevance = backend.relevance_values(q, terms)
        params = {**backend.match_values(terms), **relevance}
        texts = reads.one(backend.match_statement(terms, relevance), params)
        matches, *exact = (columns.ints(t) for t in texts)
        ids = np.sort(matches)
    score = search.relevance_scores(ids, exact[0], exact[1:]) if exact else np.zeros(len(ids), dtype=np.int64)
    return _Matches(ids, score)


def _other_filters(f: Filters, held, rows, ids) -> np.ndarray:
    """Which of `rows` (products `ids`) the filters that are not facets keep."""

    def having(column: str, value) -> np.ndarray:
        """Which of `ids` have this value in the column."""
        return columns.member(ids, columns.ints(reads.scalar(_having(column), {"having": value})))

    mask = np.ones(len(rows), dtype=bool)
    if f.ward:  # only origin pages choose a ward, without facets: not worth a column
        mask &= having("ward_code", f.ward)
    if f.subgroup:  # likewise: the API filters by subgroup, the pages' facets by group
        mask &= having("subgroup_code", f.subgroup)
    if f.min_price is not None or f.max_price is not None:
        price = held.price[rows]
        mask &= price != held.missing_price
        if f.min_price is not None:
            mask &= price >= f.min_price
        if f.max_price is not None:
            mask &= price <= f.max_price
    if f.in_stock:
        # In stock: a pack with stock that no order holds. Few products are not, at any time:
        # the ones with a sold-out pack and the ones without a price (without packs), each
        # from a partial index, less those with another pack in stock. Reading every pack
        # for the ones in stock cost 2–3 ms over 10,000 products on PostgreSQL.
        mask &= ~columns.member(ids, columns.ints(reads.scalar(_NOT_IN_STOCK)))
    return mask


_sold = Variant.__table__.alias("sold")  # not orm.aliased: that would configure the mappers on import
_candidates = union(
    select(_sold.c.product_id.label("id")).where(_sold.c.on_hand <= _sold.c.reserved),  # as ix_variants_sold_out
    select(Product.id).where(Product.price_from_vnd.is_(None)),  # as ix_products_no_price
).subquery()
# Each candidate's packs are looked up by the product's index. OFFSET 0 keeps PostgreSQL from
# turning the NOT EXISTS into an anti-join, which it would answer by reading every pack: it
# cannot know that few packs are sold out (1.5 ms against 4 over 10,000 products).
_in_stock = select(literal(1)).where(Variant.product_id == _candidates.c.id, Variant.on_hand > Variant.reserved)
_NOT_IN_STOCK = select(func.aggregate_strings(cast(_candidates.c.id, String), " ")).where(~_in_stock.offset(0).exists())


@functools.cache
def _having(column: str):
    """SQL: the ids, as text, of the listed products whose `column` is the parameter `having`:
    built once per column, so that it is compiled once."""
    return select(func.aggregate_strings(cast(Product.id, String), " ")).where(
        columns.listed(), getattr(Product, column) == bindparam("having", None)
    )


def _facet_masks(f: Filters, held, rows) -> dict[str, np.ndarray]:
    """For each facet the filters choose, which of `rows` it keeps."""
    masks = {}
    if f.stars:
        masks["stars"] = np.isin(held.stars[rows], f.stars)
    if f.group:
        masks["group"] = held.group[rows] == GROUP_INDEX[f.group]
    if f.province:
        masks["province"] = held.province[rows] == f.province
    if f.producer:
        producer_id = db.session.scalar(select(Producer.id).where(Producer.slug == f.producer))
        masks["producer"] = held.producer[rows] == (producer_id or -1)
    return masks


def _facet_counts(selection: columns.Selection) -> tuple:
    stars = columns.counts(selection.facet_values("stars"))
    stars.pop(0, None)  # no current certificate: not a star level
    groups = columns.counts(selection.facet_values("group"))
    return (
        stars,
        {GROUPS[n].code: count for n, count in groups.items()},
        columns.counts(selection.facet_values("province")),
        _top_producers(Counter(columns.counts(selection.facet_values("producer"))), selection.columns),
    )


_PRODUCERS_BY_NAME = select(Producer.id, Producer.slug, Producer.name).order_by(Producer.name, Producer.id)


def _top_producers(counts: Counter, held: columns.CatalogColumns) -> list[tuple[str, str, int]]:
    """(slug, name, count) of the producers with the most matches, ties by name, as the
    listing's SQL orders them (the database's collation: every producer's place in its order
    of names is read once per copy of the columns, with the names, a few hundred short rows).
    A producer's name does not move the catalog's version, but renaming one rewrites its
    products' search text (which holds the name), which does."""
    ranked = counts.most_common()
    if not ranked:
        return []
    if not held.producers:
        rows = db.session.execute(_PRODUCERS_BY_NAME)
        held.producers.update((r.id, (place, r.slug, r.name)) for place, r in enumerate(rows))
    cut = ranked[min(len(ranked), PRODUCER_FACET_SIZE) - 1][1]
    candidates = [producer_id for producer_id, n in ranked if n >= cut and producer_id in held.producers]
    candidates.sort(key=lambda producer_id: (-counts[producer_id], held.producers[producer_id][0]))
    return [(*held.producers[i][1:], counts[i]) for i in candidates[:PRODUCER_FACET_SIZE]]
