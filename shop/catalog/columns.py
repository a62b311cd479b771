"""The listed catalog's filter and sort values as numpy arrays, for listings and searches.

A search with thousands of matches spent most of its time reading each match's product row for
its facet values and sort keys: about 2 µs a match on SQLite, and "tra" matches 21,000 of
100,000 products; a listing counted each facet with a GROUP BY over the whole catalog. These
values are few and small, so each process keeps them for every listed product in memory (about
3.5 MB per 100,000 products); a search reads only the ids of its matches from the search index,
and counting facets and ordering a page are a few operations on arrays (see selection.py).

The arrays are only a copy, read by `load`: selection.catalog_columns reloads them whenever
catalog_state's version has changed since (triggers change it with every product and producer
status change, migration 0007_catalog_version) or the day has changed (stars lapse by date). Apart from `load`,
nothing here reads the database.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sqlalchemy import Integer, String, and_, case, cast, func, literal_column, select

from shop.catalog.certificates import stars_now
from shop.catalog.groups import GROUP_INDEX
from shop.catalog.models import CatalogState, Product
from shop.extensions import db
from shop.producers.models import Producer

SELECTIONS_KEPT = 256

# catalog_state's version, read by its key. Without it PostgreSQL scans the table, which keeps
# the pages of every version ever written until VACUUM FULL: after a catalog import (a
# transaction moving the version 10,000 times) 55 pages, 0.25 ms on every page that asks.
VERSION = select(CatalogState.version).where(CatalogState.id == 1)


@dataclass(frozen=True, eq=False)
class CatalogColumns:
    """One value per listed product (published, of an active producer), in the order of `ids`.

    `stars` is the current star level (0 without a valid certificate), `group` an index into
    GROUPS, `price` the lowest price (`missing_price` where there is none, placed where the
    database sorts NULL), `featured` 1 or 0, `published` each product's rank by (published_at,
    id)."""

    version: int
    today: object
    ids: np.ndarray
    stars: np.ndarray
    group: np.ndarray
    province: np.ndarray
    producer: np.ndarray
    price: np.ndarray
    featured: np.ndarray
    published: np.ndarray
    missing_price: int
    _position: np.ndarray = field(repr=False, default=None)
    # Every listed product's position in each sort's order, worked out at its first use (order).
    _ranked: dict = field(repr=False, default_factory=dict)
    # Listings and searches worked out from these columns, by their filters (see
    # selection.select_products): at most SELECTIONS_KEPT, the oldest go first.
    selections: dict = field(repr=False, default_factory=dict)
    # Producers by id: (place in the database's order of names, slug, name), read at their
    # first use (selection._top_producers).
    producers: dict = field(repr=False, default_factory=dict)
    # What else is worked out once per copy, by name (word_index.py's words).
    kept: dict = field(repr=False, default_factory=dict)

    def __post_init__(self):
        # Position of each id in the arrays (-1 for ids not listed), for fast lookups by id.
        position = np.full(int(self.ids.max(initial=0)) + 1, -1, dtype=np.int32)
        position[self.ids] = np.arange(len(self.ids))
        object.__setattr__(self, "_position", position)

    def __len__(self) -> int:
        return len(self.ids)

    def keep_selection(self, key, selection) -> None:
        self.selections[key] = selection
        if len(self.selections) > SELECTIONS_KEPT:
            with contextlib.suppress(StopIteration, KeyError, RuntimeError):  # another thread got there first
                del self.selections[next(iter(self.selections))]

    def positions(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions of the listed ones among `ids`, which of `ids` are listed)."""
        inside = ids < len(self._position)
        found = np.full(len(ids), -1, dtype=np.int32)
        found[inside] = self._position[ids[inside]]
        listed = found >= 0
        return found[listed], listed


@dataclass
class Selection:
    """Some listed products (`rows`, positions in the columns) and, for each, whether it passes
    each facet's filter and every other filter."""

    columns: CatalogColumns
    rows: np.ndarray
    facet_masks: dict[str, np.ndarray]
    mask: np.ndarray  # the filters that are not facets

    def facet_values(self, name: str) -> np.ndarray:
        """The values of facet `name` among the rows that every filter but its own keeps."""
        keep = self.mask.copy()
        for other, facet_mask in self.facet_masks.items():
            if other != name:
                keep &= facet_mask
        return getattr(self.columns, name)[self.rows[keep]]

    def kept(self) -> np.ndarray:
        """Indexes into `rows` of the rows every filter keeps."""
        keep = self.mask.copy()
        for facet_mask in self.facet_masks.values():
            keep &= facet_mask
        return np.flatnonzero(keep)


def counts(values: np.ndarray) -> dict[int, int]:
    """How often each value (a non-negative integer) occurs, for the values that occur."""
    if not len(values):
        return {}
    per_value = np.bincount(values)
    found = np.flatnonzero(per_value)
    return dict(zip(found.tolist(), per_value[found].tolist(), strict=True))


def member(ids: np.ndarray, subset: np.ndarray) -> np.ndarray:
    """Which of `ids` are in `subset` (non-negative integers): one pass over each."""
    if not len(ids) or not len(subset):
        return np.zeros(len(ids), dtype=bool)
    marked = np.zeros(max(int(ids.max()), int(subset.max())) + 1, dtype=bool)
    marked[subset] = True
    return marked[ids]


def order(columns: CatalogColumns, rows: np.ndarray, sort: str, score: np.ndarray | None) -> np.ndarray:
    """Indexes that put `rows` in the listing's order for `sort` (as listing._order_keys):
    by relevance for a search (`score`), featured then newest for a listing without one.

    Apart from relevance, an order depends on the products' values alone, so the whole
    catalog is sorted once per copy of the columns and a listing's rows are picked out of that
    order in one pass (a sort of every listed product took half a millisecond a page)."""
    if sort == "relevance" and score is not None:
        ids = columns.ids[rows]
        return np.lexsort((ids, -columns.stars[rows].astype(np.int64), -score))
    ranked = columns._ranked.get(sort)
    if ranked is None:
        ranked = columns._ranked[sort] = _sorted(columns, np.arange(len(columns)), sort)
    within = np.full(len(columns), -1, dtype=np.int64)
    within[rows] = np.arange(len(rows))
    found = within[ranked]
    return found[found >= 0]


def _sorted(columns: CatalogColumns, rows: np.ndarray, sort: str) -> np.ndarray:
    """Indexes that put `rows` in the order of `sort`, relevance meaning featured then newest."""
    ids = columns.ids[rows]
    published = columns.published[rows]
    # np.lexsort sorts by its last key first; each key ascending, so descending ones are negated.
    if sort == "newest":
        return np.argsort(-published, kind="stable")
    if sort == "price_asc":
        return np.lexsort((ids, columns.price[rows]))
    if sort == "price_desc":
        return np.lexsort((ids, -columns.price[rows]))
    if sort == "stars":
        return np.lexsort((-published, -columns.stars[rows].astype(np.int64)))
    return np.lexsort((-published, -columns.featured[rows]))


def listed():
    """SQL: the products a listing may show, the ones the columns hold: published products of
    active producers. Inactive producers are few, so this reads no producer row per product and
    the listing index alone can answer counts."""
    inactive = select(Producer.id).where(Producer.status != "active")
    return and_(Product.status == "published", Product.producer_id.not_in(inactive))


def ints(text_value: str | None) -> np.ndarray:
    """The integers of a text of space-separated ids, as the database aggregates them."""
    return np.fromstring(text_value or "", dtype=np.int64, sep=" ")


def load(version: int, today: date, database) -> CatalogColumns:
    """Read the values of every listed product in one statement, as one text per column: about
    0.15 s per 100,000 products on SQLite, where as many result rows take a good part of a
    second. The texts of one SELECT come from one pass over the same rows, so their n-th values
    belong together. The publication order comes as the ids in that order (`database`, the
    search backend, knows how its database aggregates in order), far cheaper than a window
    function."""
    missing_price = database.missing_price
    values = [
        Product.id,
        func.coalesce(stars_now(today), 0),
        case(GROUP_INDEX, value=Product.group_code),
        Product.province_code,
        Product.producer_id,
        # Written into the SQL: a constant of the shop, never a number a visitor sent.
        func.coalesce(Product.price_from_vnd, literal_column(str(int(missing_price)))),
        cast(Product.featured, Integer),
    ]
    texts = [func.aggregate_strings(cast(value, String), " ") for value in values]
    published = database.ids_in_order(listed(), Product.published_at, Product.id)
    row = db.session.execute(select(*texts, published.scalar_subquery()).where(listed())).one()
    ids, stars, group, province, producer, price, featured, in_publication_order = (ints(t) for t in row)
    order = np.argsort(ids)
    held = CatalogColumns(
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
