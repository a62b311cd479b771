"""Applying to sell, the application's status, the profile, the bank account and the checklist
(pages)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEvent
from shop.extensions import db
from shop.portal import checklist
from shop.producers import onboarding
from shop.producers.models import Producer
from tests.conftest import submit
from tests.support.builders import a_user, an_admin, make_product

FORM = {
    "kind": "household",
    "name": "Cơ sở Trà sen Bảo Phương",
    "tax_code": "0100109106",
    "province_code": "1",
    "ward_code": "103",
    "street": "Số 9 Thụy Khuê",
    "contact_phone": "0912 345 678",
    "bank_name": "",
    "bank_account_number": "",
    "bank_account_holder": "",
    "story_vi": "Trà sen ướp thủ công.",
    "story_en": "",
}


def apply(client, **changes):
    return submit(client, "/producer/apply", {**FORM, **changes})


def the_producer() -> Producer | None:
    return db.session.scalar(select(Producer).where(Producer.name == FORM["name"]))


# --- The application ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in_before_applying(client):
    response = client.get("/producer/apply")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_a_logged_in_shopper_applies_and_then_sees_the_application_awaiting_review(client, as_member):
    user = a_user()
    as_member(user)
    form = client.get("/producer/apply").get_data(as_text=True)
    assert 'name="tax_code"' in form
    response = apply(client)
    assert response.status_code == 302
    producer = the_producer()
    assert (producer.status, producer.kind, producer.ward_code) == ("pending", "household", 103)
    page = client.get("/producer/apply").get_data(as_text=True)
    assert "status-pending" in page
    # Until approved, the portal sends the applicant back to the application.
    portal = client.get("/producer/")
    assert portal.status_code == 302 and portal.headers["Location"].endswith("/producer/apply")


def test_a_wrong_check_digit_is_shown_next_to_the_tax_code_and_nothing_is_made(client, as_member, app):
    as_member(a_user())
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    response = apply(client, tax_code="0100109107")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="tax_code-error"' in page
    assert "check digit" in page
    assert 'value="Cơ sở Trà sen Bảo Phương"' in page  # what was typed stays
    assert the_producer() is None


def test_the_communes_of_the_chosen_province_are_shown_without_javascript(client, as_member):
    as_member(a_user())
    response = submit(client, "/producer/apply", {**FORM, "ward_code": "", "refresh_wards": "1"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Phường Tây Hồ" in page
    assert the_producer() is None


def test_a_rejected_applicant_sees_the_reason_and_sends_a_correction(client, as_member):
    user = a_user()
    as_member(user)
    apply(client)
    producer = the_producer()
    onboarding.reject_producer(producer, an_admin(), "Mã số thuế không khớp với giấy đăng ký.")
    db.session.commit()
    page = client.get("/producer/apply").get_data(as_text=True)
    assert "Mã số thuế không khớp với giấy đăng ký." in page
    response = apply(client, tax_code="0100233488")
    assert response.status_code == 302
    db.session.refresh(producer)
    assert (producer.status, producer.tax_code) == ("pending", "0100233488")


def test_a_member_of_an_approved_producer_is_sent_to_the_portal(client, as_member, owner):
    as_member(owner)
    page = client.get("/producer/apply").get_data(as_text=True)
    assert 'href="/producer/"' in page
    assert 'name="tax_code"' not in page


def test_the_profile_page_links_to_the_application(client, as_member):
    as_member(a_user())
    page = client.get("/account/profile").get_data(as_text=True)
    assert 'href="/producer/apply"' in page


# --- Profile and bank account ---------------------------------------------------------------


def test_staff_edit_the_profile_but_not_the_legal_name(client, as_member, producer, staff):
    as_member(staff)
    page = client.get("/producer/profile").get_data(as_text=True)
    assert 'name="name"' not in page and producer.tax_code in page
    response = submit(
        client,
        "/producer/profile",
        {
            "province_code": "1",
            "ward_code": "91",
            "street": "Ngõ 2 Phú Thượng",
            "contact_phone": "024 3823 4567",
            "story_vi": "Xôi nếp cái hoa vàng.",
            "name": "Tên khác",
        },
    )
    assert response.status_code == 302
    db.session.refresh(producer)
    assert (producer.street, producer.contact_phone, producer.name) == (
        "Ngõ 2 Phú Thượng",
        "02438234567",
        "HTX Xôi Phú Thượng",
    )
    assert (
        db.session.scalar(select(AuditEvent.actor_email).where(AuditEvent.action == "producer.profile.update"))
        == staff.email
    )


def test_a_bad_phone_on_the_profile_is_refused(client, as_member, producer, owner):
    as_member(owner)
    response = submit(
        client,
        "/producer/profile",
        {"province_code": "1", "ward_code": "91", "street": "Ngõ 2", "contact_phone": "123"},
    )
    assert response.status_code == 400
    assert 'id="contact_phone-error"' in response.get_data(as_text=True)


def test_the_owner_sets_the_bank_account(client, as_member, producer, owner):
    as_member(owner)
    response = submit(
        client,
        "/producer/bank",
        {
            "bank_name": "Agribank",
            "bank_account_number": "1500 2050 12345",
            "bank_account_holder": "HTX XOI PHU THUONG",
        },
    )
    assert response.status_code == 302
    db.session.refresh(producer)
    assert producer.bank_account_number == "1500205012345"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "producer.bank.update"))
    assert event.actor_email == owner.email and event.after["bank_name"] == "Agribank"


@pytest.mark.parametrize("path", ["/producer/bank", "/producer/members"])
def test_staff_are_refused_the_owners_pages(client, as_member, staff, path):
    as_member(staff)
    assert client.get(path).status_code == 403
    response = submit(
        client,
        path if path == "/producer/bank" else "/producer/members/invite",
        {"bank_name": "X", "email": "a@b.vn"},
        page="/producer/profile",
    )
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/producer/profile", "/producer/bank", "/producer/members"])
def test_anonymous_visitors_log_in_and_shoppers_are_refused(client, as_member, path):
    response = client.get(path)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    as_member(a_user())
    assert client.get(path).status_code == 403


# --- The checklist --------------------------------------------------------------------------


def test_the_dashboard_lists_what_is_left_with_links_to_pages_that_exist(client, as_member, producer, owner):
    as_member(owner)
    page = client.get("/producer/").get_data(as_text=True)
    assert 'id="checklist-heading"' in page
    assert 'href="/producer/profile"' in page
    assert 'href="/producer/bank"' in page
    assert page.count('class="todo"') == 4


def test_staff_are_told_an_owner_adds_the_bank_account(client, as_member, staff):
    as_member(staff)
    page = client.get("/producer/").get_data(as_text=True)
    assert 'href="/producer/bank"' not in page


def test_items_link_only_to_endpoints_the_app_has(app, producer, owner):
    with app.test_request_context():
        state = checklist.checklist_for(producer, owner.producer_memberships[0])
        for item in state.items:
            assert item.endpoint is None or item.endpoint in app.view_functions
    assert not checklist.endpoint_exists("producers.no_such_page")


def test_the_checklist_goes_once_everything_is_done(client, as_member, producer, owner):
    make_product("Xôi xéo", producer=producer)  # published, with a verified certificate
    producer.street, producer.contact_phone, producer.story_vi = "Ngõ 2", "0912345678", "Xôi."
    producer.bank_name, producer.bank_account_number, producer.bank_account_holder = "BIDV", "12345678", "HTX"
    as_member(owner)
    page = client.get("/producer/").get_data(as_text=True)
    assert 'id="checklist-heading"' not in page


def test_a_suspended_producer_is_told_why_on_the_dashboard(client, as_member, producer, owner):
    onboarding.suspend_producer(producer, an_admin(), "Chờ kiểm tra an toàn thực phẩm.")
    as_member(owner)
    page = client.get("/producer/").get_data(as_text=True)
    assert "Chờ kiểm tra an toàn thực phẩm." in page
