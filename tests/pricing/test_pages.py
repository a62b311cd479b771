"""The producer's page of partner prices per product and the admins' pages of negotiated prices
and VAT rates: what they show, what a form sent to them does, and who may open them."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

from shop.extensions import db
from shop.pricing import editing
from shop.pricing.models import PartnerPrice, PriceBreak
from tests.conftest import csrf_token_from, submit
from tests.portal.conftest import a_member
from tests.pricing.conftest import a_partner, negotiated, with_breaks
from tests.support.builders import a_producer, a_user


@pytest.fixture(autouse=True)
def english_pages(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)))


def errors_on(response) -> list[str]:
    html = response.get_data(as_text=True)
    found = re.findall(r'class="field-error"[^>]*>(.*?)</p>', html, re.S)
    return [unescape(re.sub(r"\s+", " ", m).strip()) for m in found]


def _post(client, url, data, page):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


# --- The producer's page -------------------------------------------------------------------------


def test_the_product_page_links_to_its_partner_prices(log_in, owner, xoi):
    client = log_in(owner)
    page = client.get(f"/producer/products/{xoi.id}")
    assert f"/producer/products/{xoi.id}/partner-prices" in page.get_data(as_text=True)


def test_the_page_shows_each_pack_with_retail_rules_and_breaks(log_in, owner, xoi, pack):
    with_breaks(pack, (10, 90_000), (50, 80_000))
    pack.partner_step = 2
    db.session.commit()
    response = log_in(owner).get(f"/producer/products/{xoi.id}/partner-prices")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    shown = text(response)
    assert pack.sku in shown
    assert "100.000 ₫" in shown and "90.000 ₫" in shown and "80.000 ₫" in shown
    assert f'name="rules-{pack.id}-partner_step" type="text" value="2"' in response.get_data(as_text=True)


def test_a_producer_sets_the_rules_on_the_page(log_in, owner, xoi, pack):
    client = log_in(owner)
    page = f"/producer/products/{xoi.id}/partner-prices"
    prefix = f"rules-{pack.id}-"
    response = _post(
        client,
        f"/producer/variants/{pack.id}/partner-rules",
        {prefix + "partner_min_qty": "6", prefix + "partner_max_qty": "60", prefix + "partner_step": "6"},
        page,
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{page}#pack-{pack.id}")
    db.session.refresh(pack)
    assert (pack.partner_min_qty, pack.partner_max_qty, pack.partner_step) == (6, 60, 6)


def test_rules_refused_are_shown_next_to_the_field(log_in, owner, xoi, pack):
    client = log_in(owner)
    prefix = f"rules-{pack.id}-"
    response = _post(
        client,
        f"/producer/variants/{pack.id}/partner-rules",
        {prefix + "partner_min_qty": "10", prefix + "partner_max_qty": "", prefix + "partner_step": "6"},
        f"/producer/products/{xoi.id}/partner-prices",
    )
    assert response.status_code == 400
    assert errors_on(response) == ["The minimum must be a multiple of the pack step (6)."]
    db.session.refresh(pack)
    assert pack.partner_step == 1


def test_a_producer_adds_and_removes_a_break_on_the_page(log_in, owner, xoi, pack):
    client = log_in(owner)
    page = f"/producer/products/{xoi.id}/partner-prices"
    prefix = f"break-{pack.id}-"
    response = _post(
        client,
        f"/producer/variants/{pack.id}/breaks",
        {prefix + "min_qty": "10", prefix + "unit_price_vnd": "90.000"},
        page,
    )
    assert response.status_code == 302
    (price_break,) = editing.breaks_of(pack.id)
    assert (price_break.min_qty, price_break.unit_price_vnd) == (10, 90_000)
    response = _post(client, f"/producer/breaks/{price_break.id}/delete", {}, page)
    assert response.status_code == 302
    assert editing.breaks_of(pack.id) == []


def test_a_break_at_retail_is_refused_next_to_the_price(log_in, owner, xoi, pack):
    client = log_in(owner)
    prefix = f"break-{pack.id}-"
    response = _post(
        client,
        f"/producer/variants/{pack.id}/breaks",
        {prefix + "min_qty": "10", prefix + "unit_price_vnd": "100000"},
        f"/producer/products/{xoi.id}/partner-prices",
    )
    assert response.status_code == 400
    assert errors_on(response) == ["A volume price must be below the retail price."]
    assert editing.breaks_of(pack.id) == []


def test_another_producers_product_pack_and_break_are_not_found(log_in, xoi, pack):
    with_breaks(pack, (10, 90_000))
    price_break = editing.breaks_of(pack.id)[0]
    stranger = a_member(a_producer(name="HTX Chè Sen Quảng An"), role="owner")
    client = log_in(stranger)
    token = csrf_token_from(client.get("/producer/").get_data(as_text=True))
    assert client.get(f"/producer/products/{xoi.id}/partner-prices").status_code == 404
    rules = {"csrf_token": token, f"rules-{pack.id}-partner_step": "6"}
    assert client.post(f"/producer/variants/{pack.id}/partner-rules", data=rules).status_code == 404
    new_break = {"csrf_token": token, f"break-{pack.id}-min_qty": "20", f"break-{pack.id}-unit_price_vnd": "1"}
    assert client.post(f"/producer/variants/{pack.id}/breaks", data=new_break).status_code == 404
    assert client.post(f"/producer/breaks/{price_break.id}/delete", data={"csrf_token": token}).status_code == 404
    assert db.session.get(PriceBreak, price_break.id) is not None
    db.session.refresh(pack)
    assert pack.partner_step == 1


def test_staff_of_the_producer_may_set_partner_prices(log_in, producer, xoi):
    staff = a_member(producer, role="staff")
    assert log_in(staff).get(f"/producer/products/{xoi.id}/partner-prices").status_code == 200


# --- The admins' pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["shopper", "producer"])
def test_only_admins_open_the_price_pages(log_in, partner, owner, who):
    user = a_user() if who == "shopper" else owner
    client = log_in(user)
    assert client.get(f"/admin/partners/{partner.id}/prices").status_code == 403
    assert client.get("/admin/vat-rates").status_code == 403
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    form = {"csrf_token": token, "group_code": "thuc-pham", "rate": "9", "valid_from": "2028-01-01", "basis": "x"}
    assert client.post("/admin/vat-rates", data=form).status_code == 403
    assert client.post(f"/admin/partners/{partner.id}/prices", data={"csrf_token": token}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, partner):
    assert client.get(f"/admin/partners/{partner.id}/prices").status_code == 302
    assert client.get("/admin/vat-rates").status_code == 302


def test_a_partner_that_does_not_exist_is_not_found(log_in, admin):
    assert log_in(admin).get("/admin/partners/9999/prices").status_code == 404


def test_the_price_list_shows_states_retail_and_breaks(log_in, admin, partner, pack):
    with_breaks(pack, (10, 90_000))
    negotiated(partner, pack, 70_000, date(2026, 7, 1), date(2026, 12, 31))
    negotiated(partner, pack, 72_000, date(2027, 1, 1))
    response = log_in(admin).get(f"/admin/partners/{partner.id}/prices")
    assert response.status_code == 200
    shown = text(response)
    assert "Nhà hàng Sen Tây Hồ" in shown
    assert "70.000 ₫" in shown and "72.000 ₫" in shown
    assert "Current" in shown and "Future" in shown
    assert "Retail 100.000 ₫; from 10: 90.000 ₫" in shown
    assert f'href="/admin/partners/{partner.id}"' in response.get_data(as_text=True)


def test_an_admin_finds_a_pack_and_adds_a_price(log_in, admin, partner, pack):
    client = log_in(admin)
    found = client.get(f"/admin/partners/{partner.id}/prices?q=xoi+phu")
    assert pack.sku in text(found)
    url = f"/admin/partners/{partner.id}/prices"
    response = submit(
        client,
        url,
        {"sku": pack.sku, "unit_price_vnd": "75.000", "valid_from": "2026-12-01", "valid_to": "2026-12-31"},
    )
    assert response.status_code == 302
    (price,) = db.session.query(PartnerPrice).all()
    assert (price.unit_price_vnd, price.valid_from, price.valid_to) == (75_000, date(2026, 12, 1), date(2026, 12, 31))


def test_an_overlapping_price_is_refused_on_the_page(log_in, admin, partner, pack):
    negotiated(partner, pack, 70_000, date(2026, 12, 1), date(2026, 12, 31))
    client = log_in(admin)
    url = f"/admin/partners/{partner.id}/prices"
    response = submit(client, url, {"sku": pack.sku, "unit_price_vnd": "75000", "valid_from": "2026-12-20"})
    assert response.status_code == 400
    assert "overlap the negotiated price of 70.000 ₫ valid from Dec 1, 2026 to Dec 31, 2026" in text(response)
    assert db.session.query(PartnerPrice).count() == 1


def test_an_admin_ends_and_removes_prices_on_the_page(log_in, admin, partner, pack):
    current = negotiated(partner, pack, 70_000, date(2026, 11, 1))
    client = log_in(admin)
    page = f"/admin/partners/{partner.id}/prices"
    response = _post(client, f"{page}/{current.id}/end", {f"end-{current.id}-last_day": "2026-12-31"}, page)
    assert response.status_code == 302
    db.session.refresh(current)
    assert current.valid_to == date(2026, 12, 31)
    future_id = negotiated(partner, pack, 72_000, date(2027, 1, 1)).id
    assert _post(client, f"{page}/{future_id}/delete", {}, page).status_code == 302
    assert db.session.get(PartnerPrice, future_id) is None


def test_a_price_of_another_partner_is_not_found_through_this_one(log_in, admin, partner, pack):
    other = a_partner()
    theirs = negotiated(other, pack, 70_000, date(2027, 1, 1))
    client = log_in(admin)
    page = f"/admin/partners/{partner.id}/prices"
    assert _post(client, f"{page}/{theirs.id}/delete", {}, page).status_code == 404
    assert db.session.get(PartnerPrice, theirs.id) is not None


def test_the_vat_page_lists_the_rates_and_adds_one(log_in, admin):
    client = log_in(admin)
    response = client.get("/admin/vat-rates")
    assert response.status_code == 200
    shown = text(response)
    assert "Nghị quyết 204/2025/QH15 (8%)" in shown and "10%" in shown and "5%" in shown
    form = {
        "group_code": "thuc-pham",
        "subgroup_code": "",
        "rate": "9",
        "valid_from": "2028-01-01",
        "basis": "Luật (giả định)",
    }
    response = submit(client, "/admin/vat-rates", form)
    assert response.status_code == 302
    assert "9%" in text(client.get("/admin/vat-rates"))


def test_a_vat_rate_in_the_past_is_refused_next_to_the_date(log_in, admin):
    client = log_in(admin)
    form = {"group_code": "thuc-pham", "subgroup_code": "", "rate": "9", "valid_from": "2026-01-01", "basis": "x"}
    response = submit(client, "/admin/vat-rates", form)
    assert response.status_code == 400
    assert errors_on(response) == [
        "A new rate starts today or later: orders and invoices already made keep the rate they had."
    ]


def test_the_producers_page_opens_in_vietnamese_the_default(client, log_in, owner, xoi, pack):
    with_breaks(pack, (10, 90_000))
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    assert log_in(owner).get(f"/producer/products/{xoi.id}/partner-prices").status_code == 200


def test_the_admins_pages_open_in_vietnamese_the_default(client, log_in, admin, partner, pack):
    negotiated(partner, pack, 70_000, date(2026, 12, 1))
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    log_in(admin)
    assert client.get(f"/admin/partners/{partner.id}/prices").status_code == 200
    assert client.get("/admin/vat-rates").status_code == 200
