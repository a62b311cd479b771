"""A shopper's account, as a person does it in a browser: register, log out, log in, change
language, and the mistakes people make on the way. The UI is in Vietnamese unless she picks
English; every page is checked with axe-core and kept for the Nu HTML checker."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

NAME = "Nguyễn Thị Lan"
PASSWORD = "sen-Tây-Hồ-2026"


def unique_email() -> str:
    return f"lan.{uuid.uuid4().hex[:12]}@example.vn"


def account_menu(page: Page, name: str):
    """The header's account menu (a <details> whose summary is the user's name)."""
    return page.get_by_role("banner").locator("details.account-menu").filter(has=page.get_by_text(name, exact=True))


def mailed_link(sink, email: str, path: str, timeout: float = 10.0) -> str:
    """The path of the `path…` link in the latest message to `email` (the mail's host is
    SHOP_BASE_URL's, not this server's)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(sink.messages):
            if email in str(message["To"]):
                text = message.get_body(("plain",)).get_content()
                return re.search(rf"https?://[^/\s]+({path}\S+)", text).group(1)
        time.sleep(0.05)
    raise AssertionError(f"no mail to {email}")


def start_signup(page: Page, check_page, sink, *, email: str) -> None:
    """Step one: her address; the shop mails her a link, and she opens it."""
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.get_by_role("link", name="Đăng ký", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Tạo tài khoản")).to_be_visible()
    check_page(page, "register (vi)")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Tiếp tục", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"Chúng tôi đã gửi thư tới {email}.")
    check_page(page, "register, mail sent (vi)")
    page.goto(mailed_link(sink, email, "/account/register/"))
    expect(page.get_by_role("heading", level=1, name="Tạo tài khoản")).to_be_visible()


def register(page: Page, check_page, sink, *, name: str, email: str, password: str) -> None:
    start_signup(page, check_page, sink, email=email)
    check_page(page, "register, finish (vi)")
    page.get_by_label("Họ và tên", exact=True).fill(name)
    page.get_by_label("Số điện thoại (không bắt buộc)", exact=True).fill("0912 345 678")
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_label("Nhập lại mật khẩu", exact=True).fill(password)
    page.get_by_role("button", name="Tạo tài khoản", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"Chào mừng {name}! Tài khoản của bạn đã sẵn sàng.")
    expect(account_menu(page, name)).to_be_visible()


def log_out(page: Page, name: str, *, button: str = "Đăng xuất") -> None:
    menu = account_menu(page, name)
    menu.get_by_text(name, exact=True).click()  # open the menu
    menu.get_by_role("button", name=button, exact=True).click()


def test_register_log_out_log_in_and_switch_language(page: Page, check_page, context, new_context, smtp_sink_server):
    email = unique_email()

    # A new visitor: the home page in Vietnamese, then a page that does not exist.
    page.goto("/")
    expect(page.get_by_role("link", name="Đăng nhập", exact=True)).to_be_visible()
    check_page(page, "home (vi, visitor)")
    response = page.goto(f"/khong-co-trang-nay-{uuid.uuid4().hex[:6]}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1, name="Không tìm thấy trang")).to_be_visible()
    check_page(page, "404 (vi)")

    # She registers through the link mailed to her, and is logged in.
    register(page, check_page, smtp_sink_server, name=NAME, email=email, password=PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    check_page(page, "home (vi, logged in)")

    log_out(page, NAME)
    expect(page.get_by_role("status")).to_contain_text("Bạn đã đăng xuất.")
    expect(account_menu(page, NAME)).to_have_count(0)

    # She comes back and logs in, asking to be remembered.
    page.get_by_role("link", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Đăng nhập")).to_be_visible()
    check_page(page, "login (vi)")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Ghi nhớ đăng nhập", exact=True).check()
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Bạn đã đăng nhập.")
    expect(account_menu(page, NAME)).to_be_visible()
    assert "remember_token" in {c["name"] for c in context.cookies()}, "“Ghi nhớ đăng nhập” set no cookie"

    # English, please.
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Tiếng Việt", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Search", exact=True)).to_be_visible()
    menu = account_menu(page, NAME)
    menu.get_by_text(NAME, exact=True).click()
    expect(menu.get_by_role("link", name="My profile", exact=True)).to_be_visible()
    expect(menu.get_by_role("button", name="Log out", exact=True)).to_be_visible()
    check_page(page, "home (en, logged in, menu open)")

    # The choice sticks: on reload, on another page, and when she comes back later with only the
    # remember-me cookie (the session cookie died with the browser; her profile keeps English).
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    later = new_context().new_page()  # still a vi-VN browser
    later.context.add_cookies([c for c in context.cookies() if c["name"] == "remember_token"])
    later.goto("/")
    expect(later.locator("html")).to_have_attribute("lang", "en")
    expect(account_menu(later, NAME)).to_be_visible()
    later.context.close()
    response = page.goto(f"/no-such-page-{uuid.uuid4().hex[:6]}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1, name="Page not found")).to_be_visible()
    check_page(page, "404 (en)")

    page.goto("/")
    menu.get_by_text(NAME, exact=True).click()
    menu.get_by_role("link", name="My profile", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="My profile")).to_be_visible()
    language = page.get_by_role("group", name="Preferred language")
    expect(language.get_by_role("radio", name="English", exact=True)).to_be_checked()
    expect(language.get_by_role("radio", name="Tiếng Việt", exact=True)).not_to_be_checked()
    check_page(page, "profile (en)")

    # And back to Vietnamese, from the profile page.
    page.get_by_role("button", name="Tiếng Việt", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1, name="Hồ sơ của tôi")).to_be_visible()
    language = page.get_by_role("group", name="Ngôn ngữ ưu tiên")
    expect(language.get_by_role("radio", name="Tiếng Việt", exact=True)).to_be_checked()
    check_page(page, "profile (vi)")


def test_register_with_short_and_mismatched_passwords_shows_errors_by_the_fields(
    page: Page, check_page, smtp_sink_server
):
    email = unique_email()
    start_signup(page, check_page, smtp_sink_server, email=email)
    finish_url = page.url
    page.get_by_label("Họ và tên", exact=True).fill(NAME)
    page.get_by_label("Mật khẩu", exact=True).fill("ngắn")
    page.get_by_label("Nhập lại mật khẩu", exact=True).fill("khác hẳn")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Tạo tài khoản", exact=True).click()
    assert posted.value.status == 400

    # The same page, what she typed is kept, and each error is tied to its field.
    assert page.url == finish_url
    expect(page.get_by_role("heading", level=1, name="Tạo tài khoản")).to_be_visible()
    expect(page.get_by_label("Họ và tên", exact=True)).to_have_value(NAME)
    expect(page.get_by_text(email)).to_be_visible()

    password = page.get_by_label("Mật khẩu", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(re.compile(r"Mật khẩu phải có ít nhất 8 ký tự\."))
    expect(page.locator(".field", has=password).get_by_text("Mật khẩu phải có ít nhất 8 ký tự.")).to_be_visible()

    confirm = page.get_by_label("Nhập lại mật khẩu", exact=True)
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(confirm).to_have_accessible_description("Hai mật khẩu không khớp.")
    expect(page.locator(".field", has=confirm).get_by_text("Hai mật khẩu không khớp.")).to_be_visible()

    expect(page.get_by_label("Họ và tên", exact=True)).not_to_have_attribute("aria-invalid", "true")
    expect(account_menu(page, NAME)).to_have_count(0)
    check_page(page, "register with errors (vi)")


def test_wrong_password_at_login_says_so(page: Page, check_page, smtp_sink_server):
    email = unique_email()
    register(page, check_page, smtp_sink_server, name=NAME, email=email, password=PASSWORD)
    log_out(page, NAME)

    page.get_by_role("link", name="Đăng nhập", exact=True).click()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD + "-sai")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Email hoặc mật khẩu không đúng.")
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    expect(account_menu(page, NAME)).to_have_count(0)
    check_page(page, "login with wrong password (vi)")

    # She asks for a new password instead; the mail goes out through SMTP.
    page.get_by_role("link", name="Quên mật khẩu?", exact=True).first.click()
    expect(page.get_by_role("heading", level=1, name="Đặt lại mật khẩu")).to_be_visible()
    check_page(page, "forgot password (vi)")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Gửi liên kết", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Nếu địa chỉ này thuộc về một tài khoản")
    # The shop hands the mail to SMTP before it answers, so it is there already.
    assert any(email in str(m["To"]) for m in smtp_sink_server.messages), "no reset mail reached the SMTP sink"
