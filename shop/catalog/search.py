"""Accent-insensitive search: the text a product is found by, a query's terms, and one backend
per database (SQLite FTS5, a PostgreSQL word index) behind one interface, chosen by the
session's dialect, so that listings never ask which database they run on. Nothing here commits."""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod

import numpy as np
from flask_babel import force_locale
from sqlalchemy import (
    Select,
    String,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR, aggregate_order_by

from shop import geo
from shop.catalog import columns
from shop.catalog.groups import GROUPS_BY_CODE
from shop.catalog.models import Product
from shop.extensions import db
from shop.producers.models import Producer
from shop.text import fold

MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 8
WORD = re.compile(r"[^\W_]+")  # letters and digits; "_" and punctuation separate words


# --- The text a product is found by ---------------------------------------------------------


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


# --- A query --------------------------------------------------------------------------------


def query_terms(q: str) -> list[str]:
    """The folded words of a query that the search looks for (at most MAX_QUERY_TERMS)."""
    return WORD.findall(fold(q))[:MAX_QUERY_TERMS]


def _exact_words(q: str) -> list[str]:
    """The words of `q` as typed, with their diacritics, lower-case."""
    return WORD.findall(unicodedata.normalize("NFC", q).lower())[:MAX_QUERY_TERMS]


def _word_names(values: dict[str, str]) -> list[str]:
    return [name for name in values if name.startswith("rel_word")]


# --- One backend per database ---------------------------------------------------------------


class SearchBackend(ABC):
    """How one database finds the products matching a query's terms and scores their relevance.

    Every word must match a whole word but the last, which may be the start of one, as people
    type: "xoi phu th" finds "Xôi Phú Thượng". The texts looked for are named parameters (their
    values come from `match_values` and `relevance_values`), so that a statement built for one
    query serves another of the same shape. The backend also knows the two ways its database
    orders that the listing's columns must copy (`missing_price`, `ids_in_order`)."""

    # Where the database puts NULL when it orders prices, as a price (see columns.order).
    missing_price: int
    # Whether a search's matches may come from the words each process holds (word_index.py)
    # rather than from a statement: only where they answer as this database does.
    finds_in_memory = False

    def __init__(self) -> None:
        # Match statements by the number of the query's terms and words (see match_statement).
        self.statements: dict[tuple, Select] = {}

    @abstractmethod
    def match_values(self, terms: list[str], *, any_term: bool = False) -> dict[str, str]:
        """The bound values of `matching`, by parameter name."""

    @abstractmethod
    def matching(self, terms: list[str], *, any_term: bool = False, product_id=Product.id):
        """SQL: rows matching the folded terms (all of them, or any). `product_id`: the column
        holding the product's id (for rows of another table)."""

    @abstractmethod
    def relevance_values(self, q: str, terms: list[str], *, any_term: bool = False) -> dict[str, str]:
        """The bound values of `relevance` (and `exact_match`), by parameter name: `rel_phrase`,
        one `rel_word<n>` per word, and with `any_term` one `rel_term<n>` per folded term."""

    @abstractmethod
    def exact_match(self, name: str, values: dict[str, str], product_id=Product.id):
        """SQL: the product's text as written contains the phrase or word `name` of relevance_values."""

    @abstractmethod
    def term_start(self, n: int, values: dict[str, str]):
        """SQL: folded term `n` of relevance_values starts a word of the product's folded text."""

    @abstractmethod
    def _match_select(self, terms: list[str], exact_names: list[str], values: dict[str, str]) -> Select:
        """One row of texts of ids: the matches, then those with each exact name."""

    @abstractmethod
    def ids_in_order(self, condition, *order_by):
        """SQL: the ids of the products meeting `condition`, ordered, as one text."""

    def match_statement(self, terms: list[str], values: dict[str, str]) -> Select:
        """As texts of ids: every product matching the terms, the products with the exact phrase
        and those with each exact word. Built once per shape (the words are bound parameters;
        `values` are relevance_values for the query)."""
        shape = (len(terms), len(_word_names(values)))
        statement = self.statements.get(shape)
        if statement is None:
            exact_names = ["rel_phrase", *_word_names(values)] if values else []
            statement = self.statements[shape] = self._match_select(terms, exact_names, values)
        return statement

    def relevance(self, q: str, terms: list[str], *, any_term: bool = False):
        """SQL, higher is better: the exact phrase as typed (with its diacritics) scores 100 and
        10 per word; otherwise each exact word scores 10. When any term may match (suggestions),
        each folded term found at the start of a word adds 1; when all must, every match has
        them all.

        A row with the phrase has every word too, so the words are only looked for in rows
        without it. A search computes the same score in memory from the sets of matches with
        each (relevance_scores); this one orders suggestions and is the tests' reference."""
        values = self.relevance_values(q, terms, any_term=any_term)
        words = _word_names(values)
        if not words:
            return literal(0)
        word_scores = [case((self.exact_match(name, values), 10), else_=0) for name in words]
        phrase = self.exact_match("rel_phrase", values)
        score = case((phrase, 100 + 10 * len(words)), else_=sum(word_scores[1:], word_scores[0]))
        for n in range(len(terms) if any_term else 0):
            score = score + case((self.term_start(n, values), 1), else_=0)
        return score


def _fts_pattern(words: list[str], n: int) -> str:
    """Word `n` of `words` as an FTS5 string: whole, but the last may be the start of a word."""
    return f'"{words[n]}"' + ("*" if n == len(words) - 1 else "")


def _fts_rows(index: str, name: str, value: str):
    """SQL: the ids of the products whose text in the FTS5 table `index` matches `value`."""
    condition = text(f"{index} MATCH :{name}").bindparams(bindparam(name, value))
    return select(literal_column("rowid")).select_from(table(index)).where(condition)


def _aggregated_ids(rowid, index: str, name: str):
    found = select(func.aggregate_strings(cast(rowid, String), " ")).select_from(table(index))
    return found.where(text(f"{index} MATCH :{name}")).scalar_subquery()


class Fts5Search(SearchBackend):
    """SQLite: the FTS5 table `product_search` holds each product's folded text and its text as
    written, so that matches and exact words are read from the index alone, no product row."""

    missing_price = -1  # SQLite orders NULL first

    def match_values(self, terms, *, any_term=False):
        words = (_fts_pattern(terms, n) for n in range(len(terms)))
        return {"match": "search_folded : (" + (" OR " if any_term else " ").join(words) + ")"}

    def matching(self, terms, *, any_term=False, product_id=Product.id):
        values = self.match_values(terms, any_term=any_term)
        return product_id.in_(_fts_rows("product_search", "match", values["match"]))

    def relevance_values(self, q, terms, *, any_term=False):
        # FTS5 queries; words are letters and digits only, so they are safe inside quotes. The
        # phrase may end with the start of a word, as the search does; words are whole (the
        # start of a word, "an…", can be in half the catalog).
        words = _exact_words(q)
        values = {"rel_phrase": 'search_exact : "' + " ".join(words) + '"*'} if words else {}
        values |= {f"rel_word{n}": f'search_exact : "{word}"' for n, word in enumerate(words)}
        if any_term:
            values |= {f"rel_term{n}": f"search_folded : {_fts_pattern(terms, n)}" for n in range(len(terms))}
        return values

    def exact_match(self, name, values, product_id=Product.id):
        # Looked up in the search index, which also holds the text with its diacritics: one
        # lookup for the whole statement rather than a scan of every match's text.
        return product_id.in_(_fts_rows("product_search", name, values[name]))

    def term_start(self, n, values):
        return self.exact_match(f"rel_term{n}", values)

    def _match_select(self, terms, exact_names, values):
        rowid = literal_column("rowid")
        return select(*(_aggregated_ids(rowid, "product_search", name) for name in ("match", *exact_names)))

    def ids_in_order(self, condition, *order_by):
        # SQLite feeds an aggregate the rows of an ordered subquery in order.
        ordered = select(Product.id).where(condition).order_by(*order_by).subquery()
        return select(func.aggregate_strings(cast(ordered.c.id, String), " "))


def _like_escaped(value: str) -> str:
    """`value` for LIKE … ESCAPE '/', as autoescape would write it."""
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_")


class WordIndexSearch(SearchBackend):
    """PostgreSQL: a GIN index of each product's folded words (`shop_search_words`, migration
    0013), split as query_terms splits a query, so that every word, however short, is found in
    the index; exact words are looked for in the text as written, among the matches only,
    anywhere in it (FTS5 compares whole words: a one-letter query can rank differently)."""

    missing_price = 2**62  # PostgreSQL orders NULL last

    def match_values(self, terms, *, any_term=False):
        # A tsquery of quoted words, the last one a prefix. Terms are letters and digits only
        # (query_terms), so they are safe inside quotes; the cast does not parse them again.
        words = [f"'{t}'" for t in terms]
        words[-1] += ":*"
        return {"search_words": (" | " if any_term else " & ").join(words)}

    def matching(self, terms, *, any_term=False, product_id=Product.id):
        values = self.match_values(terms, any_term=any_term)
        words = func.shop_search_words(Product.search_folded, type_=TSVECTOR)
        condition = words.op("@@")(cast(bindparam("search_words", values["search_words"]), TSQUERY))
        return condition if product_id is Product.id else product_id.in_(select(Product.id).where(condition))

    # The words of the listed products are also held in memory by each process, where a
    # search finds its matches without a statement (word_index.py): the same answer.
    finds_in_memory = True

    def exact_texts(self, q: str) -> list[str]:
        """What relevance looks for in the text as written: the phrase, then each word (none
        when the query has no word)."""
        words = _exact_words(q)
        return [unicodedata.normalize("NFC", q).lower().strip(), *words] if words else []

    def relevance_values(self, q, terms, *, any_term=False):
        phrase, *words = self.exact_texts(q) or [None]
        values = {"rel_phrase": _like_escaped(phrase)} if words else {}
        values |= {f"rel_word{n}": _like_escaped(word) for n, word in enumerate(words)}
        if any_term:
            values |= {f"rel_term{n}": term for n, term in enumerate(terms)}
            values |= {f"rel_term_inside{n}": " " + term for n, term in enumerate(terms)}
        return values

    def exact_match(self, name, values, product_id=Product.id):
        return Product.search_exact.contains(bindparam(name, values[name]), escape="/")

    def term_start(self, n, values):
        return or_(
            Product.search_folded.startswith(bindparam(f"rel_term{n}", values[f"rel_term{n}"])),
            Product.search_folded.contains(bindparam(f"rel_term_inside{n}", values[f"rel_term_inside{n}"])),
        )

    def _match_select(self, terms, exact_names, values):
        # One pass over the matches: each exact name is a FILTER on the same aggregate. (A
        # subquery each looked the words up again, once per word and phrase: five times for
        # three words.)
        ids = func.aggregate_strings(cast(Product.id, String), " ")
        exact = (ids.filter(self.exact_match(name, values)) for name in exact_names)
        return select(ids, *exact).where(self.matching(terms))

    def ids_in_order(self, condition, *order_by):
        return select(func.string_agg(cast(Product.id, String), aggregate_order_by(literal(" "), *order_by))).where(
            condition
        )


_BACKENDS: dict[str, SearchBackend] = {"sqlite": Fts5Search(), "postgresql": WordIndexSearch()}


def backend() -> SearchBackend:
    """The search backend of the database the session talks to."""
    return _BACKENDS[db.session.get_bind().dialect.name]


def relevance_scores(ids: np.ndarray, phrase: np.ndarray, words: list[np.ndarray]) -> np.ndarray:
    """SearchBackend.relevance's score for each of `ids` (sorted), from the ids with the phrase
    and with each word."""
    word_score = np.zeros(len(ids), dtype=np.int64)
    for with_word in words:
        word_score += 10 * columns.member(ids, with_word)
    return np.where(columns.member(ids, phrase), 100 + 10 * len(words), word_score)


def matching(terms: list[str], *, any_term: bool = False, product_id=Product.id):
    """SQL: rows matching the folded terms (all, or any), by the session's backend."""
    return backend().matching(terms, any_term=any_term, product_id=product_id)


def relevance(q: str, terms: list[str], *, any_term: bool = False):
    """SQL: a query's relevance score (see SearchBackend.relevance)."""
    return backend().relevance(q, terms, any_term=any_term)
