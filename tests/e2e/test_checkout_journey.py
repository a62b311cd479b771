"""Buying, as people do it: a guest buys two products and pays the courier; a shopper with an
account pays by VietQR and finds the order in "My orders". Cart, checkout, review and
confirmation pages are checked by axe and the Nu HTML checker."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def cart_link(page: Page):
    return page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Giỏ hàng \d"))


def add_to_cart(page: Page, slug: str, name: str) -> None:
    page.goto(f"/products/{slug}")
    page.get_by_role("button", name=re.compile(f"^Thêm vào giỏ: {name}")).first.click()
    expect(page.get_by_role("status").filter(has_text="Đã thêm vào giỏ hàng")).to_be_visible()


def fill_address(page: Page) -> None:
    page.get_by_label("Tỉnh/thành phố").select_option(label="Thành phố Hà Nội")
    # The commune list follows the province (loaded by the page's script).
    ward = page.get_by_label("Phường/xã")
    expect(ward.locator("option", has_text="Phường Tây Hồ")).to_have_count(1)
    ward.select_option(label="Phường Tây Hồ")
    page.get_by_label("Số nhà, tên đường").fill("12 Đặng Thai Mai")
    # The delivery prices for Hà Nội appear as soon as the province is chosen.
    expect(page.get_by_role("radio", name=re.compile(r"Giao hàng tiêu chuẩn — [\d.]+ ₫"))).to_be_visible()


def test_guest_buys_two_products_cash_on_delivery(page: Page, check_page, smtp_sink_server):
    add_to_cart(page, "che-sen-quang-an", "Chè Sen Quảng An")
    add_to_cart(page, "o-mai-mo-gung-bao-phuong", "Ô mai")
    expect(cart_link(page)).to_contain_text("2 sản phẩm")

    cart_link(page).click()
    expect(page.get_by_role("heading", level=1, name="Giỏ hàng của bạn")).to_be_visible()
    expect(page.get_by_label("Số lượng Chè Sen Quảng An")).to_have_value("1")
    check_page(page, "cart with two products (vi)")

    page.get_by_label("Số lượng Chè Sen Quảng An").fill("2")
    page.get_by_role("button", name="Cập nhật").first.click()
    expect(cart_link(page)).to_contain_text("3 sản phẩm")

    page.get_by_role("link", name="Tiến hành đặt hàng").click()
    expect(page.get_by_role("heading", level=1, name="Đặt hàng")).to_be_visible()
    page.get_by_label("Họ và tên").fill("Trần Văn Minh")
    page.get_by_label("Số điện thoại").fill("0987 654 321")
    page.get_by_label("Email").fill("minh.e2e@example.vn")
    fill_address(page)
    page.get_by_role("radio", name=re.compile("Giao hàng tiêu chuẩn")).check()
    page.get_by_role("radio", name=re.compile("Thanh toán khi nhận hàng")).check()
    check_page(page, "checkout form (vi)")
    page.get_by_role("button", name="Tiếp tục: xem lại đơn hàng").click()

    expect(page.get_by_role("heading", level=1, name="Xem lại đơn hàng")).to_be_visible()
    summary = page.get_by_role("complementary", name="Thành tiền")
    expect(summary).to_contain_text("₫")
    check_page(page, "order review (vi)")
    page.get_by_role("button", name="Đặt hàng").click()

    heading = page.get_by_role("heading", level=1, name=re.compile(r"^Đơn hàng OCOP-\d{4}-\d{4,}$"))
    expect(heading).to_be_visible()
    number = heading.inner_text().removeprefix("Đơn hàng ")
    expect(page.get_by_text("Trạng thái: Đã xác nhận")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Chè Sen Quảng An")
    expect(cart_link(page)).to_contain_text("0 sản phẩm")
    check_page(page, "order confirmation, cash on delivery (vi)")
    assert any(number in m["Subject"] for m in smtp_sink_server.messages)


def test_shopper_pays_by_vietqr_and_finds_the_order(page: Page, check_page):
    page.goto("/account/login")
    page.get_by_label("Email").fill("shopper@ocop.example")
    page.get_by_label("Mật khẩu").fill("ocop-demo-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    add_to_cart(page, "nuoc-mam-phu-quoc-40-do-dam", "Nước mắm Phú Quốc 40")

    page.goto("/checkout")
    expect(page.get_by_label("Họ và tên")).to_have_value("Nguyễn Thu Hà")
    expect(page.get_by_label("Email")).to_have_value("shopper@ocop.example")
    fill_address(page)
    page.get_by_role("radio", name=re.compile("Chuyển khoản ngân hàng")).check()
    page.get_by_label("Lưu địa chỉ này").check()
    page.get_by_role("button", name="Tiếp tục: xem lại đơn hàng").click()
    page.get_by_role("button", name="Đặt hàng").click()

    heading = page.get_by_role("heading", level=1, name=re.compile(r"^Đơn hàng OCOP-"))
    expect(heading).to_be_visible()
    number = heading.inner_text().removeprefix("Đơn hàng ")
    expect(page.get_by_text("Trạng thái: Chờ thanh toán")).to_be_visible()
    payment = page.get_by_role("region", name="Thanh toán bằng chuyển khoản")
    expect(payment.get_by_role("img", name=f"Mã VietQR để thanh toán đơn hàng {number}")).to_be_visible()
    expect(payment).to_contain_text("0011004455667")
    expect(payment).to_contain_text(number)
    check_page(page, "order confirmation, VietQR (vi)")

    page.get_by_role("link", name="Đơn hàng của tôi").last.click()
    expect(page.get_by_role("heading", level=1, name="Đơn hàng của tôi")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=number))
    expect(row).to_contain_text("Chờ thanh toán")
    check_page(page, "my orders (vi)")
