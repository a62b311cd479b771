"""The producer's certificates pages: list, submit (again), one certificate, its scan, the
dashboard's banner; only one's own."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from shop import clock
from shop.catalog import certificate_review as review
from shop.catalog.certificates import add_certificate
from shop.catalog.models import Certificate
from shop.extensions import db
from tests.conftest import submit
from tests.portal.conftest import a_member
from tests.support.builders import a_user, an_admin, make_product

PDF_BYTES = b"%PDF-1.4\n%%EOF\n"
TODAY = date(2026, 11, 30)


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "CERTIFICATE_SCAN_DIR": str(tmp_path / "scans")}


@pytest.fixture
def product(producer):
    return make_product("Xôi Phú Thượng", producer=producer, stars=None)


def form(product, **changes):
    data = {
        "product_id": product.id,
        "star_level": 4,
        "decision_number": "1147/QĐ-UBND",
        "decision_date": "2025-09-15",
        "issuing_body": "UBND Thành phố Hà Nội",
        "issuer_level": "province",
        "valid_until": "",
        "scan": (io.BytesIO(PDF_BYTES), "quyet-dinh.pdf"),
    }
    data.update(changes)
    return data


def post(client, data):
    return submit(
        client, "/producer/certificates/new", data, content_type="multipart/form-data", follow_redirects=False
    )


def submitted(producer, product, user):
    certificate = review.submit_certificate(
        producer,
        product.id,
        actor=user,
        star_level=4,
        decision_number="1147/QĐ-UBND",
        decision_date=date(2025, 9, 15),
        issuing_body="UBND Thành phố Hà Nội",
        issuer_level="province",
        scan=review.read_scan(io.BytesIO(PDF_BYTES)),
    )
    db.session.commit()
    return certificate


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Certificate))


def test_the_menu_has_certificates(client, as_member, owner):
    as_member(owner)
    page = client.get("/producer/").get_data(as_text=True)
    assert 'href="/producer/certificates"' in page


def test_a_producer_sends_a_certificate_and_sees_it_await_review(client, as_member, owner, product):
    other = make_product("Chè sen", producer=make_product("x", stars=None).producer, stars=None)
    as_member(owner)
    page = client.get("/producer/certificates/new").get_data(as_text=True)
    assert "Xôi Phú Thượng" in page and "Chè sen" not in page
    assert 'enctype="multipart/form-data"' in page
    response = post(client, form(product))
    assert response.status_code == 302
    certificate = db.session.scalars(select(Certificate)).one()
    assert response.headers["Location"].endswith(f"/producer/certificates/{certificate.id}")
    assert (certificate.product_id, certificate.verification_status) == (product.id, "pending")
    assert certificate.valid_until == date(2028, 9, 15)
    listing = client.get("/producer/certificates").get_data(as_text=True)
    assert "1147/QĐ-UBND" in listing and "status-pending" in listing
    assert other.name_vi not in listing


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scan": (io.BytesIO(b"#!/bin/sh\nrm -rf ~\n"), "quyet-dinh.pdf")}, "scan"),
        ({"scan": (io.BytesIO(b"%PDF-" + b"0" * 2000), "big.pdf")}, "scan"),  # over the limit set below
        ({"decision_date": "2026-12-01"}, "decision_date"),
        ({"star_level": 6}, "star_level"),
        ({"valid_until": "2025-01-01"}, "valid_until"),
        ({"issuer_level": "district"}, "issuer_level"),
    ],
)
def test_a_bad_submission_is_shown_again_with_the_reason_by_its_field_and_nothing_kept(
    app, client, as_member, owner, product, changes, field, monkeypatch
):
    # A small limit, so that the test client keeps the upload in memory (10 MB: see the services' tests).
    monkeypatch.setattr(review, "MAX_SCAN_BYTES", 1024)
    as_member(owner)
    response = post(client, form(product, **changes))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert 'value="1147/QĐ-UBND"' in page  # what was typed stays
    assert count() == 0


def test_a_staff_member_may_send_one_too(client, as_member, staff, product):
    as_member(staff)
    assert post(client, form(product)).status_code == 302
    assert count() == 1


def test_another_producers_product_cannot_be_chosen(client, as_member, owner, product, other_producer):
    theirs = make_product("Chè sen", producer=other_producer, stars=None)
    as_member(owner)
    assert post(client, form(product, product_id=theirs.id)).status_code == 400
    assert count() == 0


def test_a_rejected_certificate_is_shown_with_its_reason_and_sent_again(client, as_member, owner, producer, product):
    old = submitted(producer, product, owner)
    review.reject_certificate(old, actor=an_admin(), reason="Bản scan bị mờ")
    db.session.commit()
    as_member(owner)
    listing = client.get("/producer/certificates").get_data(as_text=True)
    assert "Bản scan bị mờ" in listing
    page = client.get(f"/producer/certificates/{old.id}").get_data(as_text=True)
    assert "Bản scan bị mờ" in page
    assert f"/producer/certificates/new?replace={old.id}" in page
    again = client.get(f"/producer/certificates/new?replace={old.id}").get_data(as_text=True)
    assert 'value="1147/QĐ-UBND"' in again
    assert post(client, form(product)).status_code == 302
    assert count() == 2


def test_the_list_shows_the_days_left(client, as_member, owner, product):
    add_certificate(
        product,
        star_level=4,
        decision_number="5/QĐ-UBND",
        decision_date=date(2025, 9, 15),
        issuing_body="UBND Thành phố Hà Nội",
        issuer_level="province",
        valid_until=TODAY + timedelta(days=45),
        verification_status="verified",
        today=clock.today(),
    )
    as_member(owner)
    page = client.get("/producer/certificates").get_data(as_text=True)
    assert "45" in page.split("5/QĐ-UBND")[1][:600]


def test_the_scan_is_shown_inline_to_the_producer_only_as_what_it_is(client, as_member, owner, producer, product):
    certificate = submitted(producer, product, owner)
    as_member(owner)
    response = client.get(f"/producer/certificates/{certificate.id}/scan")
    assert response.status_code == 200
    assert response.data == PDF_BYTES
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    response.close()


@pytest.mark.parametrize("suffix", ["", "/scan"])
def test_another_producers_certificate_is_404(client, as_member, owner, other_producer, suffix):
    theirs = make_product("Chè sen", producer=other_producer, stars=None)
    certificate = submitted(other_producer, theirs, a_member(other_producer))
    as_member(owner)
    assert client.get(f"/producer/certificates/{certificate.id}{suffix}").status_code == 404
    assert client.get(f"/producer/certificates/new?replace={certificate.id}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/producer/certificates",
        "/producer/certificates/new",
        "/producer/certificates/{id}",
        "/producer/certificates/{id}/scan",
    ],
)
def test_shoppers_are_refused_and_visitors_sent_to_log_in(client, as_member, owner, producer, product, path):
    certificate = submitted(producer, product, owner)
    url = path.format(id=certificate.id)
    response = client.get(url)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    as_member(a_user())
    assert client.get(url).status_code == 403


def test_the_dashboard_warns_while_a_certificate_lapses_within_60_days(client, as_member, owner, product, clock):
    add_certificate(
        product,
        star_level=4,
        decision_number="5/QĐ-UBND",
        decision_date=date(2025, 9, 15),
        issuing_body="UBND Thành phố Hà Nội",
        issuer_level="province",
        valid_until=TODAY + timedelta(days=61),
        verification_status="verified",
        today=TODAY,
    )
    as_member(owner)
    assert "cert-banner" not in client.get("/producer/").get_data(as_text=True)
    clock.shift(timedelta(days=1))
    page = client.get("/producer/").get_data(as_text=True)
    assert "cert-banner" in page
    banner = page.split('id="cert-banner-heading"')[1][:2000]
    assert "Xôi Phú Thượng" in banner and "60" in banner
    assert f"/producer/certificates/new?product={product.id}" in banner
    clock.shift(timedelta(days=65))  # lapsed: the warning stays until a new one is verified
    as_member(owner)  # the login session has ended meanwhile
    assert "cert-banner" in client.get("/producer/").get_data(as_text=True)
