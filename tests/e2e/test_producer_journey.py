"""Producers at work on a phone (390×844), in Vietnamese, on the demo data: the co-operative
adds the stock it received to a pack; it puts a new product on sale with a pack and a picture,
and a visitor finds it in the catalog; a shopper orders from two producers at once, the first
packs and ships its part with the carrier's tracking number while the second producer's part of
the same order stays to pack. Every page visited goes through `check_page` (axe + Nu HTML)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from tests.e2e.test_checkout_journey import add_to_cart, cart_link
from tests.e2e.test_staff_journey import log_in

PHONE = {"width": 390, "height": 844}
pytestmark = [pytest.mark.e2e, pytest.mark.browser_context_args(viewport=PHONE)]


def status_message(page: Page):
    """The message a page shows after a form was sent."""
    return page.get_by_role("status").or_(page.get_by_role("alert"))


def figure(card, term: str) -> int:
    """The number shown beside `term` in a stock card."""
    value = card.locator("dl div").filter(has=card.page.locator("dt", has_text=re.compile(f"^{term}$"))).locator("dd")
    return int(value.inner_text())


def test_producer_adds_the_stock_it_received(page: Page, check_page):
    log_in(page, "producer@ocop.example")
    page.goto("/producer/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_page(page, "portal: dashboard of the demo co-operative (vi, phone)")

    page.get_by_role("link", name="Tồn kho", exact=True).first.click()
    expect(page.get_by_role("heading", level=1, name="Tồn kho")).to_be_visible()
    check_page(page, "portal: stock (vi, phone)")

    card = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", level=2, name="Xôi Phú Thượng — Hộp 500 g")
    )
    before = figure(card, "Trong kho")
    card.get_by_text("Thêm hoặc bớt, ngưỡng cảnh báo").click()
    adjust = card.locator("form").filter(has=page.get_by_role("button", name="Điều chỉnh"))
    adjust.get_by_label("Số lượng (+ để thêm, − để bớt)").fill("+12")
    adjust.get_by_label("Lý do").select_option(label="Nhập thêm hàng")
    adjust.get_by_label(re.compile("^Ghi chú")).fill("Mẻ xôi sáng nay")
    check_page(page, "portal: stock, adding what was received (vi, phone)")
    adjust.get_by_role("button", name="Điều chỉnh").click()

    expect(status_message(page).filter(has_text=f"XPT-500: số trong kho giờ là {before + 12}.")).to_be_visible()
    card = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", level=2, name="Xôi Phú Thượng — Hộp 500 g")
    )
    assert figure(card, "Trong kho") == before + 12
    check_page(page, "portal: stock after adding 12 (vi, phone)")

    # The ledger says who added what, and why.
    page.get_by_role("link", name="Sổ kho").click()
    entry = page.get_by_role("row").filter(has_text="XPT-500").filter(has_text="Nhập thêm hàng").first
    expect(entry).to_contain_text("+12")
    expect(entry).to_contain_text("Mẻ xôi sáng nay")
    check_page(page, "portal: stock ledger (vi, phone)")


def a_photo() -> bytes:
    """A 640×480 PNG: a plate of white bánh giầy on a banana leaf."""
    image = Image.new("RGB", (640, 480), (246, 236, 214))
    draw = ImageDraw.Draw(image)
    draw.ellipse((70, 90, 570, 410), fill=(74, 140, 70))
    for x, y in ((190, 190), (320, 170), (450, 190), (250, 300), (390, 300)):
        draw.ellipse((x - 62, y - 50, x + 62, y + 50), fill=(250, 250, 245), outline=(220, 220, 210), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_producer_publishes_a_new_product_with_a_picture_and_a_visitor_finds_it(page: Page, new_context, check_page):
    log_in(page, "producer@ocop.example")
    page.goto("/producer/products")
    expect(page.get_by_role("heading", level=1, name="Sản phẩm")).to_be_visible()
    check_page(page, "portal: products (vi, phone)")

    page.get_by_role("link", name="Thêm sản phẩm").click()
    expect(page.get_by_role("heading", level=1, name="Thêm sản phẩm")).to_be_visible()
    page.get_by_label("Tên tiếng Việt").fill("Bánh giầy Phú Thượng")
    page.get_by_label("Tóm tắt ngắn bằng tiếng Việt").fill("Bánh giầy nếp cái hoa vàng, giã tay, gói lá chuối.")
    page.get_by_label("Nhóm sản phẩm OCOP").select_option(label="Thực phẩm")
    page.get_by_label("Tỉnh/thành phố xuất xứ").select_option(label="Thành phố Hà Nội")
    ward = page.get_by_label("Phường/xã xuất xứ")
    expect(ward.locator("option", has_text="Phường Phú Thượng")).to_have_count(1)  # loaded by the page's script
    ward.select_option(label="Phường Phú Thượng")
    check_page(page, "portal: new product form, filled (vi, phone)")
    page.get_by_role("button", name="Lưu bản nháp").click()

    expect(page.get_by_role("heading", level=1, name="Bánh giầy Phú Thượng")).to_be_visible()
    status = page.get_by_role("region", name="Trên cửa hàng")
    expect(status).to_contain_text("Bản nháp")
    expect(status).to_contain_text("Thêm ít nhất một ảnh.")
    check_page(page, "portal: a new draft product (vi, phone)")

    page.get_by_role("link", name="Thêm quy cách").click()
    expect(page.get_by_role("heading", level=1, name="Thêm quy cách")).to_be_visible()
    page.get_by_label("Mã SKU").fill("XPT-BG-10")
    page.get_by_label("Tên quy cách bằng tiếng Việt").fill("Hộp 10 chiếc")
    page.get_by_label("Giá (đồng)").fill("60.000")
    page.get_by_label(re.compile("^Khối lượng cả bao bì")).fill("800")
    check_page(page, "portal: new pack form, filled (vi, phone)")
    page.get_by_role("button", name="Thêm quy cách").click()
    expect(status_message(page).filter(has_text="Đã thêm quy cách XPT-BG-10.")).to_be_visible()
    expect(page.get_by_role("region", name="Quy cách và giá")).to_contain_text("60.000")

    page.get_by_role("link", name="Quản lý ảnh").click()
    expect(page.get_by_role("heading", level=1, name="Ảnh của Bánh giầy Phú Thượng")).to_be_visible()
    check_page(page, "portal: pictures, none yet (vi, phone)")
    page.get_by_label("Ảnh", exact=True).set_input_files(
        {"name": "banh-giay.png", "mimeType": "image/png", "buffer": a_photo()}
    )
    alt = "Năm chiếc bánh giầy trắng trên lá chuối"
    page.get_by_label("Mô tả bằng tiếng Việt").fill(alt)
    page.get_by_label("Mô tả bằng tiếng Anh").fill("Five white bánh giầy on a banana leaf")
    page.get_by_role("button", name="Tải ảnh lên").click()
    expect(status_message(page).filter(has_text="Đã thêm ảnh.")).to_be_visible()
    expect(page.get_by_role("img", name=alt)).to_be_visible()
    check_page(page, "portal: pictures, one uploaded (vi, phone)")

    page.get_by_role("link", name="Quay lại Bánh giầy Phú Thượng").click()
    page.get_by_role("button", name="Đăng bán").click()
    status = page.get_by_role("region", name="Trên cửa hàng")
    expect(status).to_contain_text("Đang bán")
    expect(status.get_by_role("link", name="Xem trên cửa hàng")).to_be_visible()
    check_page(page, "portal: the product published (vi, phone)")

    visitor = new_context().new_page()
    visitor.goto("/products?q=bánh giầy")
    found = visitor.get_by_role("link", name=re.compile("Bánh giầy Phú Thượng")).first
    expect(found).to_be_visible()
    check_page(visitor, "catalog: search finds the new product (vi, phone)")
    found.click()
    expect(visitor.get_by_role("heading", level=1, name="Bánh giầy Phú Thượng")).to_be_visible()
    expect(visitor.get_by_role("img", name=alt).first).to_be_visible()
    expect(visitor.get_by_text("60.000").first).to_be_visible()
    check_page(visitor, "catalog: the new product's page (vi, phone)")


def order_from_two_producers(page: Page, check_page) -> str:
    """A guest orders xôi (HTX Xôi Phú Thượng) and lotus tea bags (HTX Chè Sen Quảng An), same-day
    delivery in Hà Nội, cash on delivery; returns the order's number."""
    add_to_cart(page, "xoi-phu-thuong", "Xôi Phú Thượng")
    add_to_cart(page, "tra-sen-tui-loc-quang-an", "Trà sen túi lọc Quảng An")
    expect(cart_link(page)).to_contain_text("2 sản phẩm")
    page.goto("/checkout")
    page.get_by_label("Họ và tên").fill("Đặng Thị Hồng")
    page.get_by_label("Số điện thoại").fill("0903 456 789")
    page.get_by_label("Email").fill("hong.e2e@example.vn")
    page.get_by_label("Tỉnh/thành phố").select_option(label="Thành phố Hà Nội")
    ward = page.get_by_label("Phường/xã")
    expect(ward.locator("option", has_text="Phường Tây Hồ")).to_have_count(1)
    ward.select_option(label="Phường Tây Hồ")
    page.get_by_label("Số nhà, tên đường").fill("25 Đặng Thai Mai")
    # Xôi keeps a day: it goes the same day (the tests' clock reads 09:00 in Hà Nội).
    page.get_by_role("radio", name=re.compile("Giao trong ngày")).check()
    page.get_by_role("radio", name=re.compile("Thanh toán khi nhận hàng")).check()
    check_page(page, "checkout: xôi and lotus tea, same day, cash (vi, phone)")
    page.get_by_role("button", name="Tiếp tục: xem lại đơn hàng").click()
    expect(page.get_by_role("heading", level=1, name="Xem lại đơn hàng")).to_be_visible()
    page.get_by_role("button", name="Đặt hàng").click()
    heading = page.get_by_role("heading", level=1, name=re.compile(r"^Đơn hàng OCOP-\d{4}-\d{4,}$"))
    expect(heading).to_be_visible()
    check_page(page, "order confirmation, two producers (vi, phone)")
    return heading.inner_text().removeprefix("Đơn hàng ")


def open_shipment(page: Page, check_page, number: str, who: str):
    """From the portal's shipments list, the shipment of order `number`; returns its status."""
    page.goto("/producer/shipments")
    expect(page.get_by_role("heading", level=1, name="Kiện hàng")).to_be_visible()
    check_page(page, f"portal: shipments of {who} (vi, phone)")
    page.get_by_role("link", name=f"Đơn hàng {number}").click()
    expect(page.get_by_role("heading", level=1, name=f"Kiện hàng của đơn {number}")).to_be_visible()
    return page.locator(".shipment-head .shipment-status")


def test_a_producer_ships_its_part_while_the_other_producers_part_stays_to_pack(page: Page, new_context, check_page):
    number = order_from_two_producers(page, check_page)

    xoi = new_context().new_page()
    log_in(xoi, "producer@ocop.example")
    status = open_shipment(xoi, check_page, number, "the xôi co-operative")
    expect(status).to_have_text("Cần đóng gói")
    items = xoi.get_by_role("region", name="Sản phẩm của bạn trong đơn này")
    expect(items).to_contain_text("Xôi Phú Thượng")
    expect(items).not_to_contain_text("Trà sen")  # the other producer's line is not shown
    expect(xoi.get_by_role("region", name="Giao đến đâu")).to_contain_text("25 Đặng Thai Mai")
    check_page(xoi, "portal: a shipment to pack (vi, phone)")

    xoi.get_by_role("button", name="Đánh dấu đã đóng gói").click()
    expect(status).to_have_text("Đã đóng gói")
    xoi.get_by_label("Đơn vị vận chuyển").select_option(label="GHN (Giao Hàng Nhanh)")
    xoi.get_by_label("Mã vận đơn").fill("GHNE2E4821")
    check_page(xoi, "portal: a packed shipment, carrier chosen (vi, phone)")
    xoi.get_by_role("button", name="Đánh dấu đã gửi hàng").click()
    expect(status).to_have_text("Đang giao hàng")
    next_step = xoi.get_by_role("complementary", name="Việc cần làm")
    expect(next_step).to_contain_text("GHN (Giao Hàng Nhanh)")
    expect(next_step).to_contain_text("GHNE2E4821")
    check_page(xoi, "portal: a shipped shipment (vi, phone)")

    lotus = new_context().new_page()
    log_in(lotus, "producer2@ocop.example")
    status = open_shipment(lotus, check_page, number, "the lotus tea co-operative")
    expect(status).to_have_text("Cần đóng gói")
    expect(lotus.get_by_role("button", name="Đánh dấu đã đóng gói")).to_be_visible()
    items = lotus.get_by_role("region", name="Sản phẩm của bạn trong đơn này")
    expect(items).to_contain_text("Trà sen túi lọc Quảng An")
    expect(items).not_to_contain_text("Xôi")
    check_page(lotus, "portal: the other producer's part, still to pack (vi, phone)")

    # The order follows its shipments: one left, one to pack — it is being prepared.
    page.reload()
    expect(page.get_by_text("Trạng thái: Đang chuẩn bị hàng")).to_be_visible()
