"""Search: accent-insensitive, whole words but the last, exact diacritics first; the same
answers from each database's backend."""

import shutil

import pytest
from flask import current_app
from sqlalchemy.dialects import postgresql
from werkzeug.datastructures import MultiDict

from shop import create_app
from shop.catalog import search, word_index
from shop.catalog.listing import Filters, list_products
from shop.catalog.search import refresh_product
from shop.extensions import db
from tests.catalog import reference
from tests.catalog.conftest import TODAY, build_catalog, names
from tests.factories import ProducerFactory
from tests.support.builders import make_product


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("xoi phu thuong", "Xôi Phú Thượng"),
        ("XOI PHU THUONG", "Xôi Phú Thượng"),
        ("dao nhat tan", "Hoa đào Nhật Tân"),
        ("che sen", "Chè Sen Quảng An"),
        ("lotus tea", "Chè Sen Quảng An"),
        ("moc chau", "Chè shan tuyết Mộc Châu"),
        ("son la", "Chè shan tuyết Mộc Châu"),  # by origin
        ("sinh vat canh", "Hoa đào Nhật Tân"),  # by group
        ("ornamental", "Hoa đào Nhật Tân"),  # by group, in English
        ("quang an", "Chè Sen Quảng An"),  # by former name
        ("lang nghe", "Xôi Phú Thượng"),  # by craft village
        ("xoi phu th", "Xôi Phú Thượng"),  # the last word as it is being typed
    ],
)
def test_search_is_accent_insensitive_and_folds_d(catalog, q, found):
    assert found in names(list_products(Filters(q=q), today=TODAY))


@pytest.mark.both_databases
def test_words_before_the_last_must_be_whole_words(catalog):
    assert "Xôi Phú Thượng" not in names(list_products(Filters(q="xo phu thuong"), today=TODAY))


@pytest.mark.both_databases
def test_exact_diacritics_rank_above_folded_matches(catalog):
    assert names(list_products(Filters(q="xôi"), today=TODAY))[0] == "Xôi Phú Thượng"
    assert names(list_products(Filters(q="xơi"), today=TODAY))[0] == "Xơi lá cẩm"


@pytest.mark.both_databases
def test_search_combines_with_facets(catalog):
    listing = list_products(Filters(q="che", stars=(5,)), today=TODAY)
    assert names(listing) == ["Chè Sen Quảng An"]


@pytest.mark.both_databases
def test_searches_of_one_shape_share_a_statement_not_their_words(catalog, monkeypatch):
    # The match statement is built once per shape (number of terms and words) and bound to each
    # query's words: every query must still find its own products, in its own order. (On
    # PostgreSQL searches find their matches in memory when they can: here they may not.)
    monkeypatch.setattr(search.backend(), "finds_in_memory", False)
    for n in range(10):
        make_product(f"Xôi thêm {n}", stars=(3, 4, None)[n % 3])
    statements = search.backend().statements
    statements.clear()
    for q in ("xoi them", "che sen", "xôi thêm", "ha noi", "xoi_ %"):
        expected = reference.ordered_ids(Filters(q=q), TODAY)
        assert [p.id for p in list_products(Filters(q=q), today=TODAY).products] == expected[:24], q
    assert len(statements) == 2  # the two-word queries, and "xoi_ %"


@pytest.mark.both_databases
def test_a_search_page_past_the_end_shows_the_last_page(catalog):
    for n in range(30):
        make_product(f"Xôi thêm {n}")
    last = list_products(Filters(q="xoi them", page=2), today=TODAY, page_size=24)
    assert list_products(Filters(q="xoi them", page=9), today=TODAY, page_size=24).products == last.products
    assert last.page == 2 and len(last.products) == 6


@pytest.mark.both_databases
@pytest.mark.parametrize("q", ["' OR 1=1 --", '"xoi" OR *', "<script>alert(1)</script>", "NEAR(a b)", "%_%", "ồ" * 300])
def test_hostile_queries_find_nothing_and_break_nothing(catalog, q):
    listing = list_products(Filters.from_args(MultiDict({"q": q})), today=TODAY)
    assert listing.total == 0


@pytest.mark.both_databases
def test_an_empty_result_suggests_alternatives(catalog):
    listing = list_products(Filters(q="xoi banh mi"), today=TODAY)
    assert listing.total == 0
    assert "Xôi Phú Thượng" in [p.name_vi for p in listing.suggestions]


@pytest.mark.both_databases
def test_renaming_a_product_updates_search(catalog):
    product = catalog["xoi_la"]
    product.name_vi = "Bánh giầy"
    refresh_product(product)
    db.session.commit()
    assert names(list_products(Filters(q="banh giay"), today=TODAY)) == ["Bánh giầy"]
    assert "Bánh giầy" not in names(list_products(Filters(q="xoi la cam"), today=TODAY))


@pytest.mark.both_databases
def test_the_backend_is_the_one_for_the_sessions_database(app, backend):
    expected = {"sqlite": search.Fts5Search, "postgresql": search.WordIndexSearch}[backend]
    assert type(search.backend()) is expected


# Queries both backends must answer alike: folded and exact words, the word being typed,
# phrases, words from every part of the search text, searches with filters and sorts, hostile
# input, and queries that find nothing but suggestions. (One known difference is left out: the
# relevance's exact word is a whole word on SQLite but any part of the text on PostgreSQL, so a
# one-letter query such as "d" ranks its matches differently.)
SAME_ANSWERS = [
    Filters(q="xoi"),
    Filters(q="xôi"),
    Filters(q="xơi"),
    Filters(q="XOI PHU TH"),
    Filters(q="xôi phú thượng"),
    Filters(q="phu thuong xoi"),
    Filters(q="che"),
    Filters(q="chè sen"),
    Filters(q="che", stars=(4, 5), sort="price_asc"),
    Filters(q="ha noi", group="thuc-pham", in_stock=True),
    Filters(q="htx", producer="htx-xoi-phu-thuong"),
    Filters(q="xoi", ward=91, sort="newest"),
    Filters(q="lotus"),
    Filters(q="ornamental"),
    Filters(q="lang nghe"),
    Filters(q="son la", sort="stars"),
    Filters(q="đào"),
    Filters(q="xoi banh mi"),
    Filters(q="chè bánh"),
    Filters(q="xoi_ %"),
    Filters(q="xoi la"),
    Filters(q="la c"),
    Filters(q="xoi-la_cam"),
    Filters(q="' OR 1=1 --"),
    Filters(q="NEAR(a b)"),
]


def answers() -> list[tuple]:
    """What the listing shows for each of SAME_ANSWERS: products, total, facets, suggestions."""
    found = []
    for f in SAME_ANSWERS:
        listing = list_products(f, today=TODAY, page_size=100)
        facets = {name: [(v.value, v.count) for v in values] for name, values in listing.facets.items()}
        found.append((f.q, names(listing), listing.total, facets, [p.name_vi for p in listing.suggestions]))
    return found


def test_both_search_backends_answer_the_same(request, app_config, tmp_path, sqlite_template):
    pg = request.getfixturevalue("postgres")
    shutil.copy(sqlite_template, tmp_path / "same.db")
    pg.psql("CREATE DATABASE shop_same_answers TEMPLATE shop_template")
    request.addfinalizer(lambda: pg.psql("DROP DATABASE IF EXISTS shop_same_answers WITH (FORCE)"))
    by_backend = {}
    for url in (f"sqlite:///{tmp_path / 'same.db'}", pg.url("shop_same_answers")):
        app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            ProducerFactory.reset_sequence()  # the same producer names in both databases
            build_catalog()
            for n in range(6):
                make_product(f"Xôi thêm {n}", stars=(3, 4, None)[n % 3], price=30_000 + n * 1_000)
            by_backend[type(search.backend())] = answers()
            db.session.remove()
            db.engine.dispose()
    assert set(by_backend) == {search.Fts5Search, search.WordIndexSearch}
    sqlite, postgresql = by_backend[search.Fts5Search], by_backend[search.WordIndexSearch]
    assert [answer[2] for answer in sqlite if answer[2]], "the queries must find something"
    for on_sqlite, on_postgresql in zip(sqlite, postgresql, strict=True):
        assert on_sqlite == on_postgresql, on_sqlite[0]


def test_the_postgresql_search_reads_its_matches_once():
    # The phrase and each word are FILTERs of one aggregate over the matches, not a subquery
    # each that looked the words up again (five times for three words).
    backend = search.WordIndexSearch()
    q = "xôi phú thượng"
    terms = search.query_terms(q)
    statement = backend.match_statement(terms, backend.relevance_values(q, terms))
    sql = str(statement.compile(dialect=postgresql.dialect()))
    assert sql.count("FROM products") == 1
    assert sql.count("@@") == 1  # the words, looked up once in the word index
    assert sql.count("FILTER (WHERE") == 1 + len(terms)  # the phrase, then each word


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_looks_words_up_in_its_word_index(catalog):
    # Two-letter words are common in Vietnamese ("lá", "an") and the trigram index could not
    # serve them: such a search read every product's text. The words must come from the word
    # index (migration 0013), whatever their length: the statement's expression must be the
    # index's. (With sequential scans off, the planner takes the index whenever it can.)
    backend = search.backend()
    q = "xôi lá c"
    terms = search.query_terms(q)
    relevance = backend.relevance_values(q, terms)
    statement = backend.match_statement(terms, relevance)
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params = {**compiled.params, **backend.match_values(terms), **relevance}
    plan = connection.exec_driver_sql("EXPLAIN " + str(compiled), params).scalars().all()
    assert any("ix_products_search_words" in line for line in plan), plan
    assert "Xơi lá cẩm" in names(list_products(Filters(q=q), today=TODAY))


@pytest.mark.both_databases
def test_words_held_in_memory_answer_as_the_database_and_follow_the_catalog(catalog, backend):
    # PostgreSQL's searches find their matches in the words each process holds with its copy
    # of the catalog's columns (word_index.py): the answer is the database's, and a product
    # renamed since is found by its new name at once.
    for n in range(10):
        make_product(f"Xôi thêm {n}", stars=(3, 4, None)[n % 3])
    queries = ("xoi", "xôi thêm", "che sen q", "ha noi", "t", "xoi_ %", "zzz", "ha noi x")
    for q in queries:
        expected = reference.ordered_ids(Filters(q=q), TODAY)
        assert [p.id for p in list_products(Filters(q=q), today=TODAY, page_size=100).products] == expected, q
    held = current_app.extensions["catalog_columns"]
    assert ("words" in held.kept) == (backend == "postgresql")
    catalog["xoi"].name_vi = "Xôi vò Phú Thượng"
    refresh_product(catalog["xoi"])
    db.session.commit()
    assert "Xôi vò Phú Thượng" in names(list_products(Filters(q="xoi vo"), today=TODAY))


@pytest.mark.both_databases
def test_a_catalog_too_large_to_hold_its_words_is_searched_by_the_database(catalog, monkeypatch):
    monkeypatch.setattr(word_index, "HELD_UP_TO", 3)
    for q in ("xoi", "che sen q", "ha noi"):
        expected = reference.ordered_ids(Filters(q=q), TODAY)
        assert [p.id for p in list_products(Filters(q=q), today=TODAY, page_size=100).products] == expected, q
    assert "words" not in current_app.extensions["catalog_columns"].kept
