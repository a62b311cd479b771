# ruff: noqa: F811 (the fixtures imported below are the tests' parameters)
"""A partner's accounts through the API (accounting keys): its invoices with their lines, VAT
per rate, payments and what is left to pay, and the monthly statement as its page shows it."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from shop.extensions import db
from shop.invoicing import services as invoicing
from shop.invoicing import statements
from shop.settlements.periods import Period
from shop.wholesale.delivery import Window
from shop.wholesale.ordering import PartnerOrderRequest, place_partner_order
from tests.support.api import api_key, bearer
from tests.support.builders import a_producer
from tests.support.partners import make_partner

# The wholesale tests' partner (net 15, a credit limit), location and products, as fixtures here.
from tests.wholesale.conftest import app_config, location, partner, tea, xoi  # noqa: F401

EN = {"Accept-Language": "en"}


def an_order(partner, location, *lines, day=date(2026, 12, 1)):
    with force_locale("en"):
        order = place_partner_order(
            partner,
            PartnerOrderRequest(location, [(v.id, q) for v, q in lines], day, Window(360, 480), po_number="PO-9"),
            actor_user_id=None,
            email="ketoan@sentayho.vn",
            locale="vi",
        )
    db.session.commit()
    return order


@pytest.fixture
def accounting(partner):
    return bearer(api_key(partner=partner, role="accounting")[1], **EN)


def test_an_invoice_shows_its_lines_vat_per_rate_payments_and_what_is_left(
    client, partner, location, accounting, xoi, tea
):
    order = an_order(partner, location, (xoi, 20), (tea, 2))
    invoice = invoicing.invoice_of_order(order.id)
    invoicing.record_payment(invoice, amount_vnd=400_000, paid_on=date(2026, 11, 30), reference="UNC 123")
    db.session.commit()

    answer = client.get(f"/api/v1/invoices/{invoice.id}", headers=accounting)

    assert answer.status_code == 200
    found = answer.json
    assert found["number"] == invoice.number and found["order_id"] == order.id
    assert found["status"] == "open" and found["due_on"] == "2026-12-16" and found["po_number"] == "PO-9"
    assert (found["total_vnd"], found["paid_vnd"], found["outstanding_vnd"]) == (900_000, 400_000, 500_000)
    assert found["net_vnd"] + found["vat_vnd"] == found["total_vnd"]
    assert [line["gross_vnd"] for line in found["lines"]] == [line.gross_vnd for line in invoice.lines]
    assert all(line["net_vnd"] + line["vat_vnd"] == line["gross_vnd"] for line in found["lines"])
    assert sum(r["vat_vnd"] for r in found["vat_by_rate"]) == found["vat_vnd"]
    assert found["payments"] == [{"amount_vnd": 400_000, "paid_on": "2026-11-30", "reference": "UNC 123"}]
    assert found["bank_transfer"]["amount_vnd"] == 500_000 and found["bank_transfer"]["reference"] == invoice.number
    assert found["buyer"]["name"] == partner.name


def test_invoices_list_newest_first_by_status_with_a_cursor(client, clock, partner, location, accounting, tea):
    first = invoicing.invoice_of_order(an_order(partner, location, (tea, 1)).id)
    second = invoicing.invoice_of_order(an_order(partner, location, (tea, 1)).id)
    invoicing.record_payment(second, amount_vnd=second.total_vnd, paid_on=date(2026, 11, 30), reference=None)
    db.session.commit()

    listed = client.get("/api/v1/invoices?limit=1", headers=accounting).json
    rest = client.get(f"/api/v1/invoices?limit=1&cursor={listed['next_cursor']}", headers=accounting).json
    assert [i["id"] for i in listed["data"] + rest["data"]] == [second.id, first.id]
    assert [i["id"] for i in client.get("/api/v1/invoices?status=paid", headers=accounting).json["data"]] == [second.id]
    assert [i["id"] for i in client.get("/api/v1/invoices?status=open", headers=accounting).json["data"]] == [first.id]
    assert client.get("/api/v1/invoices?status=late", headers=accounting).status_code == 422

    clock.move_to("2026-12-20 09:00+07:00")  # first is due on 16 December
    overdue = client.get("/api/v1/invoices?status=overdue", headers=accounting).json["data"]
    assert [(i["id"], i["status"]) for i in overdue] == [(first.id, "overdue")]


def test_the_statement_is_the_pages_statement(client, partner, location, accounting, tea):
    invoice = invoicing.invoice_of_order(an_order(partner, location, (tea, 2)).id)
    invoicing.record_payment(invoice, amount_vnd=100_000, paid_on=date(2026, 11, 30), reference="CK 1")
    db.session.commit()
    expected = statements.monthly_statement(partner.id, Period(2026, 11))

    answer = client.get("/api/v1/statements/2026-11", headers=accounting)

    assert answer.status_code == 200
    found = answer.json
    assert (found["first_day"], found["last_day"]) == ("2026-11-01", "2026-11-30")
    assert found["opening_balance_vnd"] == expected.opening_vnd == 0
    assert (found["invoiced_vnd"], found["paid_vnd"], found["closing_balance_vnd"]) == (400_000, 100_000, 300_000)
    assert [(e["kind"], e["charge_vnd"], e["credit_vnd"], e["balance_vnd"]) for e in found["entries"]] == [
        ("invoice", 400_000, 0, 400_000),
        ("payment", 0, 100_000, 300_000),
    ]
    assert found["entries"][0]["reference"] == "PO-9" and found["entries"][1]["reference"] == "CK 1"
    december = client.get("/api/v1/statements/2026-12", headers=accounting).json
    assert december["opening_balance_vnd"] == 300_000 and december["entries"] == []
    for month in ("2026-13", "november", "2026-1"):
        assert client.get(f"/api/v1/statements/{month}", headers=accounting).status_code == 404


def test_only_an_accounting_key_reads_the_accounts_and_only_its_partners(client, partner, location, accounting, tea):
    other = make_partner("Nhà hàng khác", payment_terms="net7", credit_limit_vnd=1_000_000)
    theirs = invoicing.invoice_of_order(an_order(other, other.locations[0], (tea, 1)).id)
    mine = invoicing.invoice_of_order(an_order(partner, location, (tea, 1)).id)

    assert [i["id"] for i in client.get("/api/v1/invoices", headers=accounting).json["data"]] == [mine.id]
    missing = client.get(f"/api/v1/invoices/{theirs.id}", headers=accounting)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"

    ordering = bearer(api_key(partner=partner, role="ordering")[1])
    producer = bearer(api_key(producer=a_producer())[1])
    for path in ("/api/v1/invoices", f"/api/v1/invoices/{mine.id}", "/api/v1/statements/2026-11"):
        assert client.get(path, headers=ordering).status_code == 403
        assert client.get(path, headers=producer).status_code == 403
        assert client.get(path).status_code == 401
