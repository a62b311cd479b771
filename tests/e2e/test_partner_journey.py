"""A restaurant partner at work on a desktop screen and on a phone, on the demo
data (the demo chain is on net-15 terms with a 20.000.000 ₫ credit limit; its buyer orders for the
Hàng Bông branch, open every day 06:00–10:30; xôi and lotus tea bags have volume prices):

the buyer finds three products in the quick order grid and types their quantities, sees the
volume price apply to one of them, reviews the order, picks the branch, a delivery date and a
window and places it on account; the order page shows it confirmed for that date and window.
The accountant then opens the order's invoice from the invoices list, with its VietQR code for
the exact amount, and downloads its PDF. Every page visited goes through `check_page`.

The pages are read in English (the tests' language for the words they look for; every partner
page is also opened in Vietnamese, the default, in test_partner_pages.py).

The server's clock starts at Monday 30 November 2026, 09:00 in Hà Nội (tests/conftest.py NOW),
before the producers' 16:00 cut-off: Wednesday 2 December is always a date one can choose.
Each screen size orders its volume line on another pack, so that both runs fit in the demo's
stock whatever order they run in."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
pytestmark = pytest.mark.e2e

XOI = "Phú Thượng sticky rice"
XOI_GAC = "Phú Thượng gấc sticky rice"
TEA_BAGS = "Quảng An lotus tea bags"
DELIVERY_DAY = "Wednesday, December 2, 2026"
WINDOW = "08:00–10:00"


@dataclass(frozen=True)
class Line:
    search: str  # what the buyer types in the grid's search box to find it
    product: str
    pack: str
    quantity: int


@dataclass(frozen=True)
class Screen:
    name: str
    viewport: dict
    lines: tuple[Line, ...]
    volume: Line  # the line whose quantity reaches a volume price
    volume_price: str  # its unit price then
    volume_from: int  # the quantity that volume price starts at
    total: str  # the order's total, VAT included
    po_number: str


SCREENS = [
    Screen(
        name="desktop",
        viewport=DESKTOP,
        lines=(
            Line("XPT-500", XOI, "500 g box", 10),  # 45.000 ₫ from 10 boxes (retail 50.000 ₫)
            Line("XPT-300", XOI, "300 g portion", 10),  # 30.000 ₫ (its volume price starts at 20)
            Line("gấc", XOI_GAC, "500 g box", 2),  # 45.000 ₫, no partner rules
        ),
        volume=Line("XPT-500", XOI, "500 g box", 10),
        volume_price="45.000 ₫",
        volume_from=10,
        total="840.000 ₫",  # 450.000 + 300.000 + 90.000
        po_number="PO-E2E-DESKTOP",
    ),
    Screen(
        name="phone",
        viewport=PHONE,
        lines=(
            Line("lotus tea bags", TEA_BAGS, "Box of 25 bags", 10),  # 108.000 ₫ from 10 (retail 120.000 ₫)
            Line("XPT-300", XOI, "300 g portion", 10),
            Line("gấc", XOI_GAC, "500 g box", 2),
        ),
        volume=Line("lotus tea bags", TEA_BAGS, "Box of 25 bags", 10),
        volume_price="108.000 ₫",
        volume_from=10,
        total="1.470.000 ₫",  # 1.080.000 + 300.000 + 90.000
        po_number="PO-E2E-PHONE",
    ),
]


@pytest.fixture(params=SCREENS, ids=[screen.name for screen in SCREENS])
def screen(request) -> Screen:
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args, screen):
    return {**browser_context_args, "viewport": screen.viewport, "locale": "en-GB"}


def log_in(page: Page, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("ocop-demo-2026")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("banner").locator("details.account-menu")).to_be_visible()


def partner_menu(page: Page):
    return page.get_by_role("navigation", name="Partner area")


def quantity_box(page: Page, line: Line):
    return page.get_by_label(f"Quantity of {line.product}, {line.pack}", exact=True)


def grid_row(page: Page, line: Line):
    return page.get_by_role("row").filter(has=quantity_box(page, line))


def find(page: Page, words: str) -> None:
    search = page.get_by_role("search", name="Find products")
    search.get_by_label("Name or SKU").fill(words)
    search.get_by_role("button", name="Find", exact=True).click()
    expect(page.get_by_label("Name or SKU")).to_have_value(words)
    page.wait_for_load_state()  # the grid's script listens for what is typed once it has run


def type_quantity(page: Page, line: Line) -> None:
    """Type the quantity as a person does, then wait for the server's price of the line (the grid
    keeps what was typed in the order as it asks for the prices)."""
    box = quantity_box(page, line)
    box.fill(str(line.quantity))
    expect(grid_row(page, line)).to_contain_text(" each")


def test_a_restaurant_orders_on_account_and_its_accountant_opens_the_invoice(
    page: Page, new_context, check_page, screen: Screen
):
    where = f"({screen.name}, en)"
    log_in(page, "buyer@ocop.example")
    page.goto("/partner/")
    partner_menu(page).get_by_role("link", name="Quick order").click()
    expect(page.get_by_role("heading", level=1, name="Quick order")).to_be_visible()

    for line in screen.lines:
        find(page, line.search)
        type_quantity(page, line)

    # The volume price: the page says it is one, with the lower unit price and the saving.
    find(page, screen.volume.search)
    row = grid_row(page, screen.volume)
    expect(row).to_contain_text(f"volume price from {screen.volume_from}")
    expect(row).to_contain_text(f"{screen.volume_price} each")
    expect(row).to_contain_text("you save")
    summary = page.get_by_role("region", name="Your order")
    expect(summary).to_contain_text(screen.total)
    check_page(page, f"partner: quick order with a volume price {where}")

    page.get_by_role("button", name="Review order").click()
    expect(page.get_by_role("heading", level=1, name="Review your order")).to_be_visible()
    lines = page.get_by_role("region", name="Lines")
    for line in screen.lines:
        expect(lines.get_by_role("row").filter(has_text=f"{line.product} — {line.pack}")).to_contain_text(
            str(line.quantity)
        )
    expect(lines.get_by_role("row").filter(has_text=screen.volume.pack).first).to_contain_text(screen.volume_price)
    expect(lines).to_contain_text(screen.total)

    # The branch, then the date: choosing either shows the page again with that day's windows
    # (the page's script, once it has run, sends the choice).
    page.wait_for_load_state()
    branch = page.get_by_label("Delivery location")
    with page.expect_navigation():
        branch.select_option(label=branch.locator("option", has_text="Chi nhánh Hàng Bông").inner_text())
    page.wait_for_load_state()
    with page.expect_navigation():
        page.get_by_label("Delivery date").select_option(label=DELIVERY_DAY)
    windows = page.get_by_role("group", name=f"Delivery window — {DELIVERY_DAY}")
    expect(windows).to_be_visible()
    windows.get_by_role("radio", name=WINDOW).check()
    page.get_by_label(re.compile("^Purchase-order number")).fill(screen.po_number)
    pay = page.get_by_role("region", name="Payment: on account")
    expect(pay).to_contain_text("Net 15 days")
    check_page(page, f"partner: review with branch, date and window {where}")
    page.get_by_role("button", name="Place order").click()

    # The order page: confirmed, for that day and window, on account.
    heading = page.get_by_role("heading", level=1, name=re.compile("^Order "))
    expect(heading).to_contain_text("Confirmed")
    number = re.search(r"Order (\S+)", heading.inner_text()).group(1)
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).filter(has_text=number)).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(DELIVERY_DAY)
    expect(facts).to_contain_text(WINDOW)
    expect(facts).to_contain_text("Chi nhánh Hàng Bông")
    expect(facts).to_contain_text(screen.po_number)
    expect(page.get_by_role("region", name="Lines")).to_contain_text(screen.total)
    check_page(page, f"partner: the order placed on account {where}")

    # The accountant finds its invoice among the partner's invoices.
    accountant = new_context().new_page()  # the same screen size and language
    log_in(accountant, "accountant@ocop.example")
    accountant.goto("/partner/")
    partner_menu(accountant).get_by_role("link", name="Invoices", exact=True).click()
    expect(accountant.get_by_role("heading", level=1, name="Invoices")).to_be_visible()
    check_page(accountant, f"partner: invoices list {where}")
    invoice_row = accountant.get_by_role("row").filter(has_text=screen.po_number)
    expect(invoice_row).to_contain_text(screen.total)
    invoice_row.get_by_role("link").click()

    title = accountant.get_by_role("heading", level=1, name=re.compile("^Invoice "))
    expect(title).to_be_visible()
    invoice_number = title.inner_text().removeprefix("Invoice ").strip()
    pay = accountant.get_by_role("region", name="Pay by bank transfer")
    expect(pay.get_by_role("img", name=f"VietQR code to pay invoice {invoice_number}")).to_be_visible()
    amount = pay.locator("dt", has_text=re.compile("^Amount$")).locator("xpath=following-sibling::dd[1]")
    expect(amount).to_have_text(screen.total)
    expect(pay).to_contain_text(invoice_number)  # the transfer's reference
    check_page(accountant, f"partner: the invoice with its VietQR code {where}")

    with accountant.expect_download() as download:
        accountant.get_by_role("link", name="Download the PDF").click()
    pdf = download.value
    assert pdf.suggested_filename == f"{invoice_number}.pdf"
    with open(pdf.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
