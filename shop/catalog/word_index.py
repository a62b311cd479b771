"""A search's matches found in memory, from every listed product's folded words, kept with this
process's copy of the catalog's columns (columns.py) and as current as they are.

On PostgreSQL a search's statement read its matches from the word index, then each match's
row to look for the exact words in it: 0.1–3.5 ms of the database's time a search over 10,000
products (a common word matches a quarter of them), on the two cores the shop's workers share
with it. The same words, held by each worker, are found in microseconds: the words of every
listed product are read once per copy of the columns, at the first search, with the catalog's
version (a copy that is out of date is not used: the search asks the database instead).

The answer is the database's, word for word: words are split as query_terms splits a query
(letters and digits), every term must be a whole word but the last, which may start one, and
the exact phrase and words as typed are looked for anywhere in the text as written, as the
PostgreSQL backend does (search.WordIndexSearch)."""

from __future__ import annotations

import bisect
from typing import NamedTuple

import numpy as np
from sqlalchemy import select

from shop import reads
from shop.catalog import columns, search
from shop.catalog.models import Product

# Up to this many listed products the words are held; past it the database answers. Measured
# on PostgreSQL: 10,000 products take 0.14 s to read and index once per copy of the columns,
# 6 MB a process, and a query at most 2.4 ms (a one-letter word in half the catalog), where
# the database spent up to 3.5; 100,000 take 1.5 s, 58 MB a process, and such a query 130 ms
# (its exact words are looked for in 55,000 texts one by one), where the database takes 21.
HELD_UP_TO = 20_000

# The texts every listed product is found by, in the columns' order of ids, and the version
# of the catalog they were read at.
_TEXTS = (
    select(Product.id, Product.search_folded, Product.search_exact, columns.VERSION.scalar_subquery())
    .where(columns.listed())
    .order_by(Product.id)
)


class WordIndex:
    """Every word of the listed products' folded texts, in alphabetical order (so that the
    words starting with a term are a range), and which products have each: positions in the
    columns, word by word, in one array (`starts[w]` to `starts[w + 1]`)."""

    def __init__(self, folded: list[str], exact: list[str]):
        ids_of_word: dict[str, int] = {}
        word_of, owner = [], []
        for position, text in enumerate(folded):
            for word in set(search.WORD.findall(text or "")):
                word_of.append(ids_of_word.setdefault(word, len(ids_of_word)))
                owner.append(position)
        self.words = sorted(ids_of_word)
        rank = np.empty(len(self.words), dtype=np.int64)
        for place, word in enumerate(self.words):
            rank[ids_of_word[word]] = place
        word_rank = rank[np.array(word_of, dtype=np.int64)] if word_of else np.zeros(0, dtype=np.int64)
        by_word = np.argsort(word_rank, kind="stable")  # positions stay in order within a word
        self.owners = np.array(owner, dtype=np.int64)[by_word]
        self.starts = np.searchsorted(word_rank[by_word], np.arange(len(self.words) + 1))
        self.size = len(folded)
        self.exact = exact

    def _range(self, term: str, prefix: bool) -> tuple[int, int]:
        """The words equal to `term` (or, `prefix`, starting with it), as a range of ranks."""
        low = bisect.bisect_left(self.words, term)
        if not prefix:
            return low, low + (low < len(self.words) and self.words[low] == term)
        return low, bisect.bisect_left(self.words, term + "\U0010ffff")

    def matches(self, terms: list[str]) -> np.ndarray:
        """Positions (ascending) of the products with every term, the last one as the start of
        a word: the whole words first, which are the narrowest, then the start."""
        found = None
        for n, term in enumerate(terms):
            low, high = self._range(term, prefix=n == len(terms) - 1)
            owners = self.owners[self.starts[low] : self.starts[high]]
            if n < len(terms) - 1:  # one word: its positions, ascending, once each
                found = owners if found is None else np.intersect1d(found, owners, assume_unique=True)
            else:  # the words starting with the term: a product may have several of them
                having = np.zeros(self.size, dtype=bool)
                having[owners] = True
                found = np.flatnonzero(having) if found is None else found[having[found]]
            if not len(found):
                break
        return found

    def containing(self, positions: np.ndarray, text: str) -> np.ndarray:
        """Which of `positions` have `text` anywhere in their text as written."""
        exact = self.exact
        return positions[np.array([text in exact[p] for p in positions.tolist()], dtype=bool)]


class Found(NamedTuple):
    ids: np.ndarray  # the matches' ids, ascending
    exact: list[np.ndarray]  # the ids with the exact phrase, then with each exact word


def find(held: columns.CatalogColumns, terms: list[str], exact_texts: list[str]) -> Found | None:
    """The listed products matching every term, and those of them whose text as written has
    each of `exact_texts`, from `held`'s words (None when they could not be read at its
    version, or the catalog is too large to hold them: the caller asks the database)."""
    if len(held) > HELD_UP_TO:
        return None
    index = _index(held)
    if index is None:
        return None
    positions = index.matches(terms)
    # Positions follow the columns' ids, which ascend (columns.load orders them by id).
    exact = [held.ids[index.containing(positions, text)] for text in exact_texts]
    return Found(held.ids[positions], exact)


def _index(held: columns.CatalogColumns) -> WordIndex | None:
    index = held.kept.get("words")
    if index is None:
        if reads.scalar(columns.VERSION) != held.version:
            return None  # out of date: the page reads a fresh copy of the columns next
        rows = reads.rows(_TEXTS)
        if not rows or rows[0][3] != held.version or len(rows) != len(held):
            return None  # the catalog moved since the columns were read: not kept
        if not np.array_equal(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)), held.ids):
            return None
        index = held.kept["words"] = WordIndex([r[1] for r in rows], [r[2] or "" for r in rows])
    return index
