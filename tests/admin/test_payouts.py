"""Staff pay producers: the month's statements with bank accounts, recording a payout (audited),
refusals shown on the form, and who may open the page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEvent
from shop.extensions import db
from shop.settlements.models import Payout
from tests.conftest import submit
from tests.factories import PASSWORD
from tests.portal.conftest import a_member
from tests.settlements.conftest import an_item, delivered, vn
from tests.support.builders import a_producer, a_user, an_admin


@pytest.fixture
def october(app):
    """Two producers delivered in October 2026 (the tests' clock is 30 November)."""
    xoi_coop = a_producer(
        name="HTX Xôi Phú Thượng", bank_name="Vietcombank", bank_account_number="0011001234567",
        bank_account_holder="HTX XOI PHU THUONG",
    )  # fmt: skip
    flowers = a_producer(name="Làng hoa Nhật Tân")
    delivered(xoi_coop, (an_item(xoi_coop, "Xôi gấc", 50_000), 4), at=vn(2026, 10, 31, 23, 30))
    delivered(flowers, (an_item(flowers, "Đào Nhật Tân", 1_000_000), 1), at=vn(2026, 10, 3))
    db.session.commit()
    return xoi_coop, flowers


@pytest.fixture
def as_user(client, login):
    def do(user):
        db.session.commit()
        assert login(user.email, PASSWORD).status_code == 302
        return client

    return do


def test_the_month_lists_each_producer_with_its_balance_and_bank_account(client, as_user, october):
    as_user(an_admin())
    page = client.get("/admin/payouts?period=2026-10").get_data(as_text=True)
    table = re.search(r'<table class="payout-dues">.*?</table>', page, re.S).group(0)
    assert table.index("Làng hoa Nhật Tân") < table.index("HTX Xôi Phú Thượng")  # most owed first
    assert "900.000 ₫" in table and "180.000 ₫" in table
    assert "0011001234567" in table


def test_last_month_is_shown_by_default(client, as_user, october):
    as_user(an_admin())
    page = client.get("/admin/payouts").get_data(as_text=True)
    assert "Làng hoa Nhật Tân" in re.search(r'<table class="payout-dues">.*?</table>', page, re.S).group(0)


def test_an_admin_records_a_payout_with_an_audit_entry(client, as_user, october):
    xoi_coop, _ = october
    admin = an_admin(email="ke.toan@example.vn")
    as_user(admin)
    response = submit(
        client,
        "/admin/payouts",
        {
            "producer_id": xoi_coop.id,
            "period": "2026-10",
            "paid_on": "2026-11-30",
            "amount_vnd": "180.000",
            "bank_reference": "FT26334001",
            "note": "",
        },
        page="/admin/payouts?period=2026-10",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/payouts?period=2026-10")
    payout = db.session.scalars(select(Payout)).one()
    assert (payout.producer_id, payout.amount_vnd, payout.bank_reference) == (xoi_coop.id, 180_000, "FT26334001")
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "payout.record")).one()
    assert (entry.actor_email, entry.producer_id, entry.entity_id) == (
        "ke.toan@example.vn",
        xoi_coop.id,
        str(payout.id),
    )
    page = client.get("/admin/payouts?period=2026-10").get_data(as_text=True)
    assert "FT26334001" in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount_vnd": "180.001"}, "amount_vnd"),  # above the balance
        ({"amount_vnd": "mười nghìn"}, "amount_vnd"),
        ({"amount_vnd": "0"}, "amount_vnd"),
        ({"paid_on": "2026-12-01"}, "paid_on"),
        ({"bank_reference": ""}, "bank_reference"),
        ({"period": "2027-01"}, "period"),
        ({"producer_id": ""}, "producer_id"),  # the form's empty first choice
        ({"producer_id": "abc"}, "producer_id"),
    ],
)
def test_a_refused_payout_is_shown_on_the_form_and_nothing_is_recorded(client, as_user, october, changes, field):
    xoi_coop, _ = october
    as_user(an_admin())
    data = {
        "producer_id": xoi_coop.id,
        "period": "2026-10",
        "paid_on": "2026-11-30",
        "amount_vnd": "180000",
        "bank_reference": "FT1",
    }
    response = submit(client, "/admin/payouts", data | changes, page="/admin/payouts?period=2026-10")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert db.session.scalar(select(Payout.id)) is None
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "payout.record")) is None


def test_a_payout_to_a_producer_not_in_the_portal_is_refused(client, as_user, october):
    pending = a_producer(name="HTX chờ duyệt", status="pending")
    as_user(an_admin())
    data = {
        "producer_id": pending.id,
        "period": "2026-10",
        "paid_on": "2026-11-30",
        "amount_vnd": "1",
        "bank_reference": "X",
    }
    response = submit(client, "/admin/payouts", data, page="/admin/payouts")
    assert response.status_code == 400
    assert db.session.scalar(select(Payout.id)) is None


def test_payouts_are_in_the_admin_menu(client, as_user):
    as_user(an_admin())
    page = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/payouts"' in page


def test_anonymous_visitors_are_sent_to_log_in(client):
    for method in (client.get, client.post):
        response = method("/admin/payouts")
        assert response.status_code == 302
        assert "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["shopper", "producer"])
def test_a_non_admin_is_refused(client, as_user, october, who):
    user = a_user() if who == "shopper" else a_member(october[0])
    as_user(user)
    assert client.get("/admin/payouts").status_code == 403
    html = client.get("/producer/" if who == "producer" else "/account/profile").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    data = {"csrf_token": token, "producer_id": october[0].id, "period": "2026-10", "paid_on": "2026-11-30",
            "amount_vnd": "1", "bank_reference": "X"}  # fmt: skip
    assert client.post("/admin/payouts", data=data).status_code == 403
    assert db.session.scalar(select(Payout.id)) is None
