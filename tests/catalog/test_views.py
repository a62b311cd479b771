import json
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from shop.extensions import db
from tests.support.builders import make_product


@contextmanager
def count_statements():
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def text(response) -> str:
    return response.get_data(as_text=True)


def test_listing_shows_cards_with_stars_price_and_origin(client, catalog):
    page = text(client.get("/products"))
    assert "Xôi Phú Thượng" in page
    assert "35.000 ₫" in page
    assert "Phường Phú Thượng, Thành phố Hà Nội" in page
    assert "OCOP 4 sao" in page
    assert "Xôi nháp" not in page


def test_listing_in_english_keeps_vnd_prices(client, catalog):
    page = text(client.get("/products", headers={"Accept-Language": "en"}))
    assert "Phu Thuong sticky rice" in page
    assert "35.000 ₫" in page
    assert "4-star OCOP" in page


def test_filters_are_bookmarkable_get_parameters(client, catalog):
    page = text(client.get("/products?stars=4&province=01"))
    assert "Xôi Phú Thượng" in page
    assert "Chè shan tuyết Mộc Châu" not in page
    assert 'rel="canonical" href="http://shop.test/products?stars=4&amp;province=01"' in page


@pytest.mark.parametrize(
    "query",
    [
        "stars=9&group=nope&province=zz&sort=hack&page=-3",
        "page=999999",
        "page=abc",
        "min_price=abc&max_price=1e9",
        "q=" + "x" * 10_000,
        "q=%27%20OR%201%3D1--",
        "province=01&province=79",
        "stars=",
    ],
)
def test_malformed_listing_parameters_give_a_correct_page(client, catalog, query):
    response = client.get("/products?" + query)
    assert response.status_code == 200


def test_search_text_is_escaped(client, catalog):
    page = text(client.get("/products?q=<b>xoi</b>"))
    assert "<b>xoi</b>" not in page
    assert "&lt;b&gt;xoi&lt;/b&gt;" in page


def test_search_without_accents_finds_the_product(client, catalog):
    page = text(client.get("/products?q=xoi+phu+thuong"))
    assert "Xôi Phú Thượng" in page
    assert "Kết quả cho “xoi phu thuong”" in page


def test_empty_search_suggests_alternatives(client, catalog):
    page = text(client.get("/products?q=xoi+pizza"))
    assert "Không có sản phẩm nào khớp" in page
    assert "Xôi Phú Thượng" in page  # suggested: it matches one of the words


def test_product_page_shows_certificate_origin_and_producer(client, catalog):
    product = catalog["che_sen"]
    cert = product.certificates[0]
    page = text(client.get(f"/products/{product.slug}"))
    assert cert.decision_number in page
    assert "UBND Thành phố Hà Nội" in page
    assert "Phường Tây Hồ" in page and "Phường Quảng An (cũ)" in page
    assert "HTX Chè Sen Quảng An" in page
    assert "450.000 ₫" in page
    assert "Hoa đào Nhật Tân" in page  # more from the same origin


def test_product_page_carries_schema_org_json_ld_in_vnd(client, catalog):
    page = text(client.get(f"/products/{catalog['xoi'].slug}"))
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["@type"] == "Product"
    assert data["offers"][0]["priceCurrency"] == "VND"
    assert data["offers"][0]["price"] == 35000
    assert 'property="og:type" content="product"' in page


def test_lapsed_and_pending_certificates_show_no_stars(client, catalog):
    expired = text(client.get(f"/products/{catalog['expired'].slug}"))
    assert "đã hết hiệu lực" in expired or "hết hạn" in expired
    assert "OCOP 4 sao" not in expired.split("<main")[1].split("same-origin-heading")[0]
    pending = text(client.get(f"/products/{catalog['pending'].slug}"))
    assert "chờ xác minh" in pending


def test_unknown_slugs_and_codes_are_404(client, catalog):
    for url in [
        "/products/no-such-thing",
        f"/products/{catalog['draft'].slug}",
        "/producers/nope",
        "/origins/99",
        "/origins/01/00999",
        "/origins/01/26506",
        "/origins/abc",
    ]:
        assert client.get(url).status_code == 404, url


def test_producer_page_lists_certificates_and_products(client, catalog):
    page = text(client.get("/producers/htx-che-sen-quang-an"))
    assert "Chè Sen Quảng An" in page and "Hoa đào Nhật Tân" in page
    assert catalog["che_sen"].certificates[0].decision_number in page


def test_origin_pages_link_products_and_producers_of_a_place(client, catalog):
    ward = text(client.get("/origins/01/00091"))
    assert "Phường Phú Thượng" in ward and "Xôi Phú Thượng" in ward and "HTX Xôi Phú Thượng" in ward
    assert "Chè Sen Quảng An" not in ward
    province = text(client.get("/origins/14"))
    assert "Chè shan tuyết Mộc Châu" in province


def test_sitemap_lists_published_products_producers_and_origins(client, catalog):
    xml = text(client.get("/sitemap.xml"))
    assert f"http://shop.test/products/{catalog['xoi'].slug}</loc>" in xml
    assert catalog["draft"].slug not in xml
    assert "http://shop.test/producers/htx-xoi-phu-thuong</loc>" in xml
    assert "http://shop.test/origins/01/00091</loc>" in xml


def test_home_has_shelves_groups_and_origins(client, catalog):
    page = text(client.get("/"))
    assert "Sản phẩm OCOP 5 sao" in page
    assert "Sinh vật cảnh" in page
    assert "/origins/14" in page


@pytest.mark.parametrize(
    "url",
    ["/products", "/products?stars=4&province=01", "/products?q=xoi+phu+thuong", "/products?q=zzz+xoi", "PRODUCT"],
)
def test_pages_run_a_bounded_number_of_statements_whatever_the_catalog_size(client, catalog, url):
    def run():
        target = f"/products/{catalog['xoi'].slug}" if url == "PRODUCT" else url
        with count_statements() as statements:
            assert client.get(target).status_code == 200
        return len(statements)

    small = run()
    for n in range(40):
        make_product(f"Xôi thêm {n}", stars=4, province=1, ward=91, extra_prices=(50_000, 70_000))
    large = run()
    assert large <= 8, large
    assert small == large


def test_producer_page_marks_lapsed_certificates(client, catalog):
    expired = catalog["expired"].certificates[0]
    page = text(client.get("/producers/htx-xoi-phu-thuong"))
    entry = page.split(expired.decision_number)[1].split("</li>")[0]
    assert "đã hết hiệu lực" in entry
