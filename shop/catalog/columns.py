"""The listed catalog's filter and sort values as numpy arrays, for listings and searches.

A search with thousands of matches spent most of its time reading each match's product row for
its facet values and sort keys: about 2 µs a match on SQLite, and "tra" matches 21,000 of
100,000 products; a listing counted each facet with a GROUP BY over the whole catalog. These
values are few and small, so each process keeps them for every listed product in memory (about
3.5 MB per 100,000 products); a search reads only the ids of its matches from the search index,
and counting facets and ordering a page are a few operations on arrays (see services._select).

The arrays are only a copy: services.catalog_columns reloads them whenever catalog_state's
version has changed since (triggers change it with every product and producer status change,
migration 0008) or the day has changed (stars lapse by date). Nothing here reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


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

    def __post_init__(self):
        # Position of each id in the arrays (-1 for ids not listed), for fast lookups by id.
        position = np.full(int(self.ids.max(initial=0)) + 1, -1, dtype=np.int32)
        position[self.ids] = np.arange(len(self.ids))
        object.__setattr__(self, "_position", position)

    def __len__(self) -> int:
        return len(self.ids)

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
    """Indexes that put `rows` in the listing's order for `sort` (as services._order_keys):
    by relevance for a search (`score`), featured then newest for a listing without one."""
    ids = columns.ids[rows]
    stars = columns.stars[rows].astype(np.int64)
    published = columns.published[rows]
    # np.lexsort sorts by its last key first; each key ascending, so descending ones are negated.
    if sort == "newest":
        return np.argsort(-published, kind="stable")
    if sort == "price_asc":
        return np.lexsort((ids, columns.price[rows]))
    if sort == "price_desc":
        return np.lexsort((ids, -columns.price[rows]))
    if sort == "stars":
        return np.lexsort((-published, -stars))
    if score is None:
        return np.lexsort((-published, -columns.featured[rows]))
    return np.lexsort((ids, -stars, -score))
