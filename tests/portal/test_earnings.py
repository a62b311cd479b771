"""The producer's statements and payouts pages: what they show, the CSV, and the isolation
matrix (another producer's month shows only one's own figures, others' payouts never show, a
shopper gets 403, an anonymous visitor the login page)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from shop.extensions import db
from shop.settlements.models import Payout
from tests.portal.conftest import a_member
from tests.settlements.conftest import an_item, delivered, vn
from tests.support.builders import a_user

ROUTES = (
    "/producer/statements",
    "/producer/statements/2026-10",
    "/producer/statements/2026-10.csv",
    "/producer/payouts",
)


@pytest.fixture(autouse=True)
def _app(app):
    return app


@pytest.fixture
def october(producer, other_producer):
    """Both producers delivered in October 2026; each was paid once, with its own reference."""
    xoi = an_item(producer, "Xôi gấc", 50_000)
    peach = an_item(other_producer, "Đào Nhật Tân", 1_000_000)
    mine = delivered(producer, (xoi, 4), at=vn(2026, 10, 31, 23, 30))
    theirs = delivered(other_producer, (peach, 3), at=vn(2026, 10, 12))
    db.session.add_all(
        [
            Payout(
                producer_id=producer.id,
                period="2026-10",
                paid_on=date(2026, 11, 5),
                amount_vnd=80_000,
                bank_reference="FT-MINE-1",
            ),
            Payout(
                producer_id=other_producer.id,
                period="2026-10",
                paid_on=date(2026, 11, 6),
                amount_vnd=2_000_000,
                bank_reference="FT-THEIRS-9",
            ),
        ]
    )
    db.session.commit()
    return mine, theirs


def test_the_months_list_shows_each_month_with_its_figures(client, as_member, owner, october):
    as_member(owner)
    page = client.get("/producer/statements").get_data(as_text=True)
    assert 'href="/producer/statements/2026-10"' in page
    # 200,000 gross, 20,000 commission, 180,000 due, 80,000 paid, 100,000 balance.
    for amount in ("200.000 ₫", "20.000 ₫", "180.000 ₫", "80.000 ₫", "100.000 ₫"):
        assert amount in page
    assert "10%" in page  # the rate today, the configured default


def test_a_statement_shows_the_months_shipments_lines_and_payouts(client, as_member, owner, october):
    mine, _ = october
    as_member(owner)
    page = client.get("/producer/statements/2026-10").get_data(as_text=True)
    assert '<table class="statement-shipments">' in page
    assert mine.order.number in page
    assert "4 × Xôi gấc" in page
    assert "FT-MINE-1" in page
    assert 'href="/producer/statements/2026-10.csv"' in page


def test_another_producers_month_shows_only_ones_own_data(client, as_member, owner, october):
    _, theirs = october
    as_member(owner)
    for url in ("/producer/statements", "/producer/statements/2026-10", "/producer/payouts"):
        page = client.get(url).get_data(as_text=True)
        assert theirs.order.number not in page, url
        assert "Đào Nhật Tân" not in page, url
        assert "FT-THEIRS-9" not in page, url
        assert "2.000.000" not in page, url
    csv_text = client.get("/producer/statements/2026-10.csv").get_data(as_text=True)
    assert theirs.order.number not in csv_text and "Đào" not in csv_text


def test_a_producer_with_nothing_that_month_sees_an_empty_statement(client, as_member, other_producer, october):
    as_member(a_member(other_producer))
    response = client.get("/producer/statements/2026-09")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Xôi gấc" not in page and "FT-MINE-1" not in page
    assert '<table class="statement-shipments">' not in page


def test_the_csv_downloads_with_its_lines_and_totals(client, as_member, owner, october, producer):
    mine, _ = october
    as_member(owner)
    response = client.get("/producer/statements/2026-10.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f'filename="statement-{producer.slug}-2026-10.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][:2] == ["2026-10-31", mine.order.number]
    assert dict(r for r in rows if len(r) == 2)["balance_vnd"] == "100000"


def test_the_payouts_page_lists_ones_own_payouts(client, as_member, owner, october):
    as_member(owner)
    page = client.get("/producer/payouts").get_data(as_text=True)
    assert "FT-MINE-1" in page and "80.000 ₫" in page
    assert 'href="/producer/statements/2026-10"' in page


@pytest.mark.parametrize("period", ["2026-13", "26-10", "2026-1", "abcd-ef", "1999-12"])
def test_a_month_that_is_no_month_is_404(client, as_member, owner, period):
    as_member(owner)
    assert client.get(f"/producer/statements/{period}").status_code == 404
    assert client.get(f"/producer/statements/{period}.csv").status_code == 404


def test_staff_see_the_statements(client, as_member, staff, october):
    as_member(staff)
    for url in ROUTES:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("url", ROUTES)
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("url", ROUTES)
def test_a_shopper_is_refused(client, as_member, url):
    as_member(a_user())
    assert client.get(url).status_code == 403


def test_statements_show_in_the_portal_menu(client, as_member, owner):
    as_member(owner)
    nav = re.search(r'<nav class="portal-nav".*?</nav>', client.get("/producer/").get_data(as_text=True), re.S)
    assert 'href="/producer/sales"' in nav.group(0)
    assert 'href="/producer/statements"' in nav.group(0)
