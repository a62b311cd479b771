"""Staff's invoice pages: the list by status (overdue included) with totals, recording a payment
and voiding through the forms, and the export's downloads."""

from __future__ import annotations

from datetime import UTC, date, datetime
from xml.etree import ElementTree as ET

import pytest

from shop.extensions import db
from tests.conftest import submit
from tests.factories import PASSWORD
from tests.support.builders import an_admin

EN = {"Accept-Language": "en"}


@pytest.fixture
def admin_client(client):
    admin = an_admin()
    db.session.commit()
    submit(client, "/account/login", {"email": admin.email, "password": PASSWORD})
    return client


def test_the_list_filters_by_overdue_and_shows_totals(admin_client, shop, partner):
    _, late = shop.invoiced(partner, delivery_date=date(2026, 10, 2), placed=datetime(2026, 10, 1, 2, 0, tzinfo=UTC))
    _, recent = shop.invoiced(partner)
    page = admin_client.get("/admin/invoices?status=overdue", headers=EN).get_data(as_text=True)
    assert late.number in page and recent.number not in page
    page = admin_client.get(f"/admin/invoices?partner={partner.id}&from=2026-11-01&to=2026-11-30").get_data(
        as_text=True
    )
    assert recent.number in page and late.number not in page
    assert admin_client.get("/admin/invoices?status=lost").status_code == 400
    assert admin_client.get("/admin/invoices?from=yesterday").status_code == 400


def test_staff_record_a_partial_payment_then_the_rest(admin_client, shop, partner):
    _, invoice = shop.invoiced(partner)
    url = f"/admin/invoices/{invoice.id}"
    data = {"amount_vnd": "600.000", "paid_on": "2026-11-30", "reference": "FT26334"}
    response = submit(admin_client, f"{url}/payments", data, page=url)
    assert response.status_code == 302
    db.session.refresh(invoice)
    assert (invoice.status, invoice.paid_vnd) == ("open", 600_000)
    too_much = submit(admin_client, f"{url}/payments", {**data, "amount_vnd": "100000"}, page=url, headers=EN)
    assert too_much.status_code == 400
    assert "more than the balance of 63.331 ₫" in too_much.get_data(as_text=True)
    submit(admin_client, f"{url}/payments", {**data, "amount_vnd": "63331"}, page=url)
    db.session.refresh(invoice)
    assert invoice.status == "paid"


def test_staff_void_an_invoice_with_a_reason(admin_client, shop, partner):
    _, invoice = shop.invoiced(partner)
    url = f"/admin/invoices/{invoice.id}"
    assert submit(admin_client, f"{url}/void", {"reason": ""}, page=url).status_code == 400
    assert submit(admin_client, f"{url}/void", {"reason": "Đặt trùng"}, page=url).status_code == 302
    db.session.refresh(invoice)
    assert (invoice.status, invoice.void_reason) == ("void", "Đặt trùng")


def test_the_export_downloads_xml_and_csv(admin_client, shop, partner):
    _, invoice = shop.invoiced(partner)
    xml = admin_client.get("/admin/invoices/export?from=2026-11-01&to=2026-11-30&format=xml")
    assert xml.mimetype == "application/xml"
    assert ET.fromstring(xml.data).findtext("HDon/DLHDon/TTChung/SHDon") == invoice.number
    as_csv = admin_client.get("/admin/invoices/export?from=2026-11-01&to=2026-11-30&format=csv")
    assert as_csv.mimetype == "text/csv" and invoice.number in as_csv.get_data(as_text=True)
    assert admin_client.get("/admin/invoices/export?from=2026-11-30&to=2026-11-01").status_code == 400


def test_partners_cannot_open_staff_pages(client, shop, partner, accountant):
    from tests.support.partners import log_in

    _, invoice = shop.invoiced(partner)
    log_in(client, accountant)
    assert client.get(f"/admin/invoices/{invoice.id}").status_code == 403
    assert client.get("/admin/invoices/export?from=2026-11-01&to=2026-11-30").status_code == 403
