"""The admin's review of producers (pages): the list, one producer, the decisions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEvent
from shop.extensions import db
from shop.mail.models import OutboundMail
from shop.producers import onboarding
from shop.producers.onboarding import Application
from tests.conftest import submit
from tests.portal import conftest as portal
from tests.support.builders import a_producer, a_user, an_admin, make_product


def pending_application(name="HTX Mây tre đan Phú Vinh", tax_code="0100109106", user=None):
    user = user or a_user(name="Lan", locale="vi")
    producer = onboarding.apply_to_sell(
        user,
        Application(
            kind="cooperative",
            name=name,
            tax_code=tax_code,
            street="Thôn Phú Vinh",
            province_code=1,
            ward_code=103,
            contact_phone="0912345678",
            bank_name="Agribank",
            bank_account_number="150020501234",
            bank_account_holder="HTX MAY TRE DAN PHU VINH",
            story_vi="Mây tre đan truyền thống.",
        ),
    )
    db.session.commit()
    return user, producer


# The portal's fixtures, here too.
as_member, producer, a_member = portal.as_member, portal.producer, portal.a_member


@pytest.fixture
def admin(client, as_member):
    user = an_admin()
    as_member(user)
    return user


def act(client, producer, action, **data):
    page = f"/admin/producers/{producer.id}"
    return submit(client, f"{page}/{action}", data, page=page)


@pytest.mark.parametrize("path", ["/admin/producers", "/admin/producers/{id}"])
def test_the_pages_send_visitors_to_log_in_and_refuse_shoppers_and_producers(client, as_member, producer, path):
    path = path.format(id=producer.id)
    response = client.get(path)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    as_member(a_member(producer, role="owner"))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("action", ["approve", "reject", "suspend", "reactivate", "commission", "legal"])
def test_the_actions_refuse_anyone_but_admins(client, as_member, producer, action):
    response = submit(client, f"/admin/producers/{producer.id}/{action}", {"reason": "x"}, page="/account/login")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    as_member(a_user())
    response = submit(client, f"/admin/producers/{producer.id}/{action}", {"reason": "x"}, page="/account/profile")
    assert response.status_code == 403
    assert db.session.scalar(select(AuditEvent.id)) is None


def test_an_unknown_producer_or_action_is_404(client, admin, producer):
    assert client.get("/admin/producers/999999").status_code == 404
    assert act(client, producer, "delete").status_code == 404


def test_the_list_shows_applications_awaiting_review_first_and_filters_by_status(client, admin):
    a_producer(name="An active producer")
    pending_application()
    page = client.get("/admin/producers").get_data(as_text=True)
    assert page.index("HTX Mây tre đan Phú Vinh") < page.index("An active producer")
    filtered = client.get("/admin/producers?status=active").get_data(as_text=True)
    assert "HTX Mây tre đan Phú Vinh" not in filtered and "An active producer" in filtered
    assert "0100109106" in client.get("/admin/producers?q=0100109").get_data(as_text=True)


def test_the_admin_sees_everything_stated_and_approves(client, admin):
    user, producer = pending_application()
    page = client.get(f"/admin/producers/{producer.id}").get_data(as_text=True)
    for stated in (
        "0100109106",
        "Thôn Phú Vinh",
        "Phường Tây Hồ",
        "150020501234",
        "HTX MAY TRE DAN PHU VINH",
        "Mây tre đan truyền thống.",
    ):
        assert stated in page
    assert act(client, producer, "approve").status_code == 302
    db.session.refresh(producer)
    assert producer.status == "active"
    mail = db.session.scalar(select(OutboundMail).where(OutboundMail.to_addr == user.email))
    assert "http://shop.test/producer/" in mail.body_text  # the language: tests/producers/test_onboarding.py
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "producer.approve"))
    assert event.actor_email == admin.email


def test_a_rejection_without_a_reason_changes_nothing(client, admin):
    _, producer = pending_application()
    act(client, producer, "reject", reason="   ")
    db.session.refresh(producer)
    assert producer.status == "pending"
    act(client, producer, "reject", reason="Thiếu giấy chứng nhận đăng ký HTX.")
    db.session.refresh(producer)
    assert (producer.status, producer.review_reason) == ("rejected", "Thiếu giấy chứng nhận đăng ký HTX.")


def test_suspending_takes_the_products_off_the_cached_catalog_pages_at_once(app, client, admin, producer):
    app.config["PAGE_CACHE_SECONDS"] = 60
    product = make_product("Xôi xéo Phú Thượng", producer=producer)
    visitor = app.test_client()
    assert visitor.get(f"/products/{product.slug}").status_code == 200  # now kept for anonymous visitors
    assert "Xôi xéo Phú Thượng" in visitor.get("/products").get_data(as_text=True)
    act(client, producer, "suspend", reason="Khiếu nại về an toàn thực phẩm.")
    db.session.refresh(producer)
    assert (producer.status, producer.review_reason) == ("suspended", "Khiếu nại về an toàn thực phẩm.")
    assert visitor.get(f"/products/{product.slug}").status_code == 404
    assert "Xôi xéo Phú Thượng" not in visitor.get("/products").get_data(as_text=True)
    act(client, producer, "reactivate", reason="")
    assert visitor.get(f"/products/{product.slug}").status_code == 200
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["producer.suspend", "producer.reactivate"]


def test_the_commission_is_set_as_a_percent_or_in_basis_points(client, admin, producer):
    act(client, producer, "commission", commission="12,5", unit="percent")
    db.session.refresh(producer)
    assert producer.commission_bp == 1250
    act(client, producer, "commission", commission="850", unit="bp")
    db.session.refresh(producer)
    assert producer.commission_bp == 850
    act(client, producer, "commission", commission="150", unit="percent")  # refused
    db.session.refresh(producer)
    assert producer.commission_bp == 850
    assert "8.5 %" in client.get(f"/admin/producers/{producer.id}").get_data(as_text=True)
    act(client, producer, "commission", commission="", unit="percent")
    db.session.refresh(producer)
    assert producer.commission_bp is None


def test_legal_details_with_a_wrong_check_digit_are_refused(client, admin, producer):
    before = producer.tax_code
    act(client, producer, "legal", kind="company", name="Công ty TNHH Xôi", tax_code="0100109107")
    db.session.refresh(producer)
    assert (producer.kind, producer.tax_code) == ("cooperative", before)
    act(client, producer, "legal", kind="company", name="Công ty TNHH Xôi", tax_code="0100109106")
    db.session.refresh(producer)
    assert (producer.kind, producer.name, producer.tax_code) == ("company", "Công ty TNHH Xôi", "0100109106")
