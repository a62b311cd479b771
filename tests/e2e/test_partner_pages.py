"""Every GET page of the restaurant partners' area (`partners` blueprint) and the staff's and
producers' pages about partners (admins' partners, negotiated prices, VAT rates and invoices; a
producer's partner prices) in a phone-sized browser (390×844), in Vietnamese, each through
`check_page`: axe (nothing serious or critical) and the Nu HTML checker (no error).

The pages are read from the shop's URL map, like test_portal_pages.py, so a page added later is
checked too, or this test says which id it needs. The partner's pages are opened as the owner of
the demo's approved chain (two branches, two orders with their invoices, a standing order), with
something in its order so the review shows; the dashboard also as its buyer and its accountant;
the CSV preview with rows that pass and rows that do not; the invitation as its link opens; the
application pages as a restaurant that has just applied. Downloads (PDF, CSV, the invoices'
export) are not pages and are left out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from tests.e2e.test_portal_pages import PARTNER_STAFF_VIEWS, addresses, url_map, view_module, visit, visit_all
from tests.e2e.test_staff_journey import log_in

PHONE = {"width": 390, "height": 844}
pytestmark = [pytest.mark.e2e, pytest.mark.browser_context_args(viewport=PHONE)]

DOWNLOADS = {"partners.invoices_pdf", "partners.statements_csv", "admin.invoices_export"}
# Opened by others than the demo chain's owner, below.
ELSEWHERE = {"partners.apply", "partners.application", "partners.invitation"}
DEMO_PARTNER = "0109001019"  # shop/demo_partners.py
APPLICANT = {
    "email": "nha.hang.moi.e2e@example.vn",
    "name": "Nhà hàng Cơm Quê (e2e)",
    "tax_code": "0109009000",
}


def get_pages(blueprint: str | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """(endpoint, argument names) of every page answered to GET, downloads left out: of
    `blueprint`, or (None) the staff's and producers' pages about partners."""
    pages = []
    for rule in sorted(url_map().iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in DOWNLOADS:
            continue
        if blueprint is None and view_module(rule.endpoint) not in PARTNER_STAFF_VIEWS:
            continue
        if blueprint is not None and rule.endpoint.split(".")[0] != blueprint:
            continue
        pages.append((rule.endpoint, tuple(sorted(rule.arguments))))
    return pages


def on_the_phone(check_page):
    """`check_page`, and the page fits the phone's width (a wide table scrolls in its own box)."""

    def check(page: Page, name: str) -> None:
        check_page(page, name)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} ({page.url}) is {width} px wide on a {PHONE['width']} px screen"

    return check


def partner_ids(database_url: str) -> dict:
    """Ids of the demo chain's rows each page is opened with (read only), and of the partners
    waiting for review."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:

            def all_(sql: str, **params):
                return list(db.execute(text(sql), params).scalars())

            partner = db.execute(text("SELECT id FROM partners WHERE tax_code = :t"), {"t": DEMO_PARTNER}).scalar_one()
            ids = {
                "partner_id": [partner, *all_("SELECT id FROM partners WHERE status = 'pending' ORDER BY id")],
                "location_id": all_("SELECT id FROM partner_locations WHERE partner_id = :p ORDER BY id", p=partner),
                "order_id": all_(
                    "SELECT id FROM orders WHERE partner_id = :p AND checkout_token LIKE 'demo-partner-order-%' "
                    "ORDER BY id",
                    p=partner,
                ),
                "invoice_id": all_("SELECT id FROM invoices WHERE partner_id = :p ORDER BY id", p=partner),
                "standing_order_id": all_(
                    "SELECT id FROM standing_orders WHERE partner_id = :p ORDER BY id", p=partner
                ),
                "product_id": all_("SELECT id FROM products WHERE slug = 'xoi-phu-thuong'"),
                # The demo's paused webhook endpoint and its delivered and failed deliveries.
                "endpoint_id": all_("SELECT id FROM webhook_endpoints WHERE partner_id = :p", p=partner),
                "delivery_id": all_(
                    "SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id "
                    "WHERE e.partner_id = :p ORDER BY d.id",
                    p=partner,
                ),
            }
    finally:
        engine.dispose()
    for name, values in ids.items():
        assert values, f"the demo has no {name} for the partner pages"
    return ids


def wait_for_mail(page: Page, smtp_sink_server, to: str, pattern: str) -> str:
    """The first group of `pattern` in the plain text of the mail sent to `to`."""
    for _ in range(50):
        for message in smtp_sink_server.messages:
            if to in str(message["To"]):
                found = re.search(pattern, message.get_body(("plain",)).get_content())
                if found:
                    return found.group(1)
        page.wait_for_timeout(200)
    raise AssertionError(f"no mail with {pattern} reached {to}")


def invite(page: Page, smtp_sink_server, email: str) -> str:
    """The owner invites `email` as a buyer: the token of the link mailed to them."""
    page.goto("/partner/members")
    form = page.locator("form[action$='/partner/members/invite']")
    form.get_by_role("textbox").fill(email)
    form.locator("input[type=radio][value=buyer]").check()
    form.get_by_role("button").click()
    expect(page.get_by_text(email).first).to_be_visible()
    return wait_for_mail(page, smtp_sink_server, email, r"/partner/invitations/([A-Za-z0-9_\-]+)")


def put_an_order_in_the_draft(page: Page, order_id: int) -> None:
    """ "Order again" on an earlier order: its lines go into the order, and on to the review."""
    page.goto(f"/partner/orders/{order_id}")
    page.locator(f"form[action$='/partner/orders/{order_id}/again']").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/partner/order/review"))


def sign_up(page: Page, smtp_sink_server, email: str, name: str) -> None:
    page.goto("/account/register")
    page.locator("input[name=email]").fill(email)
    page.locator("form[action$='/account/register'] button[type=submit]").click()
    token = wait_for_mail(page, smtp_sink_server, email, r"/account/register/([A-Za-z0-9_\-.]+)")
    page.goto(f"/account/register/{token}")
    page.locator("input[name=name]").fill(name)
    page.locator("input[name=password]").fill("mat-khau-e2e-2026")
    page.locator("input[name=confirm]").fill("mat-khau-e2e-2026")
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_role("banner").locator("details.account-menu")).to_be_visible()


def apply_as_a_restaurant(page: Page) -> None:
    """Send the application form (the fields by name: the words are checked elsewhere)."""
    page.goto("/partner/apply")
    token = page.locator("form[action$='/partner/apply'] input[name=csrf_token]").input_value()
    fields = {
        "csrf_token": token,
        "name": APPLICANT["name"],
        "tax_code": APPLICANT["tax_code"],
        "province_code": "1",
        "ward_code": "70",
        "street": "8 Hàng Bạc",
        "einvoice_email": APPLICANT["email"],
        "contact_phone": "0912000111",
        "location_name": "Cơm Quê Hàng Bạc",
        "location_province_code": "1",
        "location_ward_code": "70",
        "location_street": "8 Hàng Bạc",
        "location_contact_name": "Lý Văn Nhận",
        "location_contact_phone": "0912000222",
    }
    for name in page.locator("form[action$='/partner/apply'] input[type=time]").evaluate_all(
        "inputs => inputs.map(i => i.name)"
    ):
        fields[name] = "06:00" if "opens" in name else "10:00"
    response = page.request.post("/partner/apply", form=fields, max_redirects=0)
    assert response.status == 302, f"the application was refused ({response.status})"


@pytest.fixture(scope="module")
def applicant_state(browser, base_url, smtp_sink_server, tmp_path_factory):
    """A restaurant that has applied and waits for review: the logged-in browser state of the
    person who applied (its pages are checked in the test below)."""
    context = browser.new_context(base_url=base_url, locale="vi-VN", viewport=PHONE)
    try:
        page = context.new_page()
        sign_up(page, smtp_sink_server, APPLICANT["email"], "Lý Thị Quê")
        apply_as_a_restaurant(page)
        path = tmp_path_factory.mktemp("applicant") / "state.json"
        context.storage_state(path=path)
    finally:
        context.close()
    return path


def test_every_partner_page_is_valid_and_accessible_on_a_phone(
    page: Page, new_context, check_page, live_server, smtp_sink_server, applicant_state
):
    ids = partner_ids(live_server.database_url)
    check_page = on_the_phone(check_page)

    # Before anything else: a logged-in shopper's blank application.
    visitor = new_context().new_page()
    log_in(visitor, "shopper@ocop.example")
    visit(visitor, check_page, "/partner/apply", "partners: the application form, blank (vi)")

    log_in(page, "partner@ocop.example")
    token = invite(page, smtp_sink_server, "bep.truong.e2e@example.vn")
    put_an_order_in_the_draft(page, ids["order_id"][-1])

    pages = get_pages("partners")
    assert {endpoint for endpoint, _ in pages} >= {"partners.dashboard", "partners.order", "partners.invoices_show"}
    visit_all(
        page,
        check_page,
        [
            (address, f"partners: {endpoint} {address} (vi)")
            for endpoint, arguments in pages
            if endpoint not in ELSEWHERE
            for address in addresses(endpoint, arguments, ids)
        ],
    )

    # The review refusing the order: a window the branch does not receive in (as a page kept
    # open from another day would send it), the message in the summary and at the field.
    page.goto("/partner/order/review")
    page.locator("input[name=window]").first.evaluate("radio => { radio.value = '0300-0400'; radio.checked = true; }")
    page.locator("button[name=action][value=place]").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#window-error")).to_be_visible()
    check_page(page, "partners: the review refusing a window (vi)")

    # The CSV preview: a row that passes, an off-step quantity, an unknown SKU.
    page.goto("/partner/order/upload")
    page.locator("textarea[name=text]").fill("sku,quantity\nXPT-500,10\nXPT-300,12\nKHONG-CO,3\n")
    page.locator("form[action$='/partner/order/upload'] button[type=submit]").click()
    expect(page.get_by_text("KHONG-CO").first).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    check_page(page, "partners: the CSV preview with refused rows (vi)")

    # The dashboard as the buyer (one branch) and as the accountant sees it.
    for email in ("buyer@ocop.example", "accountant@ocop.example"):
        other = new_context().new_page()
        log_in(other, email)
        visit(other, check_page, "/partner/", f"partners: dashboard as {email} (vi)")

    # The invitation as its link opens for someone not logged in and for a member of the chain.
    link = f"/partner/invitations/{token}"
    visit(page, check_page, link, "partners: an invitation, logged in as someone else (vi)")
    visit(new_context().new_page(), check_page, link, "partners: an invitation, not logged in (vi)")

    # The application, as the restaurant waiting for review sees it.
    applicant = new_context(storage_state=applicant_state).new_page()
    visit(applicant, check_page, "/partner/application", "partners: an application waiting for review (vi)")
    visit(applicant, check_page, "/partner/apply", "partners: the application, to correct (vi)")


def test_every_staff_page_about_partners_is_valid_and_accessible_on_a_phone(
    page: Page, check_page, live_server, applicant_state
):
    ids = partner_ids(live_server.database_url)
    check_page = on_the_phone(check_page)
    assert len(ids["partner_id"]) > 1, "the applicant's partner is waiting for review"
    pages = get_pages()
    assert {endpoint for endpoint, _ in pages} >= {
        "admin.partners_show",
        "admin.partner_prices",
        "admin.vat_rates",
        "admin.invoice",
        "producers.products_partner_prices",
    }
    staff = [(endpoint, arguments) for endpoint, arguments in pages if endpoint.startswith("admin.")]
    producer = [(endpoint, arguments) for endpoint, arguments in pages if not endpoint.startswith("admin.")]
    # A negotiated price list is for an approved partner: the demo chain's.
    ids["admin.partner_prices"] = {"partner_id": ids["partner_id"][:1]}

    log_in(page, "admin@ocop.example")
    visit_all(
        page,
        check_page,
        [
            (address, f"admin: {endpoint} {address} (vi)")
            for endpoint, arguments in staff
            for address in addresses(endpoint, arguments, ids)
        ],
    )
    page.context.clear_cookies()
    log_in(page, "producer@ocop.example")
    visit_all(
        page,
        check_page,
        [
            (address, f"portal: {endpoint} {address} (vi)")
            for endpoint, arguments in producer
            for address in addresses(endpoint, arguments, ids)
        ],
    )


def test_the_partner_page_lists_leave_out_downloads_only():
    endpoints = {endpoint for endpoint, _ in get_pages("partners") + get_pages()}
    known = {rule.endpoint for rule in url_map().iter_rules()}
    assert not (DOWNLOADS | ELSEWHERE) - known  # names still in the URL map
    assert endpoints.isdisjoint(DOWNLOADS)
    assert {"partners.order_review", "partners.statements", "admin.invoices", "admin.partners"} <= endpoints
