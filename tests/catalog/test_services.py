import dataclasses
import math
from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from shop.catalog import certificates, pages, search, selection
from shop.catalog.listing import SORTS, Filters, list_products
from shop.catalog.search import refresh_product
from shop.errors import ValidationError
from shop.extensions import db
from tests.catalog import reference
from tests.catalog.conftest import TODAY, make_product


def names(listing):
    return [p.name_vi for p in listing.products]


# --- Certificates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decided", "valid_until"),
    [
        (date(2023, 3, 15), date(2026, 3, 15)),
        (date(2024, 2, 29), date(2027, 2, 28)),
        (date(2022, 1, 31), date(2025, 1, 31)),
    ],
)
def test_a_certificate_is_valid_36_months_from_its_decision(decided, valid_until):
    assert certificates.default_valid_until(decided) == valid_until


@pytest.mark.parametrize(
    ("stars", "decided", "issuer", "ok"),
    [
        (3, date(2024, 5, 1), "district", True),  # before July 2025 districts rated 3★
        (3, date(2025, 8, 1), "district", False),  # districts are gone
        (3, date(2025, 8, 1), "province", True),
        (4, date(2024, 5, 1), "province", True),
        (4, date(2024, 5, 1), "district", False),
        (5, date(2025, 8, 1), "central", True),
        (5, date(2025, 8, 1), "province", False),
    ],
)
def test_who_may_rate_depends_on_the_star_level_and_the_date(stars, decided, issuer, ok):
    args = dict(
        star_level=stars,
        score=None,
        decision_date=decided,
        valid_until=decided + timedelta(days=1000),
        issuer_level=issuer,
    )
    if ok:
        certificates.check_certificate(**args)
    else:
        with pytest.raises(ValidationError):
            certificates.check_certificate(**args)


@pytest.mark.parametrize(
    ("stars", "score", "ok"),
    [(3, 50, True), (3, 70, False), (4, 89, True), (5, 89, False), (5, 100, True), (2, 40, False)],
)
def test_the_score_must_fit_the_star_level(stars, score, ok):
    args = dict(
        star_level=stars,
        score=score,
        decision_date=date(2024, 1, 1),
        valid_until=date(2027, 1, 1),
        issuer_level={3: "district", 4: "province", 5: "central"}.get(stars, "province"),
    )
    if ok:
        certificates.check_certificate(**args)
    else:
        with pytest.raises(ValidationError):
            certificates.check_certificate(**args)


def test_only_four_star_products_carry_the_potential_five_star_label():
    with pytest.raises(ValidationError):
        certificates.check_certificate(
            star_level=3,
            score=None,
            decision_date=date(2024, 1, 1),
            valid_until=date(2027, 1, 1),
            issuer_level="district",
            potential_five_star=True,
        )


def test_stars_show_only_while_the_certificate_is_verified_and_unexpired(catalog):
    assert certificates.current_stars(catalog["xoi"], TODAY) == 4
    assert certificates.current_stars(catalog["expired"], TODAY) is None
    assert certificates.current_stars(catalog["pending"], TODAY) is None
    # The day after it lapses, a valid certificate stops counting, even before any job runs.
    xoi = catalog["xoi"]
    assert certificates.current_stars(xoi, xoi.star_valid_until) == 4
    assert certificates.current_stars(xoi, xoi.star_valid_until + timedelta(days=1)) is None


def test_a_lapsed_best_certificate_falls_back_to_another_valid_one(app):
    product = make_product("Trà sen", stars=3, decision_date=date(2025, 9, 1))
    certificates.add_certificate(
        product,
        star_level=4,
        decision_number="9/QĐ-UBND",
        decision_date=date(2023, 1, 10),
        issuing_body="UBND TP Hà Nội",
        issuer_level="province",
        verification_status="verified",
        today=date(2025, 10, 1),
    )
    assert product.star_level == 4
    later = date(2026, 2, 1)  # the 4★ lapsed on 10 Jan 2026; the 3★ runs until Sept 2028
    assert certificates.current_stars(product, later) is None
    assert certificates.refresh_ratings(later) == 1
    assert certificates.current_stars(product, later) == 3


# --- Filters and facets ---------------------------------------------------------------------


def test_listing_shows_published_products_of_active_producers_only(catalog):
    listing = list_products(Filters(), today=TODAY)
    assert "Xôi nháp" not in names(listing)
    assert listing.total == 7


def test_star_filter_counts_only_current_certificates(catalog):
    four = list_products(Filters(stars=(4,)), today=TODAY)
    assert sorted(names(four)) == ["Chè shan tuyết Mộc Châu", "Xôi Phú Thượng"]
    several = list_products(Filters(stars=(3, 5)), today=TODAY)
    assert sorted(names(several)) == ["Chè Sen Quảng An", "Hoa đào Nhật Tân"]


def test_facets_count_what_each_choice_would_show(catalog):
    listing = list_products(Filters(stars=(4,), province=1), today=TODAY)
    assert names(listing) == ["Xôi Phú Thượng"]
    stars = {v.value: v.count for v in listing.facets["stars"]}
    assert stars == {5: 1, 4: 1, 3: 1}  # within Hà Nội, whatever the star choice
    provinces = {v.value: v.count for v in listing.facets["province"]}
    assert provinces == {1: 1, 14: 1}  # 4★ products, in any province
    groups = {v.value: v.count for v in listing.facets["group"]}
    assert groups["thuc-pham"] == 1 and groups["do-uong"] == 0


def test_price_and_stock_filters(catalog):
    cheap = list_products(Filters(max_price=50_000), today=TODAY)
    assert sorted(names(cheap)) == ["Xôi Phú Thượng", "Xơi lá cẩm"]
    in_stock = list_products(Filters(in_stock=True), today=TODAY)
    assert "Hoa đào Nhật Tân" not in names(in_stock)
    assert list_products(Filters(), today=TODAY).in_stock[catalog["dao"].id] is False


def test_sorting(catalog):
    assert names(list_products(Filters(sort="price_asc"), today=TODAY))[0] == "Xôi Phú Thượng"
    assert names(list_products(Filters(sort="price_desc"), today=TODAY))[0] == "Hoa đào Nhật Tân"
    assert names(list_products(Filters(sort="stars"), today=TODAY))[0] == "Chè Sen Quảng An"


def test_pages_of_24_and_a_page_past_the_end_shows_the_last(app):
    for n in range(30):
        make_product(f"Sản phẩm {n}", stars=None)
    first = list_products(Filters(), today=TODAY)
    assert (len(first.products), first.pages, first.total) == (24, 2, 30)
    past = list_products(Filters(page=99), today=TODAY)
    assert (past.page, len(past.products)) == (2, 6)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"stars": ["4", "9", "x"]}, {"stars": (4,)}),
        ({"group": "nope"}, {"group": None}),
        ({"province": "01"}, {"province": 1}),
        ({"province": "999"}, {"province": None}),
        ({"province": "1; DROP TABLE"}, {"province": None}),
        ({"min_price": "125.000 ₫"}, {"min_price": 125000}),
        ({"min_price": "-5"}, {"min_price": None}),
        ({"page": "abc"}, {"page": 1}),
        ({"page": "0"}, {"page": 1}),
        ({"sort": "evil"}, {"sort": "relevance"}),
        ({"q": "x" * 10_000}, {"q": "x" * 200}),
    ],
)
def test_unknown_or_malformed_filter_values_are_ignored(args, expected):
    data = MultiDict()
    for key, value in args.items():
        for v in value if isinstance(value, list) else [value]:
            data.add(key, v)
    f = Filters.from_args(data)
    for key, value in expected.items():
        assert getattr(f, key) == value


# --- Search ---------------------------------------------------------------------------------


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
@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(stars=(4,), province=1),
        Filters(group="thuc-pham", min_price=35_000, max_price=60_000),
        Filters(producer="htx-xoi-phu-thuong", in_stock=True),
        Filters(ward=91),
        Filters(q="xoi"),
        Filters(q="che", stars=(4, 5)),
        Filters(q="ha noi", group="thuc-pham", province=1),
        Filters(q="htx", producer="htx-xoi-phu-thuong", stars=(4,)),
        Filters(q="htx", producer="no-such-producer"),
        Filters(q="htx", max_price=60_000, in_stock=True),
        Filters(q="xoi", ward=91),
    ],
)
def test_facets_count_as_one_group_by_per_facet_would(catalog, filters):
    # Listings and searches count their facets from the catalog's columns in memory; each
    # facet must count with the filters of all the others, not its own, as SQL would.
    for n in range(35):  # more producers than the facet shows, with ties at the cut
        make_product(f"Xôi thêm {n}", stars=(3, 4, None)[n % 3], price=30_000 + n * 1_000, group="thuc-pham")
    make_product("Xôi chưa có giá", stars=None).price_from_vnd = None  # a listing without a price
    db.session.commit()
    counts, _ = selection.select_products(filters, TODAY)
    assert counts == reference.facet_counts(filters, TODAY)


@pytest.mark.both_databases
@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(stars=(3, 4)), Filters(q="xoi"), Filters(q="xôi thêm", stars=(3, 4)), Filters(q="ha noi")],
)
def test_a_page_is_the_page_the_plain_query_orders(catalog, filters, sort):
    # Listings and searches order their products in memory, from the catalog's columns (and
    # the search index's sets of exact matches); it must be the order SQL gives.
    for n in range(30):
        make_product(f"Xôi thêm {n}", stars=(3, 4, None)[n % 3], price=30_000 + n % 7 * 1_000, group="thuc-pham")
    catalog["che_sen"].featured = True
    make_product("Xôi chưa có giá", stars=None).price_from_vnd = None  # where do prices sort NULL?
    db.session.commit()
    filters = dataclasses.replace(filters, sort=sort)
    matching = reference.ordered_ids(filters, TODAY)
    assert len(matching) > 7
    assert selection.select_products(filters, TODAY)[1] == matching
    last = math.ceil(len(matching) / 7)
    pages = [list_products(dataclasses.replace(filters, page=n), today=TODAY, page_size=7) for n in (1, 2, last + 3)]
    expected = [matching[:7], matching[7:14], matching[(last - 1) * 7 :]]  # past the end: the last page
    assert [[p.id for p in listing.products] for listing in pages] == expected


@pytest.mark.both_databases
def test_searches_of_one_shape_share_a_statement_not_their_words(catalog):
    # The match statement is built once per shape (number of terms and words) and bound to each
    # query's words: every query must still find its own products, in its own order.
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
    from shop.extensions import db

    db.session.commit()
    assert names(list_products(Filters(q="banh giay"), today=TODAY)) == ["Bánh giầy"]
    assert "Bánh giầy" not in names(list_products(Filters(q="xoi la cam"), today=TODAY))


@pytest.mark.both_databases
def test_home_shelves_groups_and_origins_are_what_sql_says(catalog):
    for n in range(12):
        product = make_product(
            f"Chè thêm {n}",
            stars=(3, 4, 5, None)[n % 4],
            group=("do-uong", "duoc-lieu")[n % 2],
            province=(1, 14, 22)[n % 3],
        )
        product.featured = n % 5 == 0
    catalog["draft"].featured = True  # not published: on no shelf
    db.session.commit()
    sections = pages.home_sections(today=TODAY)
    expected = reference.home_sections(TODAY)
    assert [p.id for p in sections["featured"]] == expected["featured"]
    assert {level: [p.id for p in shelf] for level, shelf in sections["shelves"].items()} == expected["shelves"]
    assert {g.code: n for g, n in sections["groups"] if n} == expected["groups"]
    assert [(code, n) for code, _, n in sections["origins"]] == expected["origins"]
