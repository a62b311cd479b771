"""Every GET page of the producer portal (`producers` blueprint) and of the admin (`admin`) in a
phone-sized browser (390×844), each through `check_page`: axe (nothing serious or critical) and
the Nu HTML checker (no error).

The pages are read from the shop's URL map, so a page added later is checked too, or this test
says it does not know how to fill the ids its address needs. Ids come from the demo data that
`flask shop seed-demo` loaded into the server's database (read only here), from a stock file the
producer uploads, and from the invitation mail the producer sends. Downloads (CSV files and
certificate scans) are not pages and are left out."""

from __future__ import annotations

import functools
import itertools
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text
from werkzeug.routing import Map

from shop import create_app
from tests.e2e.test_staff_journey import log_in

PHONE = {"width": 390, "height": 844}
pytestmark = [pytest.mark.e2e, pytest.mark.browser_context_args(viewport=PHONE)]

# Files, not pages.
DOWNLOADS = {
    "producers.stock_export",
    "producers.stock_ledger_csv",
    "producers.statements_csv",
    "producers.certificates_scan",
    "admin.certificates_scan",
}
# Opened by other people than the demo producer, in their own tests below.
ELSEWHERE = {"producers.application", "producers.invitation"}
# The staff's and producers' pages about restaurant partners (partners, their prices, VAT rates,
# invoices) are opened by test_partner_pages.py, with the partners' rows they need.
PARTNER_STAFF_VIEWS = (
    "shop.admin.views.partners",
    "shop.admin.views.pricing",
    "shop.admin.views.invoices",
    "shop.portal.views.partner_pricing",
)
XOI = "0109000015"  # producer@ocop.example's co-operative
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@functools.cache
def shop_app():
    """The shop (an app made only to read its URL map and views: it never touches a database)."""
    return create_app({"SHOP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", "MAIL_SERVER": ""})


def url_map() -> Map:
    return shop_app().url_map


def view_module(endpoint: str) -> str:
    return shop_app().view_functions[endpoint].__module__


def get_pages(blueprint: str) -> list[tuple[str, tuple[str, ...]]]:
    """(endpoint, argument names) of every page of `blueprint` answered to GET, downloads left out."""
    pages = []
    for rule in sorted(url_map().iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.split(".")[0] != blueprint or "GET" not in rule.methods or rule.endpoint in DOWNLOADS:
            continue
        if view_module(rule.endpoint) in PARTNER_STAFF_VIEWS:
            continue
        pages.append((rule.endpoint, tuple(sorted(rule.arguments))))
    return pages


def addresses(endpoint: str, arguments: tuple[str, ...], ids: dict) -> list[str]:
    """The addresses to open for a page: one per combination of the values known for its
    arguments (`ids[endpoint][name]`, else `ids[name]`)."""
    adapter = url_map().bind("shop.test")
    choices = []
    for name in arguments:
        values = ids.get(endpoint, {}).get(name, ids.get(name))
        assert values, f"{endpoint} needs a {name}: tell test_portal_pages.py which one to open"
        choices.append(values if isinstance(values, list) else [values])
    return [
        adapter.build(endpoint, dict(zip(arguments, combination, strict=True)))
        for combination in itertools.product(*choices)
    ]


def demo_ids(database_url: str) -> dict:
    """Ids of the demo's rows each page is opened with (see shop/demo.py)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:

            def one(sql: str, **params):
                return db.execute(text(sql), params).scalar_one()

            def all_(sql: str, **params):
                return list(db.execute(text(sql), params).scalars())

            xoi = one("SELECT id FROM producers WHERE tax_code = :code", code=XOI)
            applicant = one("SELECT id FROM producers WHERE status = 'pending' ORDER BY id LIMIT 1")
            product = one("SELECT id FROM products WHERE slug = 'xoi-phu-thuong'")
            variant = one("SELECT id FROM variants WHERE sku = 'XPT-500'")
            pending = one(
                "SELECT id FROM certificates WHERE producer_id = :p AND verification_status = 'pending'", p=xoi
            )
            verified = one(
                "SELECT id FROM certificates WHERE producer_id = :p AND verification_status = 'verified' "
                "ORDER BY decision_date DESC LIMIT 1",
                p=xoi,
            )
            # One shipment at every step: open, packed, shipped, delivered.
            shipments = all_(
                "SELECT s.id FROM shipments s JOIN orders o ON o.id = s.order_id WHERE s.producer_id = :p "
                "AND o.checkout_token LIKE 'demo-order-%' ORDER BY o.created_at DESC",
                p=xoi,
            )
            # The shoppers' demo order it delivered (the restaurant chain's demo orders are delivered too).
            delivered = db.execute(
                text(
                    "SELECT s.delivered_at FROM shipments s JOIN orders o ON o.id = s.order_id "
                    "WHERE s.producer_id = :p AND s.status = 'delivered' AND o.checkout_token LIKE 'demo-order-%'"
                ),
                {"p": xoi},
            ).scalar_one()
            orders = all_("SELECT number FROM orders WHERE checkout_token IN ('demo-order-1', 'demo-order-4')")
            # The demo's paused webhook endpoint and its delivered and failed deliveries.
            endpoint = one("SELECT id FROM webhook_endpoints WHERE producer_id = :p", p=xoi)
            deliveries = all_("SELECT id FROM webhook_deliveries WHERE endpoint_id = :e ORDER BY id", e=endpoint)
    finally:
        engine.dispose()
    if isinstance(delivered, str):  # SQLite gives the text it keeps
        delivered = datetime.fromisoformat(delivered)
    if delivered.tzinfo is None:
        delivered = delivered.replace(tzinfo=UTC)
    assert len(shipments) == 4, shipments
    return {
        "product_id": product,
        "variant_id": variant,
        "certificate_id": [pending, verified],
        "shipment_id": shipments,
        "period": delivered.astimezone(VN).strftime("%Y-%m"),
        "producer_id": [applicant, xoi],
        "number": orders,
        "endpoint_id": endpoint,
        "delivery_id": deliveries,
        # A packing slip is the same page whatever the step: open one.
        "producers.shipments_slip": {"shipment_id": shipments[:1]},
        "admin.certificates_view": {"certificate_id": [pending]},
    }


def visit_all(page: Page, check_page, pages: list[tuple[str, str]]) -> None:
    """Open and check every (address, name), then fail once with what every page got wrong."""
    failures = []
    for address, name in pages:
        try:
            visit(page, check_page, address, name)
        except (AssertionError, pytest.fail.Exception) as exc:
            failures.append(str(exc))
    assert not failures, f"{len(failures)} of {len(pages)} pages failed:\n" + "\n".join(failures)


def visit(page: Page, check_page, address: str, name: str) -> None:
    response = page.goto(address)
    assert response is not None and response.status == 200, f"{name}: {address} answered {response and response.status}"
    assert page.url.endswith(address), f"{name}: {address} went on to {page.url}"
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    check_page(page, name)


def upload_the_stock_file(page: Page, check_page) -> int:
    """The producer sends back its stock file unchanged: the preview's id."""
    csv = page.request.get("/producer/stock/export.csv")
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")
    visit(page, check_page, "/producer/stock/upload", "portal: stock upload (vi)")
    page.get_by_label("Tệp CSV").set_input_files({"name": "kho.csv", "mimeType": "text/csv", "buffer": csv.body()})
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page).to_have_url(re.compile(r"/producer/stock/upload/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def invite(page: Page, smtp_sink_server, email: str) -> str:
    """The owner invites `email` as staff: the token of the link mailed to them."""
    page.goto("/producer/members")
    page.get_by_label("Địa chỉ email").fill(email)
    page.get_by_role("radio", name="Nhân viên").check()
    page.get_by_role("button", name="Gửi lời mời").click()
    expect(page.get_by_text(email).first).to_be_visible()
    for _ in range(50):
        for message in smtp_sink_server.messages:
            if email in str(message["To"]):
                body = message.get_body(("plain",)).get_content()
                return re.search(r"/producer/invitations/([A-Za-z0-9_\-]+)", body).group(1)
        page.wait_for_timeout(200)
    raise AssertionError(f"no invitation mail reached {email}")


def test_every_portal_page_is_valid_and_accessible_on_a_phone(
    page: Page, new_context, check_page, live_server, smtp_sink_server
):
    ids = demo_ids(live_server.database_url)
    log_in(page, "producer@ocop.example")
    ids["upload_id"] = upload_the_stock_file(page, check_page)
    token = invite(page, smtp_sink_server, "thanh.vien.e2e@example.vn")

    pages = get_pages("producers")
    assert {endpoint for endpoint, _ in pages} >= {"producers.dashboard", "producers.shipments_show"}
    visit_all(
        page,
        check_page,
        [
            (address, f"portal: {endpoint} {address} (vi)")
            for endpoint, arguments in pages
            if endpoint not in ELSEWHERE
            for address in addresses(endpoint, arguments, ids)
        ],
    )

    # The invitation as its link opens for someone not logged in, and for a member logged in
    # with another address.
    link = f"/producer/invitations/{token}"
    visit(page, check_page, link, "portal: an invitation, logged in as someone else (vi)")
    visit(new_context().new_page(), check_page, link, "portal: an invitation, not logged in (vi)")

    # The application, as the applicant waiting for the admin sees it.
    applicant = new_context().new_page()
    log_in(applicant, "applicant@ocop.example")
    visit(applicant, check_page, "/producer/apply", "portal: an application waiting for review (vi)")


def test_every_admin_page_is_valid_and_accessible_on_a_phone(page: Page, check_page, live_server):
    ids = demo_ids(live_server.database_url)
    log_in(page, "admin@ocop.example")
    pages = get_pages("admin")
    assert {endpoint for endpoint, _ in pages} >= {"admin.producers_show", "admin.certificates_view"}
    visit_all(
        page,
        check_page,
        [
            (address, f"admin: {endpoint} {address} (vi)")
            for endpoint, arguments in pages
            for address in addresses(endpoint, arguments, ids)
        ],
    )


def test_the_page_list_leaves_out_downloads_only():
    endpoints = {endpoint for blueprint in ("producers", "admin") for endpoint, _ in get_pages(blueprint)}
    known = {rule.endpoint for rule in url_map().iter_rules()}
    assert not (DOWNLOADS | ELSEWHERE) - known  # names still in the URL map
    assert endpoints.isdisjoint(DOWNLOADS)
    assert {"producers.stock_upload_preview", "producers.shipments_slip", "admin.audit"} <= endpoints
