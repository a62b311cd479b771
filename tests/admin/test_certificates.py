"""Staff review certificates: the list (pending first), one beside its scan, verify, reject."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import select

from shop.audit.models import AuditEvent
from shop.catalog import certificate_review as review
from shop.extensions import db
from shop.mail.models import OutboundMail
from tests.conftest import csrf_token_from, submit
from tests.factories import PASSWORD
from tests.portal.conftest import a_member
from tests.support.builders import a_producer, a_user, an_admin, make_product

PDF_BYTES = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "CERTIFICATE_SCAN_DIR": str(tmp_path / "scans")}


@pytest.fixture
def producer(app):
    return a_producer(name="HTX Xôi Phú Thượng")


@pytest.fixture
def owner(producer):
    return a_member(producer, role="owner")


@pytest.fixture
def product(producer):
    return make_product("Xôi Phú Thượng", producer=producer, stars=None)


@pytest.fixture
def as_user(client, login):
    """Log `user` in on the test client (commits first, so the request sees what the test made)."""

    def do(user):
        db.session.commit()
        assert login(user.email, PASSWORD).status_code == 302
        return client

    return do


def sent(producer, product, user, data=PDF_BYTES, number="1147/QĐ-UBND"):
    certificate = review.submit_certificate(
        producer,
        product.id,
        actor=user,
        star_level=4,
        decision_number=number,
        decision_date=date(2025, 9, 15),
        issuing_body="UBND Thành phố Hà Nội",
        issuer_level="province",
        scan=review.read_scan(io.BytesIO(data)),
    )
    db.session.commit()
    return certificate


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(out, "PNG")
    return out.getvalue()


def test_the_list_shows_pending_certificates_first_and_filters_by_status(client, as_user, producer, owner, product):
    done = sent(producer, product, owner, number="1/QĐ-UBND")
    review.verify_certificate(done, actor=an_admin())
    db.session.commit()
    other = make_product("Chè sen Quảng An", producer=producer, stars=None)
    waiting = sent(producer, other, owner, number="2/QĐ-UBND")
    as_user(an_admin())
    page = client.get("/admin/certificates").get_data(as_text=True)
    assert 'href="/admin/certificates"' in page  # in the menu
    assert page.index(f"/admin/certificates/{waiting.id}") < page.index(f"/admin/certificates/{done.id}")
    assert "HTX Xôi Phú Thượng" in page
    pending_only = client.get("/admin/certificates?status=pending").get_data(as_text=True)
    assert f"/admin/certificates/{waiting.id}" in pending_only
    assert f"/admin/certificates/{done.id}" not in pending_only
    # An unknown status lists everything.
    assert f"/admin/certificates/{done.id}" in client.get("/admin/certificates?status=nope").get_data(as_text=True)


def test_an_admin_sees_the_scan_and_verifies(client, as_user, producer, owner, product):
    certificate = sent(producer, product, owner, data=png())
    admin = an_admin()
    as_user(admin)
    page = client.get(f"/admin/certificates/{certificate.id}").get_data(as_text=True)
    assert f'<img class="cert-scan" src="/admin/certificates/{certificate.id}/scan"' in page
    assert "1147/QĐ-UBND" in page and "UBND Thành phố Hà Nội" in page
    scan = client.get(f"/admin/certificates/{certificate.id}/scan")
    assert (scan.status_code, scan.mimetype) == (200, "image/png")
    assert scan.headers["Content-Disposition"].startswith("inline")
    assert scan.headers["X-Content-Type-Options"] == "nosniff"
    scan.close()
    url = f"/admin/certificates/{certificate.id}"
    response = submit(client, f"{url}/verify", {}, page=url)
    assert response.status_code == 302
    db.session.refresh(certificate)
    assert certificate.verification_status == "verified"
    assert product.star_level == 4
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certificate.verify")).one()
    assert event.actor_email == admin.email
    assert db.session.scalars(select(OutboundMail.to_addr)).all() == [owner.email]


def test_a_pdf_scan_is_linked_not_embedded(client, as_user, producer, owner, product):
    certificate = sent(producer, product, owner)
    as_user(an_admin())
    page = client.get(f"/admin/certificates/{certificate.id}").get_data(as_text=True)
    assert f'href="/admin/certificates/{certificate.id}/scan"' in page
    assert "<img" not in page.split("cert-scan-heading")[1].split("</section>")[0]


def test_rejecting_needs_a_reason(client, as_user, producer, owner, product):
    certificate = sent(producer, product, owner)
    as_user(an_admin())
    url = f"/admin/certificates/{certificate.id}"
    submit(client, f"{url}/reject", {"reason": "  "}, page=url)
    db.session.refresh(certificate)
    assert certificate.verification_status == "pending"
    assert db.session.scalar(select(OutboundMail.id)) is None
    submit(client, f"{url}/reject", {"reason": "Bản scan không khớp số quyết định"}, page=url)
    db.session.refresh(certificate)
    assert (certificate.verification_status, certificate.rejection_reason) == (
        "rejected",
        "Bản scan không khớp số quyết định",
    )
    page = client.get(url).get_data(as_text=True)
    assert "Bản scan không khớp số quyết định" in page
    assert f"{url}/verify" not in page  # nothing left to decide
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certificate.reject")).one()
    assert event.before == {"verification_status": "pending", "rejection_reason": None}


def test_a_decision_without_a_token_changes_nothing(client, as_user, producer, owner, product):
    certificate = sent(producer, product, owner)
    as_user(an_admin())
    client.post(f"/admin/certificates/{certificate.id}/verify", data={})
    db.session.refresh(certificate)
    assert certificate.verification_status == "pending"


@pytest.mark.parametrize("suffix", ["", "/scan"])
def test_an_unknown_certificate_is_404(client, as_user, suffix):
    as_user(an_admin())
    assert client.get(f"/admin/certificates/999{suffix}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/certificates"),
        ("get", "/admin/certificates/{id}"),
        ("get", "/admin/certificates/{id}/scan"),
        ("post", "/admin/certificates/{id}/verify"),
        ("post", "/admin/certificates/{id}/reject"),
    ],
)
def test_only_admins_may_review(app, client, producer, owner, product, method, path):
    certificate = sent(producer, product, owner)
    url = path.format(id=certificate.id)

    def ask(who):
        if method == "get":
            return who.get(url)
        token = csrf_token_from(who.get("/").get_data(as_text=True))
        return who.post(url, data={"csrf_token": token, "reason": "Không rõ"})

    response = ask(client)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    for user in (a_user(), owner):  # a shopper; the producer itself reviews nothing either
        db.session.commit()
        other = app.test_client()
        assert submit(other, "/account/login", {"email": user.email, "password": PASSWORD}).status_code == 302
        assert ask(other).status_code == 403
    db.session.refresh(certificate)
    assert certificate.verification_status == "pending"
