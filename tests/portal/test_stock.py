"""The portal's stock pages: the variant list with set / adjust / warning forms, the ledger and
its CSV, the bulk CSV upload with its preview, the dashboard's low-stock panel, and who may open
them."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEvent
from shop.catalog.models import Product, Variant
from shop.extensions import db
from shop.inventory import bulk
from shop.inventory import services as stock
from shop.inventory.models import StockMovement, StockUpload
from tests.conftest import csrf_token_from, submit
from tests.portal.conftest import a_member
from tests.support.builders import a_user, stocked


@pytest.fixture
def manager(producer):
    """The producer's owner, reading the portal in English."""
    return a_member(producer, role="owner", locale="en", name="Chủ nhiệm HTX")


@pytest.fixture
def rice(producer):
    return stocked("Xôi xéo Phú Thượng", producer=producer, on_hand=10, price=35_000).variants[0]


@pytest.fixture
def foreign(other_producer):
    """Another producer's variant."""
    return stocked("Chè sen Quảng An", producer=other_producer, on_hand=7).variants[0]


def flashes(page: str) -> str:
    block = re.search(r'<div class="flashes">(.*?)</div>\s*</div>', page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block.group(1))) if block else ""


def follow(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def an_upload(producer, user, variant, on_hand=12):
    text = f"sku,product,variant,price_vnd,on_hand,low_stock_threshold\r\n{variant.sku},,,35000,{on_hand},\r\n"
    upload = bulk.preview_upload(producer.id, io.BytesIO(text.encode()), "stock.csv", actor=user)
    db.session.commit()
    return upload


def upload_file(client, data: bytes, name="stock.csv"):
    """Post a file as a browser does (the multipart body is built here, in memory: the test
    client would spool a large one to a temporary file it never closes)."""
    token = csrf_token_from(client.get("/producer/stock/upload").get_data(as_text=True))
    boundary = "----stock-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post("/producer/stock/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}")


# --- Who may open what ---------------------------------------------------------------------------


def _routes(variant_id: int, upload_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", "/producer/stock"),
        ("GET", "/producer/stock/ledger"),
        ("GET", "/producer/stock/ledger.csv"),
        ("GET", "/producer/stock/export.csv"),
        ("GET", "/producer/stock/upload"),
        ("POST", "/producer/stock/upload"),
        ("GET", f"/producer/stock/upload/{upload_id}"),
        ("POST", f"/producer/stock/upload/{upload_id}/apply"),
        ("POST", f"/producer/stock/{variant_id}/set"),
        ("POST", f"/producer/stock/{variant_id}/adjust"),
        ("POST", f"/producer/stock/{variant_id}/threshold"),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, producer, manager, rice):
    upload = an_upload(producer, manager, rice)
    for method, url in _routes(rice.id, upload.id):
        response = client.open(url, method=method)
        if method == "POST":
            # The app-wide CSRF check answers a tokenless POST first; with a token, login again.
            token = csrf_token_from(client.get("/account/login").get_data(as_text=True))
            response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (method, url, response.status_code)
        assert "/account/login" in response.headers["Location"], url


def test_a_shopper_is_refused_everywhere(client, as_member, producer, manager, rice):
    upload = an_upload(producer, manager, rice)
    as_member(a_user())
    token = csrf_token_from(client.get("/account/profile").get_data(as_text=True))
    for method, url in _routes(rice.id, upload.id):
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code == 403, (method, url, response.status_code)


def test_another_producers_variant_and_upload_are_not_found(client, as_member, manager, rice, foreign, other_producer):
    theirs = an_upload(other_producer, a_member(other_producer), foreign)
    as_member(manager)
    token = csrf_token_from(client.get("/producer/stock").get_data(as_text=True))
    data = {"csrf_token": token, "on_hand": "1", "seen": "7", "amount": "1", "reason": "received", "threshold": "1"}
    for action in ("set", "adjust", "threshold"):
        assert client.post(f"/producer/stock/{foreign.id}/{action}", data=data).status_code == 404, action
    assert client.get(f"/producer/stock/upload/{theirs.id}").status_code == 404
    assert client.post(f"/producer/stock/upload/{theirs.id}/apply", data={"csrf_token": token}).status_code == 404
    assert client.get("/producer/stock/upload/999999").status_code == 404
    fresh = db.session.get(Variant, foreign.id)
    assert (fresh.on_hand, fresh.low_stock_threshold) == (7, None)
    assert db.session.get(StockUpload, theirs.id).applied_at is None


def test_staff_keep_the_stock_too(client, as_member, staff, rice):
    as_member(staff)
    page = client.get("/producer/stock").get_data(as_text=True)
    assert rice.sku in page
    response = submit(
        client, f"/producer/stock/{rice.id}/adjust", {"amount": "+5", "reason": "received"}, page="/producer/stock"
    )
    assert response.status_code == 302
    assert db.session.get(Variant, rice.id).on_hand == 15


# --- The variant list and its forms -------------------------------------------------------------


def test_the_stock_page_shows_each_own_variant_with_its_figures(client, as_member, manager, rice, foreign):
    stock.reserve_stock([(rice.id, 3)], order_id=None)
    rice.low_stock_threshold = 8
    as_member(manager)
    page = client.get("/producer/stock").get_data(as_text=True)
    assert 'href="/producer/stock" aria-current="page"' in page  # the menu's entry
    card = page.split(f'id="variant-{rice.id}"')[1].split("</li>")[0]
    figures = re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", card)
    assert figures == [("On hand", "10"), ("Held by orders", "3"), ("Available", "7"), ("Warning at", "8")]
    assert "Low stock" in card
    assert '<input type="hidden" name="seen" value="10">' in card
    assert foreign.sku not in page


def test_the_stock_page_finds_a_variant_by_sku_or_name(client, as_member, producer, manager, rice):
    other = stocked("Gạo nếp cái hoa vàng", producer=producer).variants[0]
    as_member(manager)
    page = client.get("/producer/stock", query_string={"q": other.sku}).get_data(as_text=True)
    assert other.sku in page and rice.sku not in page
    page = client.get("/producer/stock", query_string={"q": "Xôi xéo"}).get_data(as_text=True)
    assert rice.sku in page and other.sku not in page


def test_setting_stock_from_the_page(client, as_member, manager, rice):
    as_member(manager)
    response = submit(
        client,
        f"/producer/stock/{rice.id}/set",
        {"on_hand": "24", "seen": "10", "note": "kiểm kho"},
        page="/producer/stock",
    )
    assert response.headers["Location"].endswith(f"/producer/stock#variant-{rice.id}")
    assert f"{rice.sku}: on hand is now 24." in flashes(follow(client, response))
    last = db.session.scalars(select(StockMovement).order_by(StockMovement.id.desc())).first()
    assert (last.reason, last.on_hand_delta, last.actor_user_id, last.note) == ("set", 14, manager.id, "kiểm kho")
    [entry] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "stock.set"))
    assert (entry.before, entry.after, entry.actor_email) == ({"on_hand": 10}, {"on_hand": 24}, manager.email)


def test_a_set_from_a_stale_page_says_so_and_shows_the_figure_now(client, as_member, producer, manager, rice):
    as_member(manager)
    stale = client.get("/producer/stock").get_data(as_text=True)  # the manager reads 10
    # Meanwhile a colleague counts 13.
    stock.set_on_hand(rice.id, 13, seen=10, producer_id=producer.id)
    db.session.commit()
    response = client.post(
        f"/producer/stock/{rice.id}/set",
        data={"csrf_token": csrf_token_from(stale), "on_hand": "20", "seen": "10"},
    )
    page = follow(client, response)
    said = flashes(page)
    assert f"The stock of {rice.sku} changed while you were editing: it is now 13 (you saw 10)." in said
    card = page.split(f'id="variant-{rice.id}"')[1].split("</li>")[0]
    assert '<input type="hidden" name="seen" value="13">' in card
    assert db.session.get(Variant, rice.id).on_hand == 13


def test_a_set_below_what_orders_hold_is_refused(client, as_member, manager, rice):
    stock.reserve_stock([(rice.id, 4)], order_id=None)
    as_member(manager)
    response = submit(client, f"/producer/stock/{rice.id}/set", {"on_hand": "3", "seen": "10"}, page="/producer/stock")
    assert "Orders already hold 4" in flashes(follow(client, response))
    assert db.session.get(Variant, rice.id).on_hand == 10


def test_adjusting_with_a_reason_from_the_page(client, as_member, manager, rice):
    as_member(manager)
    response = submit(
        client,
        f"/producer/stock/{rice.id}/adjust",
        {"amount": "-3", "reason": "spoilage", "note": "mốc"},
        page="/producer/stock",
    )
    assert f"{rice.sku}: on hand is now 7." in flashes(follow(client, response))
    last = db.session.scalars(select(StockMovement).order_by(StockMovement.id.desc())).first()
    assert (last.reason, last.on_hand_delta, last.note) == ("spoilage", -3, "mốc")


@pytest.mark.parametrize(
    ("form", "said"),
    [
        ({"amount": "ba", "reason": "received"}, "Enter a whole number."),
        ({"amount": "0", "reason": "received"}, "Enter an amount other than 0."),
        ({"amount": "2", "reason": "stolen"}, "Choose a reason for the change."),
        ({"amount": "-11", "reason": "spoilage"}, "stock cannot go below 0"),
    ],
)
def test_bad_adjustments_say_why_and_change_nothing(client, as_member, manager, rice, form, said):
    as_member(manager)
    response = submit(client, f"/producer/stock/{rice.id}/adjust", form, page="/producer/stock")
    assert said in flashes(follow(client, response))
    assert db.session.get(Variant, rice.id).on_hand == 10
    assert db.session.scalars(select(AuditEvent)).all() == []


def test_the_warning_level_is_set_and_the_dashboard_lists_what_is_low(client, as_member, manager, rice):
    as_member(manager)
    assert "low-stock-heading" not in client.get("/producer/").get_data(as_text=True)
    response = submit(client, f"/producer/stock/{rice.id}/threshold", {"threshold": "10"}, page="/producer/stock")
    assert f"{rice.sku}: warning at 10 or fewer available." in flashes(follow(client, response))
    panel = client.get("/producer/").get_data(as_text=True).split('id="low-stock-heading"')[1].split("</section>")[0]
    assert rice.sku in panel and "10 available, warning at 10" in panel
    submit(client, f"/producer/stock/{rice.id}/threshold", {"threshold": ""}, page="/producer/stock")
    assert db.session.get(Variant, rice.id).low_stock_threshold is None
    assert "low-stock-heading" not in client.get("/producer/").get_data(as_text=True)


# --- Ledger --------------------------------------------------------------------------------------


def test_the_ledger_page_filters_and_downloads(client, as_member, producer, manager, rice, foreign):
    stock.adjust_stock(rice.id, 4, reason="received", producer_id=producer.id, actor=manager, note="lô mới")
    stock.adjust_stock(rice.id, -1, reason="spoilage", producer_id=producer.id, actor=manager)
    db.session.commit()
    as_member(manager)
    page = client.get("/producer/stock/ledger").get_data(as_text=True)
    assert "3 changes" in page and "lô mới" in page and foreign.sku not in page
    page = client.get("/producer/stock/ledger", query_string={"reason": "spoilage", "sku": rice.sku}).get_data(
        as_text=True
    )
    assert "1 change" in page and "lô mới" not in page
    assert f'href="/producer/stock/ledger.csv?sku={rice.sku}&amp;reason=spoilage"' in page
    page = client.get("/producer/stock/ledger", query_string={"sku": foreign.sku}).get_data(as_text=True)
    assert f"None of your variants has the SKU {foreign.sku}." in page and "0 changes" in page
    page = client.get("/producer/stock/ledger", query_string={"start": "2026-12-01"}).get_data(as_text=True)
    assert "0 changes" in page
    page = client.get("/producer/stock/ledger", query_string={"start": "hôm qua"}).get_data(as_text=True)
    assert "is not a date" in page and "3 changes" in page

    response = client.get("/producer/stock/ledger.csv", query_string={"reason": "received"})
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == list(stock.LEDGER_CSV_HEADER)
    assert [(r[1], r[4], r[5], r[8], r[9]) for r in rows[1:]] == [(rice.sku, "received", "4", manager.email, "lô mới")]


# --- Bulk CSV ------------------------------------------------------------------------------------


def test_csv_round_trip_through_the_pages(client, as_member, producer, manager, rice, foreign):
    as_member(manager)
    response = client.get("/producer/stock/export.csv")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert foreign.sku not in text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    rows[1][3], rows[1][4] = "32000", "15"  # cheaper, and 5 received
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)  # as Excel in Vietnam saves it

    response = upload_file(client, out.getvalue().encode("utf-8-sig"))
    assert response.status_code == 302
    upload = db.session.scalars(select(StockUpload)).one()
    assert response.headers["Location"].endswith(f"/producer/stock/upload/{upload.id}")
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<del>35000</del> → <ins>32000</ins>" in preview and "<del>10</del> → <ins>15</ins>" in preview
    assert "Apply 1 change" in preview
    assert db.session.get(Variant, rice.id).on_hand == 10  # nothing yet

    response = submit(
        client, f"/producer/stock/upload/{upload.id}/apply", {}, page=f"/producer/stock/upload/{upload.id}"
    )
    assert response.headers["Location"].endswith("/producer/stock")
    assert "1 variant changed." in flashes(follow(client, response))
    fresh = db.session.get(Variant, rice.id)
    assert (fresh.on_hand, fresh.price_vnd) == (15, 32_000)
    assert db.session.get(Product, fresh.product_id).price_from_vnd == 32_000
    [entry] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "stock.upload"))
    assert entry.after == {rice.sku: {"price_vnd": 32_000, "on_hand": 15}}
    page = client.get(f"/producer/stock/upload/{upload.id}").get_data(as_text=True)
    assert "Applied" in page and "Apply 1 change" not in page


def test_a_file_with_errors_shows_them_per_row_and_cannot_be_applied(client, as_member, manager, rice, foreign):
    as_member(manager)
    data = (
        "sku,product,variant,price_vnd,on_hand,low_stock_threshold\r\n"
        f"{rice.sku},,,0,-2,\r\n"
        f"{foreign.sku},,,1000,1,\r\n"
    ).encode()
    response = upload_file(client, data)
    upload_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/producer/stock/upload/{upload_id}").get_data(as_text=True)
    assert "2 rows have errors." in page
    assert "On hand cannot be negative." in page and "The price must be more than 0 ₫." in page
    assert f"None of your variants has the SKU {foreign.sku}." in page
    assert "/apply" not in page
    token = csrf_token_from(page)
    response = client.post(f"/producer/stock/upload/{upload_id}/apply", data={"csrf_token": token})
    assert "Nothing was changed" in flashes(follow(client, response))
    assert db.session.get(Variant, rice.id).on_hand == 10


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"ma;gia;ton\r\n1;2;3\r\n", "The first line must name the columns"),
        ("sku,price_vnd,on_hand,low_stock_threshold\r\nXÔI,1,1,\r\n".encode("utf-16"), "not UTF-8"),
        (b"", "The file is empty."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_one_message(client, as_member, manager, rice, data, said):
    as_member(manager)
    response = upload_file(client, data)
    assert response.status_code == 400
    assert said in response.get_data(as_text=True)
    assert db.session.scalars(select(StockUpload)).all() == []


def test_fifty_thousand_rows_are_refused_on_the_page(client, as_member, manager):
    as_member(manager)
    lines = "".join(f"NEP-{n:05d},Gạo,Bao,50000,1,\r\n" for n in range(50_000))
    response = upload_file(client, ("sku,product,variant,price_vnd,on_hand,low_stock_threshold\r\n" + lines).encode())
    assert response.status_code == 400
    assert "The file has more than 5,000 rows." in response.get_data(as_text=True)


def test_the_upload_page_needs_a_file(client, as_member, manager):
    as_member(manager)
    page = client.get("/producer/stock/upload").get_data(as_text=True)
    response = client.post("/producer/stock/upload", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 400
    assert "Choose the CSV file to upload." in response.get_data(as_text=True)
