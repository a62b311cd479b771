"""The data of the home, product, producer and origin pages, and the sitemap."""

from datetime import timedelta

import pytest

from shop.catalog import pages
from shop.catalog.models import ProductImage
from shop.errors import NotFound
from shop.extensions import db
from tests.catalog import reference
from tests.catalog.conftest import TODAY
from tests.support.builders import make_product


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


def test_a_product_page_shows_the_current_certificate_and_neighbours_of_the_same_ward_first(catalog):
    page = pages.product_page(catalog["che_sen"].slug, today=TODAY)
    assert (page.product.id, page.product.slug) == (catalog["che_sen"].id, catalog["che_sen"].slug)
    assert (page.stars, page.certificate.star_level) == (5, 5)
    assert page.latest_certificate == page.certificate
    # Hà Nội's other listed products: Quảng An's (ward 103) first, then by stars and id; never the draft.
    assert [p.name_vi for p in page.same_origin] == ["Hoa đào Nhật Tân", "Mứt sen mới", "Xôi Phú Thượng", "Xơi lá cẩm"]


@pytest.mark.both_databases
def test_a_product_page_reads_packs_pictures_and_certificates_in_the_models_order(catalog):
    product = make_product("Chè ba gói", price=90_000, extra_prices=(30_000, 60_000), shelf_life_days=1, name_en="Tea")
    cheapest = min(product.variants, key=lambda v: v.price_vnd)
    cheapest.on_hand, cheapest.reserved = 7, 2
    product.images.append(ProductImage(path="img/b.svg", alt_vi="Ảnh hai", alt_en="Second", position=-1))
    older = make_product("Chè khác", stars=3).certificates[0]
    older.product, older.producer_id = product, product.producer_id
    older.decision_date = product.certificates[0].decision_date - timedelta(days=400)
    db.session.commit()
    shown = pages.product_page(product.slug, today=TODAY).product
    assert [v.price_vnd for v in shown.variants] == [30_000, 60_000, 90_000]
    assert [(v.available, v.name("en"), v.is_perishable) for v in shown.variants][0] == (5, "Gói 2", True)
    assert [(i.path, i.alt("en"), i.alt("vi")) for i in shown.images] == [
        ("img/b.svg", "Second", "Ảnh hai"),
        ("img/hero.svg", "Ảnh Chè ba gói", "Ảnh Chè ba gói"),
    ]
    assert [c.star_level for c in shown.certificates] == [4, 3]  # newest first
    assert (shown.name("en"), shown.name("vi"), shown.is_perishable) == ("Tea", "Chè ba gói", True)
    assert (shown.producer.name, shown.province_name) == (product.producer.name, "Thành phố Hà Nội")


def test_a_product_page_without_a_current_certificate_shows_no_stars(catalog):
    page = pages.product_page(catalog["expired"].slug, today=TODAY)
    assert (page.certificate, page.stars) == (None, None)
    assert page.latest_certificate is not None  # the lapsed one, still shown as history


def test_unlisted_products_and_inactive_producers_have_no_page(catalog):
    with pytest.raises(NotFound):
        pages.product_page(catalog["draft"].slug, today=TODAY)
    catalog["moc_chau"].producer.status = "suspended"
    db.session.commit()
    with pytest.raises(NotFound):
        pages.product_page(catalog["moc_chau"].slug, today=TODAY)
    with pytest.raises(NotFound):
        pages.producer_by_slug("htx-che-moc-chau")


def test_a_producers_certificates_are_its_verified_ones_of_listed_products(catalog):
    certificates = pages.producer_certificates(pages.producer_by_slug("htx-che-sen-quang-an"))
    assert sorted(c.product.name_vi for c in certificates) == ["Chè Sen Quảng An", "Hoa đào Nhật Tân"]
    assert [c.decision_date for c in certificates] == sorted((c.decision_date for c in certificates), reverse=True)


@pytest.mark.parametrize(
    ("province", "ward", "exists"), [(1, None, True), (1, 91, True), (99, None, False), (1, 3980, False)]
)
def test_an_origin_exists_only_for_a_province_and_one_of_its_wards(province, ward, exists):
    if exists:
        pages.check_origin(province, ward)
    else:
        with pytest.raises(NotFound):
            pages.check_origin(province, ward)


def test_origin_producers_are_the_active_ones_of_the_place(catalog):
    assert [p.slug for p in pages.origin_producers(1, 103)] == ["htx-che-sen-quang-an"]
    assert [p.slug for p in pages.origin_producers(14)] == ["htx-che-moc-chau"]


def test_the_sitemap_lists_listed_products_active_producers_and_their_origins(catalog):
    entries = pages.sitemap_entries()
    listed = {p.slug for name, p in catalog.items() if name != "draft"}
    assert {slug for slug, _published_at in entries["products"]} == listed
    assert {"htx-xoi-phu-thuong", "htx-che-sen-quang-an", "htx-che-moc-chau"} <= set(entries["producers"])
    assert entries["origins"] == [(1, 91), (1, 103), (14, 3980)]
