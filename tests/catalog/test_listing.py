"""Listings: what a listing URL asks for, its filters, facets, sorts and pages."""

import html
import re

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from shop.catalog.listing import SORTS, Filters, list_products
from tests.catalog.conftest import TODAY, names
from tests.support.builders import a_producer, make_product


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


def test_every_sort_is_a_valid_choice_and_nothing_else_is():
    for sort in SORTS:
        assert Filters.from_args(MultiDict({"sort": sort})).sort == sort
        assert Filters(sort=sort).to_args() == ({} if sort == "relevance" else {"sort": sort})
    assert Filters.from_args(MultiDict({"sort": "name"})).sort == "relevance"


def sort_menu(client, headers=None, **query) -> list[tuple[str, bool, str]]:
    """(value, selected, label) of each option of the listing's sort menu."""
    page = client.get("/products", query_string=query, headers=headers or {}).get_data(as_text=True)
    menu = re.search(r'<select id="sort" name="sort">(.*?)</select>', page, re.S).group(1)
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', menu)
    return [(value, bool(selected), html.unescape(label)) for value, selected, label in options]


@pytest.mark.parametrize(("lang", "first"), [("vi", "Phù hợp nhất"), ("en", "Relevance")])
def test_the_sort_menu_offers_the_listing_sorts_in_order_with_their_labels(client, catalog, lang, first):
    options = sort_menu(client, sort="price_desc", headers={"Accept-Language": lang})
    with force_locale(lang):
        expected = [(value, value == "price_desc", str(label)) for value, label in SORTS.items()]
    assert options == expected
    assert options[0][2] == first


def test_the_sort_menu_shows_what_sorts_holds(client, catalog, monkeypatch):
    # The template has no list of its own: a sort added to SORTS is offered at once.
    monkeypatch.setitem(SORTS, "test_only", "Test order")
    assert sort_menu(client)[-1] == ("test_only", False, "Test order")


def test_the_filter_sidebar_lists_each_facet_escaped_with_the_chosen_values_marked(client):
    producer = a_producer(name='HTX "Sen & Súng" <Tây Hồ>')
    make_product("Chè sen", producer=producer, stars=5, province=1)
    make_product("Xôi gấc", stars=4, province=1)
    page = client.get("/products", query_string={"stars": "5", "province": "01", "producer": producer.slug})
    html_text = page.get_data(as_text=True)
    assert "<Tây Hồ>" not in html_text and '"Sen & Súng"' not in html_text
    escaped = "HTX &#34;Sen &amp; Súng&#34; &lt;Tây Hồ&gt;"
    assert f'<option value="{producer.slug}" selected>{escaped} (1)</option>' in html_text
    assert '<option value="01" selected>' in html_text
    chosen = r'id="stars-5" name="stars" value="5" checked>\s*<label for="stars-5"><span class="stars-badge'
    assert re.search(chosen, html_text)
    assert re.search(r'id="stars-4" name="stars" value="4">\s*<label for="stars-4">', html_text)
