"""A search reads its facet values and sort keys from a copy of the catalog held in memory
(shop/catalog/columns.py). The copy must never show what the database no longer says."""

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import select

from shop.catalog import columns
from shop.catalog.listing import Filters, list_products
from shop.catalog.models import CatalogState, Variant
from shop.catalog.search import refresh_product
from shop.extensions import db
from tests.catalog.conftest import TODAY
from tests.support.builders import make_product


def names(listing) -> list[str]:
    return [p.name_vi for p in listing.products]


def search(q: str, today=TODAY, **filters):
    return list_products(Filters(q=q, **filters), today=today)


def facet(listing, name) -> dict:
    return {v.value: v.count for v in listing.facets[name] if v.count}


def version() -> int:
    return db.session.scalar(select(CatalogState.version))


@pytest.mark.both_databases
def test_a_product_unpublished_since_the_last_listing_is_gone_from_the_next(catalog):
    before, listed_before = search("xoi"), list_products(Filters(), today=TODAY)
    assert "Xôi Phú Thượng" in names(before)
    catalog["xoi"].status = "archived"
    db.session.commit()
    after, listed_after = search("xoi"), list_products(Filters(), today=TODAY)
    assert "Xôi Phú Thượng" not in names(after) + names(listed_after)
    assert (after.total, listed_after.total) == (before.total - 1, listed_before.total - 1)
    assert facet(after, "stars").get(4, 0) == facet(before, "stars").get(4, 0) - 1


@pytest.mark.both_databases
def test_a_suspended_producer_takes_its_products_out_of_search(catalog):
    assert "Chè Sen Quảng An" in names(search("che"))
    catalog["che_sen"].producer.status = "suspended"
    db.session.commit()
    listing = search("che")
    assert "Chè Sen Quảng An" not in names(listing)
    assert "htx-che-sen-quang-an" not in [v.value for v in listing.facets["producer"]]


@pytest.mark.both_databases
def test_a_change_rolled_back_does_not_stay_in_search(catalog):
    before = facet(search("xoi phu thuong"), "province")
    catalog["xoi"].province_code = 14
    db.session.flush()  # the search runs in the same transaction: it sees the change
    assert facet(search("xoi phu thuong"), "province") == {1: before[1] - 1, 14: 1}
    db.session.rollback()
    assert facet(search("xoi phu thuong"), "province") == before


@pytest.mark.both_databases
def test_new_products_and_new_prices_are_searched_at_once(catalog):
    search("xoi")
    product = make_product("Xôi gấc Tây Hồ", price=55_000)
    assert "Xôi gấc Tây Hồ" in names(search("xoi gac"))
    product.variants[0].price_vnd = 25_000
    refresh_product(product)
    db.session.commit()
    assert names(search("xoi", sort="price_asc"))[0] == "Xôi gấc Tây Hồ"


def test_stars_leave_search_facets_the_day_after_they_lapse(catalog):
    valid_until = catalog["moc_chau"].star_valid_until
    on_the_day = search("che shan tuyet", today=valid_until)
    assert facet(on_the_day, "stars") == {4: 1}
    next_day = search("che shan tuyet", today=valid_until + timedelta(days=1))
    assert facet(next_day, "stars") == {}
    assert search("che shan tuyet", today=valid_until + timedelta(days=1), stars=(4,)).total == 0


@pytest.mark.both_databases
def test_the_catalog_version_changes_with_products_and_producer_status(catalog):
    start = version()
    db.session.execute(Variant.__table__.update().values(on_hand=Variant.on_hand + 1))
    db.session.commit()
    assert version() == start  # stock is not in the columns: orders must not reload them
    catalog["xoi"].producer.contact_phone = "0912345678"
    db.session.commit()
    assert version() == start
    catalog["xoi"].featured = True
    db.session.commit()
    changed = version()
    assert changed != start
    catalog["xoi"].producer.status = "suspended"
    db.session.commit()
    assert version() != changed


@pytest.mark.both_databases
def test_the_columns_are_read_once_per_catalog_change(catalog, monkeypatch):
    reads = []
    load = columns.load
    monkeypatch.setattr(columns, "load", lambda *args: reads.append(args) or load(*args))
    for q in ("xoi", "che sen", "ha noi", "xoi"):
        search(q)
    assert len(reads) == 1
    make_product("Xôi vò")
    search("xoi")
    assert len(reads) == 2


def test_member_and_counts():
    ids = np.array([3, 5, 8, 13])
    assert columns.member(ids, np.array([5, 13, 99])).tolist() == [False, True, False, True]
    assert columns.member(ids, np.array([], dtype=np.int64)).tolist() == [False] * 4
    assert columns.counts(np.array([4, 4, 0, 5], dtype=np.int8)) == {0: 1, 4: 2, 5: 1}
    assert columns.counts(np.array([], dtype=np.int64)) == {}
