"""Applying to sell, the admin's decisions, the profile and the bank account (services)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from shop import clock
from shop.audit.models import AuditEvent
from shop.catalog.models import Product
from shop.catalog.selection import catalog_columns
from shop.errors import ConflictError, Forbidden, ValidationError
from shop.extensions import db
from shop.mail.models import OutboundMail
from shop.producers import onboarding
from shop.producers.onboarding import Application, Profile
from tests.portal.conftest import a_member
from tests.support.builders import a_producer, a_user, an_admin, make_product

GOOD = {
    "kind": "cooperative",
    "name": "HTX Chè Sen Quảng An",
    "tax_code": "0100109106",
    "street": "Số 9 ngõ 1 Quảng An",
    "province_code": 1,
    "ward_code": 103,  # Phường Tây Hồ, Hà Nội
    "contact_phone": "0912 345 678",
    "bank_name": "Vietcombank",
    "bank_account_number": "0011 0040 12345",
    "bank_account_holder": "HTX CHE SEN QUANG AN",
    "story_vi": "Trà sen ướp trong bông sen Hồ Tây.",
    "story_en": "Tea scented in West Lake lotus flowers.",
}


def application(**changes) -> Application:
    return Application(**{**GOOD, **changes})


def mails_to(email: str) -> list[OutboundMail]:
    return list(db.session.scalars(select(OutboundMail).where(OutboundMail.to_addr == email).order_by(OutboundMail.id)))


def audit_actions(producer_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.producer_id == producer_id).order_by(AuditEvent.id)
        )
    )


def applied(user=None, **changes):
    user = user or a_user()
    producer = onboarding.apply_to_sell(user, application(**changes))
    db.session.commit()
    return user, producer


# --- Applying -------------------------------------------------------------------------------


def test_an_application_makes_a_pending_producer_owned_by_the_applicant():
    user, producer = applied()
    assert producer.status == "pending"
    assert producer.tax_code == "0100109106"
    assert producer.contact_phone == "0912345678"
    assert producer.bank_account_number == "0011004012345"
    assert producer.ward_name == "Phường Tây Hồ"
    assert producer.contact_email == user.email
    assert producer.slug == "htx-che-sen-quang-an"
    [membership] = user.producer_memberships
    assert (membership.producer_id, membership.role) == (producer.id, "owner")
    assert onboarding.application_of(user) == producer
    assert audit_actions(producer.id) == ["producer.apply"]


def test_a_branch_tax_code_is_stored_in_the_shops_form():
    _, producer = applied(tax_code="0100109106 001")
    assert producer.tax_code == "0100109106-001"


def test_bank_details_may_wait_until_after_approval():
    _, producer = applied(bank_name="", bank_account_number="", bank_account_holder="")
    assert producer.bank_name is None
    assert not onboarding.has_bank_account(producer)


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"tax_code": "0100109107"}, "tax_code", "check digit"),
        ({"tax_code": "0100109106-1"}, "tax_code", "10 digits"),
        ({"tax_code": "01001091xx"}, "tax_code", "10 digits"),
        ({"tax_code": ""}, "tax_code", "tax code"),
        ({"kind": "partnership"}, "kind", "household"),
        ({"name": "   "}, "name", "legal name"),
        ({"name": "H" * 201}, "name", "200"),
        ({"province_code": 999}, "province_code", "province"),
        ({"province_code": None}, "province_code", "province"),
        ({"ward_code": 26506}, "ward_code", "not in the chosen province"),  # Vũng Tàu, not Hà Nội
        ({"street": " "}, "street", "street"),
        ({"contact_phone": ""}, "contact_phone", "phone"),
        ({"contact_phone": "12345"}, "contact_phone", "Vietnamese phone"),
        ({"contact_phone": "0112345678"}, "contact_phone", "Vietnamese phone"),  # no such prefix
        ({"contact_phone": "091234567"}, "contact_phone", "Vietnamese phone"),  # a digit short
        ({"bank_account_number": ""}, "bank_account_number", "6 to 19 digits"),  # half a bank account
        ({"bank_account_number": "12AB5678"}, "bank_account_number", "6 to 19 digits"),
        ({"bank_account_holder": ""}, "bank_account_holder", "holder"),
        ({"story_vi": "x" * 5001}, "story_vi", "5000"),
    ],
)
def test_bad_applications_are_refused_naming_the_field(change, field, says):
    user = a_user()
    with pytest.raises(ValidationError) as exc:
        onboarding.apply_to_sell(user, application(**change))
    assert exc.value.field == field
    with force_locale("en"):
        assert says.lower() in str(exc.value.message).lower()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0912 345 678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("024 3823 4567", "02438234567"),
        ("(024) 3823.4567", "02438234567"),
        ("1800 1234", "18001234"),
    ],
)
def test_mobile_landline_and_hotline_numbers_are_accepted(typed, stored):
    assert onboarding.normalize_contact_phone(typed) == stored


def test_a_tax_code_already_registered_is_refused(producer):
    with pytest.raises(ConflictError) as exc:
        onboarding.apply_to_sell(a_user(), application(tax_code=producer.tax_code))
    assert exc.value.field == "tax_code"


def test_one_application_at_a_time():
    user, _ = applied()
    with pytest.raises(ConflictError):
        onboarding.apply_to_sell(user, application(tax_code="0100233488"))


def test_two_producers_of_the_same_name_get_distinct_slugs():
    _, first = applied()
    _, second = applied(tax_code="0100233488")
    assert first.slug != second.slug


# --- Admin decisions ------------------------------------------------------------------------


def test_approval_activates_and_mails_the_applicant_in_their_language_with_a_link_on_the_base_url(app):
    user, producer = applied(a_user(locale="en", name="Lan"))
    admin = an_admin()
    onboarding.approve_producer(producer, admin)
    db.session.commit()
    assert producer.status == "active"
    assert abs(clock.aware(producer.reviewed_at) - clock.now()) < timedelta(minutes=1)
    [mail] = mails_to(user.email)
    assert "approved" in mail.subject
    assert "Hello Lan," in mail.body_text
    assert "http://shop.test/producer/" in mail.body_text
    assert 'href="http://shop.test/producer/"' in mail.body_html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "producer.approve"))
    assert (event.actor_email, event.actor_role, event.producer_id) == (admin.email, "admin", producer.id)
    assert (event.before["status"], event.after["status"]) == ("pending", "active")


def test_a_rejection_needs_a_reason_and_mails_it_in_vietnamese_with_the_application_link(app):
    app.config["SHOP_BASE_URL"] = "https://cho-ocop.example"
    user, producer = applied(a_user(locale="vi", name="Lan"))
    admin = an_admin()
    with pytest.raises(ValidationError) as exc:
        onboarding.reject_producer(producer, admin, "  ")
    assert exc.value.field == "reason"
    onboarding.reject_producer(producer, admin, "Giấy chứng nhận đăng ký HTX bị mờ, xin gửi lại.")
    db.session.commit()
    assert (producer.status, producer.review_reason) == ("rejected", "Giấy chứng nhận đăng ký HTX bị mờ, xin gửi lại.")
    assert producer.reviewed_at is not None
    [mail] = mails_to(user.email)
    assert "Xin chào Lan," in mail.body_text
    assert "Giấy chứng nhận đăng ký HTX bị mờ" in mail.body_text
    assert "https://cho-ocop.example/producer/apply" in mail.body_text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "producer.reject"))
    assert event.note == producer.review_reason
    assert event.after["review_reason"] == producer.review_reason


def test_a_rejected_applicant_corrects_and_is_reviewed_again():
    user, producer = applied()
    onboarding.reject_producer(producer, an_admin(), "Sai mã số thuế.")
    onboarding.resubmit_application(producer, user, application(tax_code="0100233488"))
    db.session.commit()
    assert (producer.status, producer.tax_code) == ("pending", "0100233488")
    assert audit_actions(producer.id)[-1] == "producer.resubmit"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "producer.resubmit"))
    assert event.before == {"tax_code": "0100109106", "status": "rejected"}


def test_only_the_owner_resubmits_and_not_once_approved(producer, staff):
    user, pending = applied()
    with pytest.raises(Forbidden):
        onboarding.resubmit_application(pending, a_user(), application())
    owner = a_member(producer, role="owner")
    with pytest.raises(ConflictError):
        onboarding.resubmit_application(producer, owner, application(tax_code="0100233488"))


@pytest.mark.parametrize(
    ("status", "action"),
    [("active", "approve"), ("rejected", "approve"), ("active", "reactivate"), ("pending", "suspend")],
)
def test_decisions_follow_the_status(status, action):
    producer = a_producer(status=status)
    decide = getattr(onboarding, f"{action}_producer")
    with pytest.raises(ConflictError):
        decide(producer, an_admin(), *(("A reason",) if action in ("reject", "suspend") else ()))


def test_suspending_takes_the_products_out_of_the_catalog_at_once_and_reactivating_brings_them_back(producer, owner):
    product = make_product("Xôi xéo", producer=producer)
    before = catalog_columns(clock.today())
    assert product.id in before.ids
    admin = an_admin()
    onboarding.suspend_producer(producer, admin, "Khiếu nại về chất lượng, đang kiểm tra.")
    db.session.commit()
    suspended = catalog_columns(clock.today())
    assert suspended.version != before.version
    assert product.id not in suspended.ids
    [mail] = mails_to(owner.email)
    assert "Khiếu nại về chất lượng" in mail.body_text
    onboarding.reactivate_producer(producer, admin)
    db.session.commit()
    assert product.id in catalog_columns(clock.today()).ids
    assert audit_actions(producer.id)[-2:] == ["producer.suspend", "producer.reactivate"]


@pytest.mark.parametrize(
    ("value", "unit", "bp"),
    [
        ("12.5", "percent", 1250),
        ("12,5 %", "percent", 1250),
        ("10", "percent", 1000),
        ("0", "percent", 0),
        ("7.25", "percent", 725),
        ("100", "percent", 10_000),
        ("1250", "bp", 1250),
        ("", "percent", None),
    ],
)
def test_commission_is_typed_as_a_percent_or_basis_points(value, unit, bp):
    assert onboarding.parse_commission(value, unit) == bp


@pytest.mark.parametrize(
    ("value", "unit"),
    [
        ("12.555", "percent"),
        ("-5", "percent"),
        ("abc", "percent"),
        ("100.01", "percent"),
        ("10001", "bp"),
        ("12.5", "bp"),
        ("10", "permille"),
    ],
)
def test_impossible_commissions_are_refused(value, unit):
    with pytest.raises(ValidationError):
        onboarding.parse_commission(value, unit)


def test_setting_the_commission_is_audited_and_none_means_the_default(app, producer):
    admin = an_admin()
    onboarding.set_commission(producer, admin, 1250)
    assert onboarding.commission_of(producer) == 1250
    onboarding.set_commission(producer, admin, None)
    assert onboarding.commission_of(producer) == app.config["PRODUCER_COMMISSION_BP"]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "producer.commission")).all()
    assert [(e.before["commission_bp"], e.after["commission_bp"]) for e in events] == [(None, 1250), (1250, None)]


def test_an_admin_corrects_the_legal_details_checked_like_an_application(producer):
    admin = an_admin()
    with pytest.raises(ValidationError):
        onboarding.correct_legal_details(producer, admin, kind="company", name="Công ty ABC", tax_code="0100109107")
    onboarding.correct_legal_details(producer, admin, kind="company", name="Công ty ABC", tax_code="0100109106-002")
    assert (producer.kind, producer.name, producer.tax_code) == ("company", "Công ty ABC", "0100109106-002")
    assert audit_actions(producer.id) == ["producer.legal.update"]


def test_the_admin_list_shows_applications_awaiting_review_first_oldest_first(clock):
    active = a_producer(name="A active")
    _, first = applied()
    clock.shift(timedelta(hours=1))
    _, second = applied(tax_code="0100233488", name="B")
    listed = onboarding.producers_for_review()
    assert listed[:3] == [first, second, active]
    assert onboarding.producers_for_review("active") == [active]
    assert onboarding.producers_for_review(q="0100233") == [second]


# --- The producer's own changes -------------------------------------------------------------


def test_members_edit_the_profile_and_the_change_is_audited(producer, staff):
    profile = Profile.of(producer)
    profile.street, profile.contact_phone, profile.story_vi = (
        "Ngõ 2 Phú Thượng",
        "024 3823 4567",
        "Xôi nếp cái hoa vàng.",
    )
    assert onboarding.update_profile(producer, staff, profile)
    assert (producer.street, producer.contact_phone) == ("Ngõ 2 Phú Thượng", "02438234567")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "producer.profile.update"))
    assert event.actor_email == staff.email
    assert event.after["street"] == "Ngõ 2 Phú Thượng"
    assert not onboarding.update_profile(producer, staff, Profile.of(producer))  # nothing changed, no entry


def test_a_profile_with_a_ward_of_another_province_is_refused(producer, owner):
    profile = Profile.of(producer)
    profile.street, profile.contact_phone, profile.ward_code = "Ngõ 2", "0912345678", 26506
    with pytest.raises(ValidationError) as exc:
        onboarding.update_profile(producer, owner, profile)
    assert exc.value.field == "ward_code"


def test_only_owners_change_the_bank_account(producer, owner, staff):
    with pytest.raises(Forbidden):
        onboarding.update_bank_account(producer, staff, bank_name="BIDV", number="12345678", holder="NGUYEN VAN A")
    with pytest.raises(Forbidden):
        onboarding.update_bank_account(producer, a_user(), bank_name="BIDV", number="12345678", holder="NGUYEN VAN A")
    with pytest.raises(ValidationError) as exc:
        onboarding.update_bank_account(producer, owner, bank_name="BIDV", number="12", holder="NGUYEN VAN A")
    assert exc.value.field == "bank_account_number"
    assert onboarding.update_bank_account(producer, owner, bank_name="BIDV", number="1234 5678", holder="NGUYEN VAN A")
    assert producer.bank_account_number == "12345678"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "producer.bank.update"))
    assert event.before == {"bank_name": None, "bank_account_number": None, "bank_account_holder": None}
    assert event.after["bank_account_number"] == "12345678"


def test_a_product_of_a_pending_producer_is_not_listed():
    _, producer = applied()
    product = make_product("Chè sen", producer=producer)
    assert db.session.get(Product, product.id) is not None
    assert product.id not in catalog_columns(clock.today()).ids
