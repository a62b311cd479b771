"""Staff at work: a shopper's bank transfer arrives, and an admin finds the order in the list,
opens it and marks the transfer received. The admin pages are checked by axe and the Nu HTML
checker like every other page (one form, one CSRF token each, no id twice)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_checkout_journey import add_to_cart, fill_address

pytestmark = pytest.mark.e2e


def log_in(page: Page, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill("ocop-demo-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("banner").locator("details.account-menu")).to_be_visible()


def test_staff_marks_a_bank_transfer_received(page: Page, new_context, check_page):
    log_in(page, "shopper@ocop.example")
    add_to_cart(page, "che-sen-quang-an", "Chè Sen Quảng An")
    page.goto("/checkout")
    fill_address(page)
    page.get_by_role("radio", name=re.compile("Chuyển khoản ngân hàng")).check()
    page.get_by_role("button", name="Tiếp tục: xem lại đơn hàng").click()
    page.get_by_role("button", name="Đặt hàng").click()
    heading = page.get_by_role("heading", level=1, name=re.compile(r"^Đơn hàng OCOP-"))
    number = heading.inner_text().removeprefix("Đơn hàng ")

    staff = new_context().new_page()
    log_in(staff, "admin@ocop.example")
    staff.goto("/admin/orders")
    expect(staff.get_by_role("heading", level=1, name="Đơn hàng")).to_be_visible()
    check_page(staff, "admin: orders (vi)")
    staff.get_by_role("link", name=number).first.click()
    expect(staff.get_by_role("heading", level=1, name=f"Đơn hàng {number}")).to_be_visible()
    check_page(staff, "admin: an order waiting for its transfer (vi)")

    staff.get_by_role("button", name=re.compile(r"^Đã nhận chuyển khoản [\d.]+ ₫")).click()
    expect(staff.get_by_role("button", name=re.compile("^Đã nhận chuyển khoản"))).to_have_count(0)
    check_page(staff, "admin: a paid order (vi)")

    page.reload()
    expect(page.get_by_text("Trạng thái: Đã xác nhận")).to_be_visible()
