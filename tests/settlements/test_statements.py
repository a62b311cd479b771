"""Monthly statements: the Vietnam-time month, gross, commission fixed at delivery, refunds,
payouts and balance, the months list, the CSV, and the number of statements they cost."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from shop.audit.models import AuditEvent
from shop.errors import ValidationError
from shop.extensions import db
from shop.settlements import services as settlements
from shop.settlements.models import Payout
from shop.settlements.periods import Period
from tests.settlements.conftest import a_shipment, an_item, an_order, delivered, vn
from tests.support.builders import a_producer, an_admin

OCT = Period(2026, 10)
NOV = Period(2026, 11)


@pytest.fixture
def producer(app):
    return a_producer(name="HTX Xôi Phú Thượng")


@pytest.fixture
def xoi(producer):
    return an_item(producer, "Xôi gấc", 50_000)


@pytest.mark.both_databases
def test_a_delivery_at_2330_on_the_last_day_hanoi_time_belongs_to_that_month(producer, xoi):
    late = delivered(producer, (xoi, 1), at=vn(2026, 10, 31, 23, 30))  # 16:30 UTC on the 31st
    early = delivered(producer, (xoi, 2), at=vn(2026, 11, 1, 0, 10))  # still 31 October in UTC
    db.session.commit()

    october = settlements.statement(producer.id, OCT)
    november = settlements.statement(producer.id, NOV)

    assert [s.shipment_id for s in october.shipments] == [late.id]
    assert october.totals.gross_vnd == 50_000
    assert [s.shipment_id for s in november.shipments] == [early.id]
    assert november.totals.gross_vnd == 100_000


@pytest.mark.both_databases
def test_gross_commission_refunds_and_amount_due_add_up_with_half_up_rounding(producer):
    odd = an_item(producer, "Chè sen", 123_455)
    tea = an_item(producer, "Trà sen", 200_000)
    delivered(producer, (odd, 1), at=vn(2026, 10, 5), commission_bp=1000)
    delivered(producer, (tea, 1), at=vn(2026, 10, 6), commission_bp=1000, refund_vnd=50_000)
    db.session.commit()

    totals = settlements.statement(producer.id, OCT).totals

    assert totals.shipments == 2
    assert totals.gross_vnd == 323_455
    # 12,345.5 rounds up to 12,346; the refunded shipment pays 10 % of 150,000.
    assert totals.commission_vnd == 12_346 + 15_000
    assert totals.refunds_vnd == 50_000
    assert totals.due_vnd == 323_455 - 27_346 - 50_000
    assert totals.balance_vnd == totals.due_vnd


def test_the_rate_kept_at_delivery_stays_when_the_producers_rate_changes_later(producer, xoi):
    admin = an_admin()
    shipment = delivered(producer, (xoi, 2), at=vn(2026, 10, 10))
    shipment.commission_bp = None
    assert settlements.commission_for_delivery(shipment) == 1000  # the configured default
    settlements.set_commission(producer, 2000, admin)
    assert settlements.commission_for_delivery(shipment) == 1000  # kept: a second call changes nothing
    db.session.commit()

    later = delivered(producer, (xoi, 2), at=vn(2026, 10, 20))
    assert settlements.commission_for_delivery(later) == 2000
    db.session.commit()

    rows = {s.shipment_id: s for s in settlements.statement(producer.id, OCT).shipments}
    assert rows[shipment.id].commission_bp == 1000
    assert rows[shipment.id].commission_vnd == 10_000
    assert rows[later.id].commission_bp == 2000
    assert rows[later.id].commission_vnd == 20_000


def test_a_delivered_shipment_without_a_kept_rate_is_charged_the_producers_rate_of_today(producer, xoi):
    delivered(producer, (xoi, 2), at=vn(2026, 10, 10), commission_bp=None)
    db.session.commit()
    assert settlements.month_totals(producer.id, OCT).commission_vnd == 10_000
    settlements.set_commission(producer, 500, an_admin())
    db.session.commit()
    assert settlements.month_totals(producer.id, OCT).commission_vnd == 5_000


def test_only_delivered_shipments_count_and_a_cancelled_ones_refund_costs_nothing(producer, xoi):
    delivered(producer, (xoi, 1), at=vn(2026, 10, 3))
    for status in ("open", "packed", "shipped"):
        a_shipment(an_order((xoi, 5), placed=vn(2026, 10, 3)), producer, status=status)
    delivered(producer, (xoi, 4), at=vn(2026, 10, 4), status="cancelled", refund_vnd=200_000)
    db.session.commit()

    totals = settlements.month_totals(producer.id, OCT)

    assert (totals.shipments, totals.gross_vnd, totals.refunds_vnd) == (1, 50_000, 0)


def test_another_producers_lines_of_the_same_order_never_count(producer, xoi, app):
    other = a_producer(name="HTX Chè Sen Quảng An")
    tea = an_item(other, "Chè sen", 450_000)
    order = an_order((xoi, 2), (tea, 1), placed=vn(2026, 10, 8))
    mine = a_shipment(order, producer, delivered_at=vn(2026, 10, 9))
    a_shipment(order, other, delivered_at=vn(2026, 10, 9))
    db.session.commit()

    statement = settlements.statement(producer.id, OCT)

    assert statement.totals.gross_vnd == 100_000
    assert [s.shipment_id for s in statement.shipments] == [mine.id]
    assert [line.sku for line in statement.shipments[0].lines] == [xoi.variants[0].sku]
    assert settlements.month_totals(other.id, OCT).gross_vnd == 450_000


def test_payouts_are_recorded_with_an_audit_entry_and_lower_the_balance(producer, xoi):
    admin = an_admin(email="ke.toan@example.vn")
    delivered(producer, (xoi, 4), at=vn(2026, 10, 12))  # 200,000 − 20,000 commission = 180,000 due
    db.session.commit()

    payout = settlements.record_payout(
        producer,
        period="2026-10",
        paid_on=date(2026, 11, 5),
        amount_vnd=100_000,
        bank_reference=" FT2631012345 ",
        note="Đợt 1",
        actor=admin,
    )
    db.session.commit()

    totals = settlements.month_totals(producer.id, OCT)
    assert (totals.due_vnd, totals.paid_vnd, totals.balance_vnd) == (180_000, 100_000, 80_000)
    assert payout.bank_reference == "FT2631012345"
    assert payout.recorded_by_user_id == admin.id
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "payout.record")).one()
    assert (entry.entity, entry.entity_id, entry.producer_id) == ("payout", str(payout.id), producer.id)
    assert (entry.actor_email, entry.actor_role) == ("ke.toan@example.vn", "admin")
    assert entry.after["amount_vnd"] == 100_000
    assert entry.after["period"] == "2026-10"
    assert settlements.statement(producer.id, OCT).payouts == [payout]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount_vnd": 180_001}, "amount_vnd"),  # more than the balance
        ({"amount_vnd": 0}, "amount_vnd"),
        ({"amount_vnd": -5}, "amount_vnd"),
        ({"amount_vnd": None}, "amount_vnd"),
        ({"period": "2026-12"}, "period"),  # has not started (the clock is in November)
        ({"period": "2026-13"}, "period"),
        ({"period": "10/2026"}, "period"),
        ({"paid_on": date(2026, 12, 1)}, "paid_on"),  # tomorrow
        ({"paid_on": None}, "paid_on"),
        ({"bank_reference": "  "}, "bank_reference"),
        ({"bank_reference": "X" * 61}, "bank_reference"),
        ({"note": "n" * 301}, "note"),
    ],
)
def test_a_payout_with_bad_input_is_refused_with_its_field_and_nothing_is_recorded(producer, xoi, changes, field):
    delivered(producer, (xoi, 4), at=vn(2026, 10, 12))
    db.session.commit()
    values = {
        "period": "2026-10",
        "paid_on": date(2026, 11, 30),
        "amount_vnd": 180_000,
        "bank_reference": "FT1",
        "note": None,
    }
    with pytest.raises(ValidationError) as caught:
        settlements.record_payout(producer, **(values | changes), actor=an_admin())
    assert caught.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(Payout.id)) is None
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "payout.record")) is None


def test_the_whole_balance_can_be_paid_and_then_nothing_more(producer, xoi):
    delivered(producer, (xoi, 4), at=vn(2026, 10, 12))
    admin = an_admin()
    settlements.record_payout(
        producer, period="2026-10", paid_on=date(2026, 11, 30), amount_vnd=180_000, bank_reference="FT1", actor=admin
    )
    with pytest.raises(ValidationError):
        settlements.record_payout(
            producer, period="2026-10", paid_on=date(2026, 11, 30), amount_vnd=1, bank_reference="FT2", actor=admin
        )
    assert settlements.month_totals(producer.id, OCT).balance_vnd == 0


@pytest.mark.both_databases
def test_months_lists_each_month_with_a_delivery_or_a_payout_newest_first(producer, xoi, clock):
    delivered(producer, (xoi, 1), at=vn(2026, 8, 31, 23, 59))
    delivered(producer, (xoi, 2), at=vn(2026, 10, 1, 0, 0))
    delivered(producer, (xoi, 1), at=vn(2026, 10, 20))
    db.session.add(
        Payout(producer_id=producer.id, period="2026-09", paid_on=date(2026, 10, 2), amount_vnd=1, bank_reference="x")
    )
    db.session.commit()

    months = settlements.months(producer.id)

    assert [m.period.key for m in months] == ["2026-10", "2026-09", "2026-08"]
    assert [m.totals.gross_vnd for m in months] == [150_000, 0, 50_000]
    assert [m.totals.balance_vnd for m in months] == [135_000, -1, 45_000]


@pytest.mark.both_databases
def test_the_csv_has_a_row_per_line_and_the_months_totals(producer, xoi):
    tea = an_item(producer, "Chè sen", 123_455, name_en="Lotus tea")
    first = delivered(producer, (xoi, 2), (tea, 1), at=vn(2026, 10, 31, 23, 30), commission_bp=1000)
    delivered(producer, (xoi, 1), at=vn(2026, 10, 2), refund_vnd=50_000)
    delivered(producer, (xoi, 9), at=vn(2026, 11, 1, 0, 1))  # November: not in October's file
    db.session.commit()

    text = settlements.statement_csv(producer.id, OCT, locale="en")

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == list(settlements.CSV_HEADER)
    lines = rows[1:4]
    assert [r[0] for r in lines] == ["2026-10-02", "2026-10-31", "2026-10-31"]
    assert lines[1][1] == first.order.number
    assert lines[2][4] == "Lotus tea"
    assert [int(r[8]) for r in lines] == [50_000, 100_000, 123_455]
    assert lines[0][9:12] == ["50000", "1000", "0"]  # the refund leaves nothing to charge
    assert lines[1][9:12] == ["0", "1000", "22346"]
    assert lines[2][9:12] == ["", "", ""]  # the shipment's figures are on its first line only
    assert rows[4] == []
    totals = dict(rows[5:])
    assert totals == {
        "period": "2026-10",
        "gross_vnd": "273455",
        "commission_vnd": "22346",
        "refunds_vnd": "50000",
        "amount_due_vnd": str(273_455 - 22_346 - 50_000),
        "paid_vnd": "0",
        "balance_vnd": str(273_455 - 22_346 - 50_000),
    }


@pytest.mark.both_databases
def test_the_admins_list_has_each_producer_with_something_for_the_month(producer, xoi):
    other = a_producer(name="Làng hoa Nhật Tân")
    idle = a_producer(name="HTX không bán")
    peach = an_item(other, "Đào Nhật Tân", 1_000_000)
    delivered(producer, (xoi, 2), at=vn(2026, 10, 3))
    delivered(other, (peach, 1), at=vn(2026, 10, 4))
    an_item(idle)
    db.session.commit()

    dues = settlements.statements_due(OCT)

    assert [(d.producer.name, d.totals.due_vnd) for d in dues] == [
        ("Làng hoa Nhật Tân", 900_000),
        ("HTX Xôi Phú Thượng", 90_000),
    ]


def _count_statements(work) -> int:
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_a_statement_costs_the_same_few_statements_however_many_orders(producer, xoi):
    def build(count, start):
        for n in range(count):
            delivered(producer, (xoi, 1 + n % 3), at=vn(2026, 10, 1) + timedelta(hours=start + n))
        db.session.commit()

    def read():
        db.session.expire_all()
        settlements.statement(producer.id, OCT)
        settlements.months(producer.id)
        settlements.statement_csv(producer.id, OCT)

    build(3, 0)
    few = _count_statements(read)
    build(40, 10)
    many = _count_statements(read)
    assert few == many <= 12


def test_fulfilments_delivery_keeps_the_rate_and_a_later_change_leaves_the_statement(producer, xoi, clock):
    from shop.fulfilment import services as fulfilment

    admin = an_admin()
    settlements.set_commission(producer, 1200, admin)
    order = an_order((xoi, 2), status="shipped", placed=vn(2026, 11, 20))
    shipment = a_shipment(order, producer, status="shipped")
    db.session.commit()

    fulfilment.deliver(shipment)
    db.session.commit()
    settlements.set_commission(producer, 2000, admin)
    db.session.commit()

    assert shipment.commission_bp == 1200
    rows = settlements.statement(producer.id, NOV).shipments
    assert [(r.shipment_id, r.commission_bp, r.commission_vnd) for r in rows] == [(shipment.id, 1200, 12_000)]
