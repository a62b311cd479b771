"""A listing's facet counts and order, computed in memory from the catalog's columns, must be
what plain SQL says (tests/catalog/reference.py)."""

import dataclasses
import math

import pytest

from shop.catalog import columns, selection
from shop.catalog.listing import SORTS, Filters, list_products
from shop.catalog.search import refresh_product
from shop.extensions import db
from tests.catalog import reference
from tests.catalog.conftest import TODAY
from tests.support.builders import make_product


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
def test_a_selection_is_kept_until_the_catalog_changes(catalog):
    # The next page or visitor gets the same answer without asking the database again...
    filters = Filters(q="xoi")
    first = selection.select_products(filters, TODAY)
    held = selection.catalog_columns(TODAY)
    assert len(held.selections) == 1
    assert selection.select_products(dataclasses.replace(filters, page=3), TODAY) == first
    assert len(held.selections) == 1  # the page is not part of what is kept
    # ...until the catalog changes: a new product is found at once.
    make_product("Xôi gấc mới")
    assert len(selection.select_products(filters, TODAY)[1]) == len(first[1]) + 1


@pytest.mark.both_databases
def test_a_selection_that_depends_on_stock_is_never_kept(catalog):
    filters = Filters(q="xoi", in_stock=True)
    assert catalog["xoi"].id in selection.select_products(filters, TODAY)[1]
    catalog["xoi"].variants[0].on_hand = 0  # stock never moves the catalog's version
    db.session.commit()
    assert catalog["xoi"].id not in selection.select_products(filters, TODAY)[1]
    assert not selection.catalog_columns(TODAY).selections


def test_at_most_so_many_selections_are_kept(catalog, monkeypatch):
    monkeypatch.setattr(columns, "SELECTIONS_KEPT", 2)
    for sort in SORTS:
        selection.select_products(Filters(sort=sort), TODAY)
    kept = selection.catalog_columns(TODAY).selections
    assert len(kept) == 2
    newest = next(reversed(kept))
    assert kept[newest][1].tolist() == selection.select_products(Filters(sort=list(SORTS)[-1]), TODAY)[1]


@pytest.mark.both_databases
def test_in_stock_only_keeps_the_products_with_a_pack_no_order_holds(catalog):
    # The filter reads the few products that are not in stock (a sold-out pack, no price) from
    # partial indexes: each way of being in stock or not, against plain SQL.
    make_product("Còn gói thứ hai", on_hand=0, extra_prices=(90_000,)).variants[1].on_hand = 3
    make_product("Hết cả hai gói", on_hand=0, extra_prices=(90_000,))
    held = make_product("Đã giữ hết", on_hand=2)
    held.variants[0].reserved = 2
    packless = make_product("Không có gói", on_hand=5)
    packless.variants.clear()
    refresh_product(packless)  # as the editor does: no pack, no price
    make_product("Chưa có giá nhưng còn hàng").price_from_vnd = None
    db.session.commit()
    listing = list_products(Filters(in_stock=True), today=TODAY, page_size=100)
    shown = {p.name_vi for p in listing.products}
    assert {"Còn gói thứ hai", "Chưa có giá nhưng còn hàng"} <= shown
    assert not {"Hết cả hai gói", "Đã giữ hết", "Không có gói"} & shown
    assert [p.id for p in listing.products] == reference.ordered_ids(Filters(in_stock=True), TODAY)
