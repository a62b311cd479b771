"""Applying as a restaurant partner, the application's page, the owners' profile, and the
admin's decisions (approval with terms and a credit limit, rejection, suspension, terms, hold)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEvent
from shop.errors import ConflictError, ValidationError
from shop.extensions import db
from shop.mail.models import OutboundMail
from shop.partners import onboarding
from shop.partners.locations import LocationDetails
from shop.partners.models import Partner
from tests.conftest import submit
from tests.factories import valid_tax_code
from tests.support.builders import a_user, an_admin
from tests.support.partners import log_in, make_partner, owner_of

EN = {"Accept-Language": "en"}
TAX_CODE = valid_tax_code(4242, prefix="03")


def a_location(**changes) -> LocationDetails:
    details = {
        "name": "Chi nhánh Tây Hồ",
        "street": "27 Xuân Diệu",
        "province_code": 1,
        "ward_code": 103,
        "contact_name": "Trần Văn Bếp",
        "contact_phone": "0912 345 678",
        "hours": {day: ("06:00", "11:00") for day in range(6)},
    }
    details.update(changes)
    return LocationDetails(**details)


def an_application(**changes) -> onboarding.Application:
    details = {
        "name": "Công ty TNHH Nhà hàng Sen",
        "tax_code": TAX_CODE,
        "street": "15 Hàng Bài",
        "province_code": 1,
        "ward_code": 70,
        "einvoice_email": "HoaDon@NhaHangSen.vn",
        "contact_phone": "024 3823 4567",
        "locations": [a_location()],
    }
    details.update(changes)
    return onboarding.Application(**details)


def form_data(**changes) -> dict:
    data = {
        "name": "Công ty TNHH Nhà hàng Sen",
        "tax_code": TAX_CODE,
        "street": "15 Hàng Bài",
        "province_code": "1",
        "ward_code": "70",
        "einvoice_email": "hoadon@nhahangsen.vn",
        "contact_phone": "024 3823 4567",
        "location_name": "Chi nhánh Tây Hồ",
        "location_street": "27 Xuân Diệu",
        "location_province_code": "1",
        "location_ward_code": "103",
        "location_contact_name": "Trần Văn Bếp",
        "location_contact_phone": "0912345678",
        **{f"opens_{day}": "06:00" for day in range(6)},
        **{f"closes_{day}": "11:00" for day in range(6)},
    }
    data.update(changes)
    return data


def mails_to(address: str) -> list[OutboundMail]:
    return list(db.session.scalars(select(OutboundMail).where(OutboundMail.to_addr == address)))


# --- The application (services) -------------------------------------------------------------


def test_an_application_is_stored_pending_with_its_tax_code_normalised_and_its_location(app):
    user = a_user()
    partner = onboarding.apply_as_partner(user, an_application(tax_code=f" {TAX_CODE[:4]} {TAX_CODE[4:]} "))
    db.session.commit()
    assert partner.status == "pending" and partner.payment_terms == "prepaid" and partner.credit_limit_vnd == 0
    assert partner.tax_code == TAX_CODE
    assert partner.einvoice_email == "hoadon@nhahangsen.vn"
    assert partner.contact_phone == "02438234567"
    (location,) = partner.locations
    assert location.contact_phone == "0912345678"
    assert [(h.weekday, h.opens_minute, h.closes_minute) for h in location.hours] == [
        (day, 360, 660) for day in range(6)
    ]
    assert onboarding.application_of(user) == partner


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tax_code": TAX_CODE[:9] + str((int(TAX_CODE[9]) + 1) % 10)}, "tax_code"),
        ({"tax_code": "12345"}, "tax_code"),
        ({"ward_code": 1}, "ward_code"),  # a ward of another province
        ({"locations": []}, "locations"),
        ({"einvoice_email": "not-an-address"}, "einvoice_email"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"locations": [a_location(ward_code=1)]}, "location_ward_code"),
        ({"locations": [a_location(hours={0: ("11:00", "06:00")})]}, "location_hours_0"),
        ({"locations": [a_location(contact_phone="0123")]}, "location_contact_phone"),
    ],
)
def test_a_bad_application_names_the_field_at_fault_and_stores_nothing(app, changes, field):
    with pytest.raises(ValidationError) as raised:
        onboarding.apply_as_partner(a_user(), an_application(**changes))
    assert raised.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(Partner).where(Partner.name == "Công ty TNHH Nhà hàng Sen")) is None


def test_a_tax_code_already_registered_is_refused(app, partner):
    with pytest.raises(ConflictError):
        onboarding.apply_as_partner(a_user(), an_application(tax_code=partner.tax_code))


def test_a_rejected_applicant_corrects_and_sends_again(app):
    user, admin = a_user(), an_admin()
    partner = onboarding.apply_as_partner(user, an_application())
    onboarding.reject_partner(partner, admin, "Mã số thuế không khớp giấy phép.")
    db.session.commit()
    onboarding.resubmit_application(partner, user, an_application(name="Công ty TNHH Sen Việt"))
    db.session.commit()
    assert partner.status == "pending" and partner.name == "Công ty TNHH Sen Việt"
    assert len(partner.locations) == 1


# --- The pages ------------------------------------------------------------------------------


def test_a_user_applies_on_the_page_and_sees_the_status(client, app):
    user = a_user()
    log_in(client, user)
    response = submit(client, "/partner/apply", form_data())
    assert response.status_code == 302 and response.headers["Location"].endswith("/partner/application")
    page = client.get("/partner/application", headers=EN).get_data(as_text=True)
    assert "Awaiting review" in page and "Công ty TNHH Nhà hàng Sen" in page
    # The partner area sends an applicant to the application's page.
    assert client.get("/partner/").headers["Location"].endswith("/partner/application")


def test_the_application_page_shows_errors_next_to_fields(client, app):
    log_in(client, a_user())
    bad = TAX_CODE[:9] + str((int(TAX_CODE[9]) + 1) % 10)
    response = submit(client, "/partner/apply", form_data(tax_code=bad, closes_2="05:00"), headers=EN)
    assert response.status_code == 400
    assert "check digit" in response.get_data(as_text=True)
    assert db.session.scalar(select(Partner).where(Partner.tax_code == bad)) is None
    response = submit(client, "/partner/apply", form_data(closes_2="05:00"), headers=EN)
    assert response.status_code == 400
    assert "The opening time must be before the closing time." in response.get_data(as_text=True)


def test_the_rejection_reason_is_shown_and_the_corrected_application_goes_back_to_review(client, app):
    user = a_user()
    partner = onboarding.apply_as_partner(user, an_application())
    onboarding.reject_partner(partner, an_admin(), "Thiếu địa chỉ xuất hóa đơn.")
    db.session.commit()
    log_in(client, user)
    page = client.get("/partner/application", headers=EN).get_data(as_text=True)
    assert "Thiếu địa chỉ xuất hóa đơn." in page
    response = submit(client, "/partner/apply", form_data(street="20 Hàng Bài"))
    assert response.status_code == 302
    db.session.refresh(partner)
    assert partner.status == "pending" and partner.street == "20 Hàng Bài"


def test_the_owner_changes_billing_details_but_not_the_tax_code(client, partner, owner):
    log_in(client, owner)
    data = {"street": "1 Tràng Tiền", "province_code": "1", "ward_code": "70", "einvoice_email": "kt@sen.vn"}
    response = submit(client, "/partner/profile", {**data, "contact_phone": "0912345678", "tax_code": "0100109106"})
    assert response.status_code == 302
    db.session.refresh(partner)
    assert (partner.street, partner.einvoice_email) == ("1 Tràng Tiền", "kt@sen.vn")
    assert partner.tax_code != "0100109106"


def test_a_buyer_cannot_open_the_profile(client, buyer):
    log_in(client, buyer)
    assert client.get("/partner/profile").status_code == 403


def test_the_account_page_offers_to_apply(client, app):
    log_in(client, a_user())
    assert "/partner/apply" in client.get("/account/profile").get_data(as_text=True)


# --- The admin's decisions ------------------------------------------------------------------


def test_approval_sets_the_terms_and_credit_limit_writes_the_audit_and_mails_the_owners(app):
    user, admin = a_user(email="chu@sen.vn"), an_admin()
    partner = onboarding.apply_as_partner(user, an_application())
    db.session.commit()
    onboarding.approve_partner(partner, admin, payment_terms="net15", credit_limit_vnd="50.000.000")
    db.session.commit()
    assert (partner.status, partner.payment_terms, partner.credit_limit_vnd) == ("active", "net15", 50_000_000)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "partner.approve"))
    assert event.actor_email == admin.email and event.after["credit_limit_vnd"] == 50_000_000
    (mail,) = mails_to("chu@sen.vn")
    assert "http://shop.test/partner/" in mail.body_text


@pytest.mark.parametrize(
    ("terms", "limit", "field"),
    [("net45", "0", "payment_terms"), ("net7", "-5", "credit_limit_vnd"), ("net7", "nhiều", "credit_limit_vnd")],
)
def test_approval_refuses_unknown_terms_and_a_bad_limit(app, terms, limit, field):
    partner = make_partner(status="pending")
    with pytest.raises(ValidationError) as raised:
        onboarding.approve_partner(partner, an_admin(), payment_terms=terms, credit_limit_vnd=limit)
    assert raised.value.field == field


def test_suspension_needs_a_reason_and_reactivation_opens_it_again(app, partner):
    admin = an_admin()
    with pytest.raises(ValidationError):
        onboarding.suspend_partner(partner, admin, " ")
    onboarding.suspend_partner(partner, admin, "Hóa đơn quá hạn 90 ngày.")
    assert partner.status == "suspended"
    with pytest.raises(ConflictError):
        onboarding.approve_partner(partner, admin, payment_terms="net7", credit_limit_vnd=0)
    onboarding.reactivate_partner(partner, admin)
    assert partner.status == "active"


def test_the_admin_changes_terms_and_lifts_the_hold_until_a_date(app, partner):
    admin = an_admin()
    assert onboarding.set_terms(partner, admin, payment_terms="net30", credit_limit_vnd=20_000_000)
    onboarding.lift_hold(partner, admin, date(2026, 12, 5), "Đã hứa trả trước mùng 5.")
    db.session.commit()
    assert (partner.payment_terms, partner.credit_limit_vnd) == ("net30", 20_000_000)
    assert partner.hold_lifted_until == date(2026, 12, 5)
    with pytest.raises(ValidationError):
        onboarding.lift_hold(partner, admin, date(2026, 11, 29))
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "partner")))
    assert {"partner.terms", "partner.hold"} <= actions
    assert len(mails_to(owner_of(partner).email)) == 2


def test_the_admin_approves_on_the_detail_page(client, app):
    partner = make_partner("Nhà hàng Chờ Duyệt", status="pending")
    log_in(client, an_admin())
    page = client.get(f"/admin/partners/{partner.id}", headers=EN).get_data(as_text=True)
    assert "Nhà hàng Chờ Duyệt" in page and "Approve" in page
    url = f"/admin/partners/{partner.id}/approve"
    response = submit(
        client, url, {"payment_terms": "net15", "credit_limit_vnd": "30.000.000"}, page=f"/admin/partners/{partner.id}"
    )
    assert response.status_code == 302
    db.session.refresh(partner)
    assert (partner.status, partner.payment_terms, partner.credit_limit_vnd) == ("active", "net15", 30_000_000)
    listing = client.get("/admin/partners?status=active", headers=EN).get_data(as_text=True)
    assert "Nhà hàng Chờ Duyệt" in listing


def test_a_bad_credit_limit_on_the_page_says_so_and_changes_nothing(client, app):
    partner = make_partner(status="pending")
    log_in(client, an_admin())
    url = f"/admin/partners/{partner.id}/approve"
    response = submit(
        client,
        url,
        {"payment_terms": "net15", "credit_limit_vnd": "-1"},
        page=f"/admin/partners/{partner.id}",
        headers=EN,
        follow_redirects=True,
    )
    assert re.search(r"whole number of đồng|between 0", response.get_data(as_text=True))
    db.session.refresh(partner)
    assert partner.status == "pending"


def test_shoppers_cannot_open_the_admin_partner_pages(client, partner):
    log_in(client, a_user())
    assert client.get("/admin/partners").status_code == 403
    assert client.get(f"/admin/partners/{partner.id}").status_code == 403
