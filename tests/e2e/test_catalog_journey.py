"""A shopper finds a product as people do: typed without accents, narrowed by stars and place,
then checks the certificate and origin before buying. Pages are checked by axe and the Nu
HTML checker."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_search_without_accents_filter_and_open_a_product(page: Page, check_page):
    page.goto("/")
    check_page(page, "home with the demo catalog (vi)")

    search = page.get_by_role("search").get_by_role("searchbox", name="Tìm sản phẩm")
    search.fill("xoi phu thuong")
    page.get_by_role("search").get_by_role("button", name="Tìm kiếm").click()
    expect(page.get_by_role("heading", level=1, name="Kết quả cho “xoi phu thuong”")).to_be_visible()
    results = page.get_by_role("region", name="Sản phẩm")
    expect(results.get_by_role("heading", name="Xôi Phú Thượng", exact=True)).to_be_visible()
    check_page(page, "search results (vi)")

    filters = page.get_by_role("complementary", name="Lọc")
    filters.get_by_role("checkbox", name=re.compile("OCOP 4 sao")).check()
    province = filters.get_by_label("Tỉnh/thành phố")
    province.select_option(label=province.locator("option", has_text="Thành phố Hà Nội").inner_text())
    filters.get_by_role("button", name="Áp dụng").click()
    expect(page).to_have_url(re.compile(r"stars=4"))
    expect(page).to_have_url(re.compile(r"province=01"))
    expect(page.get_by_role("status")).to_have_text("1 sản phẩm")
    check_page(page, "filtered search results (vi)")

    results.get_by_role("heading", name="Xôi Phú Thượng", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Xôi Phú Thượng")).to_be_visible()
    certificate = page.get_by_role("region", name="Giấy chứng nhận OCOP")
    expect(certificate).to_contain_text("4 sao")
    expect(certificate).to_contain_text("QĐ-UBND")
    expect(certificate).to_contain_text("Đã xác minh, còn hiệu lực")
    origin = page.get_by_role("region", name="Xuất xứ")
    expect(origin.get_by_role("link", name="Phường Phú Thượng")).to_be_visible()
    expect(origin).to_contain_text("Thành phố Hà Nội")
    expect(page.get_by_role("table")).to_contain_text("₫")
    check_page(page, "product page (vi)")

    origin.get_by_role("link", name="Phường Phú Thượng").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phường Phú Thượng")
    check_page(page, "origin page (vi)")


def test_catalog_pages_in_english(page: Page, check_page):
    page.goto("/products?q=dao+nhat+tan")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “dao nhat tan”")
    page.get_by_role("region", name="Products").get_by_role(
        "heading", name="Nhật Tân peach blossom", exact=True
    ).click()
    expect(page.get_by_role("region", name="Origin")).to_contain_text("Phường Tây Hồ")
    check_page(page, "product page (en)")
    page.get_by_role("region", name="The producer").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=2, name="OCOP certificates")).to_be_visible()
    check_page(page, "producer page (en)")
