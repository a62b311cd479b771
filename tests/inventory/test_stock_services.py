"""What a producer does with its stock: set it with compare-and-set, adjust it with a reason, set
a low-stock threshold, read and download the ledger. Every change is in the ledger and the audit
log."""

from __future__ import annotations

import csv
import io
import threading
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from shop.audit.models import AuditEvent
from shop.catalog.models import Variant
from shop.errors import ConflictError, NotFound, ValidationError
from shop.extensions import db
from shop.inventory import services as stock
from shop.inventory.models import StockMovement
from tests.support.builders import a_producer, stocked


def movements(variant, reason=None):
    query = select(StockMovement).where(StockMovement.variant_id == variant.id).order_by(StockMovement.id)
    if reason:
        query = query.where(StockMovement.reason == reason)
    return list(db.session.scalars(query))


def english(refused) -> str:
    """A refusal's message as an English reader sees it (messages are translated when shown)."""
    with force_locale("en"):
        return str(refused.value.message)


def audit_entries(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


# --- Set with compare-and-set --------------------------------------------------------------------


def test_setting_stock_writes_the_ledger_and_the_audit_log(producer, owner, variant):
    changed, change = stock.set_on_hand(
        variant.id, 25, seen=10, producer_id=producer.id, actor=owner, note="kiểm kho sáng"
    )
    db.session.commit()
    assert (changed.on_hand, change) == (25, 15)
    last = movements(variant)[-1]
    assert (last.reason, last.on_hand_delta, last.actor_user_id, last.note) == ("set", 15, owner.id, "kiểm kho sáng")
    [entry] = audit_entries("stock.set")
    assert (entry.entity, entry.entity_id, entry.producer_id) == ("stock", variant.sku, producer.id)
    assert (entry.before, entry.after, entry.actor_email) == ({"on_hand": 10}, {"on_hand": 25}, owner.email)


def test_a_set_from_a_stale_page_is_refused_and_says_the_figure_now(producer, owner, variant):
    stock.set_on_hand(variant.id, 12, seen=10, producer_id=producer.id, actor=owner)
    db.session.commit()
    with pytest.raises(stock.StockChanged) as refused:
        stock.set_on_hand(variant.id, 30, seen=10, producer_id=producer.id, actor=owner)
    db.session.rollback()
    assert refused.value.current_on_hand == 12
    assert "it is now 12 (you saw 10)" in english(refused) and variant.sku in english(refused)
    assert db.session.get(Variant, variant.id).on_hand == 12
    assert len(audit_entries("stock.set")) == 1


def test_setting_the_same_figure_changes_nothing(producer, owner, variant):
    before = len(movements(variant))
    assert stock.set_on_hand(variant.id, 10, seen=10, producer_id=producer.id, actor=owner)[1] == 0
    assert len(movements(variant)) == before
    assert audit_entries("stock.set") == []


def test_stock_cannot_be_set_below_what_orders_hold(producer, owner, variant):
    stock.reserve_stock([(variant.id, 4)], order_id=None)
    db.session.commit()
    with pytest.raises(ConflictError) as refused:
        stock.set_on_hand(variant.id, 3, seen=10, producer_id=producer.id, actor=owner)
    assert "hold 4" in english(refused)
    db.session.rollback()
    assert stock.set_on_hand(variant.id, 4, seen=10, producer_id=producer.id, actor=owner)[0].on_hand == 4


@pytest.mark.parametrize("figure", [-1, stock.MAX_STOCK + 1])
def test_stock_is_set_only_within_its_bounds(producer, owner, variant, figure):
    with pytest.raises(ValidationError):
        stock.set_on_hand(variant.id, figure, seen=10, producer_id=producer.id, actor=owner)


def test_another_producers_variant_is_not_found(producer, owner, other_variant):
    with pytest.raises(NotFound):
        stock.set_on_hand(other_variant.id, 1, seen=7, producer_id=producer.id, actor=owner)
    with pytest.raises(NotFound):
        stock.adjust_stock(other_variant.id, 1, reason="received", producer_id=producer.id, actor=owner)
    with pytest.raises(NotFound):
        stock.set_low_stock_threshold(other_variant.id, 2, producer_id=producer.id, actor=owner)
    assert db.session.get(Variant, other_variant.id).on_hand == 7


def test_the_cli_and_demo_set_stock_still_works(variant):
    changed, change = stock.set_stock(variant.sku, 4, note="count")
    assert (changed.on_hand, change) == (4, -6)
    assert stock.ledger_totals(variant.id) == (4, 0)


# --- Adjust --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "amount", "after"),
    [("received", 20, 30), ("spoilage", -3, 7), ("correction", -1, 9), ("returned", 2, 12), ("count", -10, 0)],
)
def test_adjusting_by_a_signed_amount_with_each_reason(producer, owner, variant, reason, amount, after):
    changed = stock.adjust_stock(
        variant.id, amount, reason=reason, producer_id=producer.id, actor=owner, note="  lô 12  "
    )
    db.session.commit()
    assert changed.on_hand == after
    last = movements(variant)[-1]
    assert (last.reason, last.on_hand_delta, last.actor_user_id, last.note) == (reason, amount, owner.id, "lô 12")
    [entry] = audit_entries("stock.adjust")
    assert entry.before == {"on_hand": 10}
    assert entry.after == {"on_hand": after, "reason": reason}
    assert stock.ledger_totals(variant.id) == (after, 0)


def test_an_adjustment_never_goes_below_what_orders_hold(producer, owner, variant):
    stock.reserve_stock([(variant.id, 6)], order_id=None)
    with pytest.raises(ConflictError) as refused:
        stock.adjust_stock(variant.id, -5, reason="spoilage", producer_id=producer.id, actor=owner)
    assert "hold 6" in english(refused)
    assert stock.adjust_stock(variant.id, -4, reason="spoilage", producer_id=producer.id, actor=owner).on_hand == 6


def test_an_adjustment_never_goes_below_zero_or_above_the_maximum(producer, owner, variant):
    with pytest.raises(ValidationError) as refused:
        stock.adjust_stock(variant.id, -11, reason="spoilage", producer_id=producer.id, actor=owner)
    assert "below 0" in english(refused)
    with pytest.raises(ValidationError) as refused:
        stock.adjust_stock(variant.id, stock.MAX_STOCK - 9, reason="received", producer_id=producer.id, actor=owner)
    assert "more than" in english(refused)
    db.session.rollback()
    assert db.session.get(Variant, variant.id).on_hand == 10
    assert audit_entries("stock.adjust") == []


@pytest.mark.parametrize(("reason", "amount"), [("set", 1), ("ship", 1), ("", 1), ("received", 0)])
def test_an_adjustment_needs_a_producer_reason_and_an_amount(producer, owner, variant, reason, amount):
    with pytest.raises(ValidationError):
        stock.adjust_stock(variant.id, amount, reason=reason, producer_id=producer.id, actor=owner)


@pytest.mark.parametrize(
    ("typed", "signed", "number"),
    [("12", False, 12), (" 1.200 ", False, 1200), ("1,200", False, 1200), ("-5", True, -5), ("+3", True, 3)],
)
def test_typed_numbers_are_read_as_people_write_them(typed, signed, number):
    assert stock.parse_whole_number(typed, field="x", signed=signed) == number


@pytest.mark.parametrize("typed", ["", "abc", "1.5", "-5", "١٢", "12e3"])
def test_anything_but_a_whole_number_is_refused(typed):
    with pytest.raises(ValidationError) as refused:
        stock.parse_whole_number(typed, field="amount")
    assert refused.value.field == "amount"


# --- Threshold and low stock ---------------------------------------------------------------------


def test_the_low_stock_threshold_is_set_cleared_and_audited(producer, owner, variant):
    stock.set_low_stock_threshold(variant.id, 5, producer_id=producer.id, actor=owner)
    stock.set_low_stock_threshold(variant.id, None, producer_id=producer.id, actor=owner)
    db.session.commit()
    assert db.session.get(Variant, variant.id).low_stock_threshold is None
    entries = audit_entries("stock.threshold")
    assert [(e.before, e.after) for e in entries] == [
        ({"low_stock_threshold": None}, {"low_stock_threshold": 5}),
        ({"low_stock_threshold": 5}, {"low_stock_threshold": None}),
    ]
    with pytest.raises(ValidationError):
        stock.set_low_stock_threshold(variant.id, -1, producer_id=producer.id, actor=owner)


def test_low_stock_lists_what_can_be_sold_at_or_below_its_threshold(producer, owner, variant, other_variant):
    calm = stocked("Gạo nếp", producer=producer, on_hand=50).variants[0]
    stock.set_low_stock_threshold(calm.id, 10, producer_id=producer.id, actor=owner)
    stock.set_low_stock_threshold(variant.id, 6, producer_id=producer.id, actor=owner)
    assert stock.low_stock(producer.id) == ([], 0)
    stock.reserve_stock([(variant.id, 4)], order_id=None)  # 6 left to sell: at the threshold
    other_variant.low_stock_threshold = 100  # another producer's never shows
    listed, total = stock.low_stock(producer.id)
    assert ([v.id for v in listed], total) == ([variant.id], 1)


# --- The ledger ----------------------------------------------------------------------------------


def test_the_ledger_adds_up_to_the_columns_after_every_kind_of_change(producer, owner, variant):
    stock.adjust_stock(variant.id, 5, reason="received", producer_id=producer.id, actor=owner)
    stock.reserve_stock([(variant.id, 3)], order_id=None)
    stock.ship_stock([(variant.id, 2)], order_id=None)
    stock.release_stock([(variant.id, 1)], order_id=None)
    stock.set_on_hand(variant.id, 20, seen=13, producer_id=producer.id, actor=owner)
    stock.adjust_stock(variant.id, -4, reason="spoilage", producer_id=producer.id, actor=owner)
    db.session.commit()
    fresh = db.session.get(Variant, variant.id)
    assert (fresh.on_hand, fresh.reserved) == (16, 0)
    assert stock.ledger_totals(variant.id) == (16, 0)


def test_the_ledger_filters_by_variant_reason_and_vietnamese_dates(producer, owner, variant, clock):
    second = stocked("Xôi gấc", producer=producer, on_hand=3).variants[0]
    # 23:30 on 1 December in Hà Nội is still 1 December there (16:30 UTC).
    clock.move_to(datetime(2026, 12, 1, 16, 30, tzinfo=UTC))
    stock.adjust_stock(variant.id, 1, reason="received", producer_id=producer.id, actor=owner)
    # 00:30 on 2 December in Hà Nội is 1 December in UTC (17:30).
    clock.move_to(datetime(2026, 12, 1, 17, 30, tzinfo=UTC))
    stock.adjust_stock(variant.id, -1, reason="spoilage", producer_id=producer.id, actor=owner)
    stock.adjust_stock(second.id, 2, reason="received", producer_id=producer.id, actor=owner)
    db.session.commit()

    def reasons(**f):
        return [(e.sku, e.reason) for e in stock.ledger_page(producer.id, stock.LedgerFilter(**f)).entries]

    assert reasons(start=date(2026, 12, 1), end=date(2026, 12, 1)) == [(variant.sku, "received")]
    assert reasons(start=date(2026, 12, 2)) == [(second.sku, "received"), (variant.sku, "spoilage")]
    assert reasons(variant_id=variant.id, reason="spoilage") == [(variant.sku, "spoilage")]
    assert [r for r in reasons(reason="received")] == [(second.sku, "received"), (variant.sku, "received")]
    # Opening stock of both, and the three changes: nothing of another producer.
    assert stock.ledger_page(producer.id, stock.LedgerFilter()).total == 5
    with pytest.raises(ValidationError):
        stock.ledger_page(producer.id, stock.LedgerFilter(start=date(2026, 12, 2), end=date(2026, 12, 1)))
    with pytest.raises(ValidationError):
        stock.ledger_page(producer.id, stock.LedgerFilter(reason="stolen"))


def test_the_ledger_is_paginated_newest_first(producer, owner, variant):
    for n in range(1, 8):
        stock.adjust_stock(variant.id, n, reason="received", producer_id=producer.id, actor=owner)
    page = stock.ledger_page(producer.id, stock.LedgerFilter(), page=1, per_page=3)
    assert (page.total, page.pages, [e.on_hand_delta for e in page.entries]) == (8, 3, [7, 6, 5])
    last = stock.ledger_page(producer.id, stock.LedgerFilter(), page=99, per_page=3)
    assert (last.page, [e.on_hand_delta for e in last.entries]) == (3, [1, 10])


def test_the_ledger_downloads_as_csv_excel_can_open(producer, owner, variant, other_variant):
    stock.adjust_stock(variant.id, 2, reason="returned", producer_id=producer.id, actor=owner, note="=HYPERLINK(1)")
    db.session.commit()
    text = "".join(stock.ledger_csv(producer.id, stock.LedgerFilter(), batch=1))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == list(stock.LEDGER_CSV_HEADER)
    assert [r[1] for r in rows[1:]] == [variant.sku, variant.sku]
    returned = rows[2]
    assert (returned[4], returned[5], returned[8], returned[9]) == ("returned", "2", owner.email, "'=HYPERLINK(1)")
    assert returned[0].startswith("2026-11-30 09:")  # Hà Nội time


# --- Two people at once --------------------------------------------------------------------------


@pytest.mark.both_databases
def test_two_people_setting_the_same_variant_at_once_lose_no_update(app, backend):
    producer = a_producer()
    variant_id = stocked("Hoa đào Nhật Tân", producer=producer, on_hand=10).variants[0].id
    producer_id = producer.id
    db.session.remove()
    people = 6
    start = threading.Barrier(people)
    outcomes: list[object] = [None] * people

    def count(n: int) -> None:
        with app.app_context():
            try:
                start.wait(timeout=30)
                stock.set_on_hand(variant_id, 20 + n, seen=10, producer_id=producer_id)
                db.session.commit()
                outcomes[n] = 20 + n
            except stock.StockChanged as exc:
                db.session.rollback()
                outcomes[n] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=count, args=(n,)) for n in range(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    [won] = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, stock.StockChanged)]
    assert len(refused) == people - 1, outcomes
    # Each refusal names the figure the winner wrote.
    assert {r.current_on_hand for r in refused} == {won}
    assert db.session.get(Variant, variant_id).on_hand == won
    assert stock.ledger_totals(variant_id) == (won, 0)
    sets = select(func.count()).select_from(StockMovement).where(StockMovement.reason == "set")
    assert db.session.scalar(sets.where(StockMovement.variant_id == variant_id)) == 2  # opening + winner


@pytest.mark.both_databases
def test_adjustments_at_the_same_moment_all_count(app, backend):
    producer = a_producer()
    variant_id = stocked("Trà sen", producer=producer, on_hand=10).variants[0].id
    producer_id = producer.id
    db.session.remove()
    people = 8
    start = threading.Barrier(people)
    errors: list[Exception] = []

    def receive() -> None:
        with app.app_context():
            try:
                start.wait(timeout=30)
                stock.adjust_stock(variant_id, 5, reason="received", producer_id=producer_id)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - the assertion below shows it
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=receive) for _ in range(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert db.session.get(Variant, variant_id).on_hand == 10 + 5 * people
    assert stock.ledger_totals(variant_id) == (10 + 5 * people, 0)
