"""Standing orders: what a partner may set up, and the run that turns them into orders for the
next days (with the clock set by each test): weekdays, skips, pauses, end dates, lines changed
from a date, short stock, the credit limit and overdue hold; run twice or in two threads at once,
each date is ordered once."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from shop import clock as shop_clock
from shop.errors import ConflictError, Forbidden, NotFound, ValidationError
from shop.extensions import db
from shop.mail.models import OutboundMail
from shop.orders.models import Order
from shop.wholesale import ordering
from shop.wholesale import standing as standing_services
from shop.wholesale.delivery import Window
from shop.wholesale.models import StandingOrder, StandingOrderRun
from shop.wholesale.standing import StandingOrderDetails, run_standing_orders
from tests.support.partners import add_member, make_location, make_partner, owner_of

MONDAY = date(2026, 11, 30)  # the clock: Monday 30 Nov 2026, 09:00 in Hà Nội
TUESDAY, WEDNESDAY, FRIDAY = date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 4)
NEXT_MONDAY = date(2026, 12, 7)
EARLY = Window(6 * 60, 8 * 60)
MON_WED_FRI = [0, 2, 4]


def at(day: date, hour: int = 1) -> datetime:
    """`hour` o'clock in Hà Nội on `day` (the run's cron time)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=shop_clock.VN)


def make_standing(partner, location, *lines, user=None, weekdays=MON_WED_FRI, start=TUESDAY, end=None, **fields):
    user = user or owner_of(partner)
    details = StandingOrderDetails(
        name=fields.pop("name", "Xôi sáng"),
        lines=[(variant.sku, quantity) for variant, quantity in lines],
        weekdays=weekdays,
        start_date=start,
        end_date=end,
        window=fields.pop("window", EARLY),
        po_number=fields.pop("po_number", "PO-STANDING"),
    )
    with force_locale("en"):
        standing = standing_services.create_standing_order(partner, user, location.id, details)
    db.session.commit()
    return standing


def refused(work, error=ValidationError) -> str:
    with force_locale("en"):
        with pytest.raises(error) as caught:
            work()
        message = str(caught.value.message)
    db.session.rollback()
    return message


def run(day: date = MONDAY, days: int = 7, hour: int = 1):
    with force_locale("en"):
        summary = run_standing_orders(now=at(day, hour), days_ahead=days)
    db.session.expire_all()
    return summary


def ordered(standing) -> dict[date, dict[str, int]]:
    """{delivery date: {sku: quantity}} of the orders made from `standing`."""
    orders = db.session.scalars(
        select(Order)
        .join(StandingOrderRun, StandingOrderRun.order_id == Order.id)
        .where(StandingOrderRun.standing_order_id == standing.id)
    ).all()
    return {order.delivery_date: {line.sku: line.quantity for line in order.lines} for order in orders}


def outcomes(standing) -> dict[date, str]:
    runs = db.session.scalars(select(StandingOrderRun).where(StandingOrderRun.standing_order_id == standing.id))
    return {r.delivery_date: r.outcome for r in runs}


def mails_to(address: str) -> list[OutboundMail]:
    """The standing orders' mails to `address` (not the orders' own confirmations)."""
    mails = db.session.scalars(select(OutboundMail).where(OutboundMail.to_addr == address))
    return [mail for mail in mails if mail.subject.startswith("Standing order")]


def english(*users):
    for user in users:
        user.locale = "en"
    db.session.commit()


# --- The run ------------------------------------------------------------------------------------


def test_the_run_orders_each_of_its_weekdays_in_the_next_days_on_account_at_the_volume_price(
    partner, location, xoi, tea
):
    standing = make_standing(partner, location, (xoi, 20), (tea, 2))

    summary = run(days=7)

    assert summary.outcomes["placed"] == 3
    assert set(ordered(standing)) == {WEDNESDAY, FRIDAY, NEXT_MONDAY}  # not Tuesday: not one of its days
    order = db.session.scalar(select(Order).where(Order.delivery_date == WEDNESDAY))
    assert order.status == "confirmed" and order.payment_method == "invoice"
    assert (order.window_start_minute, order.window_end_minute) == (360, 480)
    assert order.po_number == "PO-STANDING"
    assert order.partner_location_id == location.id
    assert {line.sku: line.unit_price_vnd for line in order.lines} == {xoi.sku: 25_000, tea.sku: 200_000}


def test_only_the_days_ahead_asked_for_are_ordered(partner, location, xoi):
    standing = make_standing(partner, location, (xoi, 10))

    run(days=2)  # Tuesday and Wednesday

    assert set(ordered(standing)) == {WEDNESDAY}


def test_a_skipped_date_is_not_ordered_and_can_be_taken_back(partner, location, xoi):
    standing = make_standing(partner, location, (xoi, 10))
    owner = owner_of(partner)
    standing_services.skip_date(partner, owner, standing.id, FRIDAY)
    standing_services.skip_date(partner, owner, standing.id, NEXT_MONDAY)
    standing_services.unskip_date(partner, owner, standing.id, NEXT_MONDAY)
    db.session.commit()

    run(days=7)

    assert set(ordered(standing)) == {WEDNESDAY, NEXT_MONDAY}


def test_a_paused_standing_order_orders_nothing_until_resumed(partner, location, xoi):
    standing = make_standing(partner, location, (xoi, 10))
    owner = owner_of(partner)
    standing_services.pause_standing_order(partner, owner, standing.id)
    db.session.commit()

    assert run(days=7).total == 0
    standing_services.resume_standing_order(partner, owner, standing.id)
    db.session.commit()
    run(days=7)

    assert set(ordered(standing)) == {WEDNESDAY, FRIDAY, NEXT_MONDAY}


def test_nothing_is_ordered_before_the_start_or_after_the_end_date(partner, location, xoi):
    standing = make_standing(partner, location, (xoi, 10), start=FRIDAY, end=NEXT_MONDAY)

    run(days=14)

    assert set(ordered(standing)) == {FRIDAY, NEXT_MONDAY}


def test_lines_changed_from_a_date_apply_from_that_date_on(partner, location, xoi, tea):
    standing = make_standing(partner, location, (xoi, 10))
    owner = owner_of(partner)
    with force_locale("en"):
        standing_services.change_lines_from(partner, owner, standing.id, FRIDAY, [(xoi.sku, 30), (tea.sku, 1)])
    db.session.commit()

    run(days=7)

    assert ordered(standing) == {
        WEDNESDAY: {xoi.sku: 10},
        FRIDAY: {xoi.sku: 30, tea.sku: 1},
        NEXT_MONDAY: {xoi.sku: 30, tea.sku: 1},
    }


def test_a_date_the_location_no_longer_receives_is_not_ordered(partner, location, xoi):
    standing = make_standing(partner, location, (xoi, 10))
    location.hours = [h for h in location.hours if h.weekday != 4]  # closed on Fridays from now on
    db.session.commit()

    run(days=7)

    assert set(ordered(standing)) == {WEDNESDAY, NEXT_MONDAY}


def test_goods_from_another_province_are_ordered_as_far_ahead_as_the_road_needs(app, partner, location):
    from tests.support.builders import a_producer, stocked

    far = stocked(
        "Chè Thái Nguyên",
        on_hand=50,
        price=150_000,
        shelf_life_days=365,
        group="do-uong",
        producer=a_producer(name="HTX Chè Tân Cương", province_code=19),
    ).variants[0]
    standing = make_standing(partner, location, (far, 2), weekdays=[3], start=TUESDAY)  # Thursdays

    run(MONDAY, days=2)  # two days on the road: Thursday 3 December must be ordered now

    assert set(ordered(standing)) == {date(2026, 12, 3)}


def test_running_twice_orders_nothing_twice(partner, location, xoi):
    standing = make_standing(partner, location, (xoi, 10))

    first = run(days=7)
    second = run(days=7)
    third = run(MONDAY, days=7, hour=15)

    assert first.outcomes["placed"] == 3
    assert second.total == 0 and third.total == 0
    assert db.session.scalar(select(func.count()).select_from(Order)) == 3
    assert len(outcomes(standing)) == 3


def test_the_next_days_run_orders_only_the_new_date(partner, location, xoi):
    standing = make_standing(partner, location, (xoi, 10))
    run(MONDAY, days=2)  # Wednesday

    summary = run(TUESDAY, days=2)  # Wednesday again, and Thursday (not its day)
    summary_after = run(WEDNESDAY, days=2)  # Thursday, Friday

    assert summary.total == 0
    assert summary_after.outcomes["placed"] == 1
    assert set(ordered(standing)) == {WEDNESDAY, FRIDAY}


@pytest.mark.both_databases
def test_two_runs_at_once_order_each_date_once(app, partner, location, xoi, tea):
    standings = [make_standing(partner, location, (xoi, 10), name=f"Xôi {n}") for n in range(3)]
    standings.append(make_standing(partner, location, (tea, 1), name="Chè"))
    ids = [s.id for s in standings]
    db.session.remove()
    start = threading.Barrier(2)
    summaries, errors = [None, None], []

    def go(n: int) -> None:
        with app.app_context():
            try:
                start.wait(timeout=30)
                summaries[n] = run_standing_orders(now=at(MONDAY), days_ahead=7)
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=go, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert not errors, errors
    assert sum(s.outcomes["placed"] for s in summaries) == 4 * 3
    assert sum(s.total + s.done_elsewhere for s in summaries) >= 4 * 3
    for standing_id in ids:
        runs = db.session.scalars(select(StandingOrderRun).where(StandingOrderRun.standing_order_id == standing_id))
        assert sorted(r.delivery_date for r in runs) == [WEDNESDAY, FRIDAY, NEXT_MONDAY]
    assert db.session.scalar(select(func.count()).select_from(Order)) == 4 * 3


def test_short_stock_orders_what_there_is_and_mails_the_owners_and_buyers_what_is_missing(
    partner, location, buyer, xoi, tea
):
    accountant = add_member(partner, "accountant", email="ketoan@sentayho.vn")
    owner = owner_of(partner)
    english(owner, buyer, accountant)
    xoi.on_hand = 13  # 10 in steps of 5
    tea.on_hand = 0
    db.session.commit()
    standing = make_standing(partner, location, (xoi, 20), (tea, 2))

    summary = run(days=2)

    assert summary.outcomes["partial"] == 1
    assert ordered(standing) == {WEDNESDAY: {xoi.sku: 10}}
    for user in (owner, buyer):
        (mail,) = mails_to(user.email)
        assert "only part could be ordered" in mail.subject
        assert f"{xoi.sku}: 20 wanted, 10 ordered — only part in stock" in mail.body_text
        assert f"{tea.sku}: 2 wanted, 0 ordered — out of stock" in mail.body_text
        assert "http://shop.test/partner/standing-orders/" in mail.body_text
    assert mails_to(accountant.email) == []


def test_with_nothing_in_stock_nothing_is_ordered_and_the_partner_is_told(partner, location, buyer, xoi):
    english(owner_of(partner), buyer)
    xoi.on_hand = 4  # below the minimum of 5
    db.session.commit()
    standing = make_standing(partner, location, (xoi, 20))

    summary = run(days=2)

    assert summary.outcomes["nothing"] == 1
    assert outcomes(standing) == {WEDNESDAY: "nothing"}
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    (mail,) = mails_to(owner_of(partner).email)
    assert "nothing could be ordered" in mail.subject
    assert len(mails_to(buyer.email)) == 1


def test_over_the_credit_limit_nothing_is_ordered_and_the_owner_and_accountant_are_mailed(
    partner, location, buyer, xoi
):
    accountant = add_member(partner, "accountant", email="ketoan@sentayho.vn")
    owner = owner_of(partner)
    english(owner, accountant, buyer)
    partner.credit_limit_vnd = 300_000
    db.session.commit()
    standing = make_standing(partner, location, (xoi, 20))  # 500.000 ₫

    summary = run(days=2)

    assert summary.outcomes["over_credit"] == 1
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    db.session.refresh(xoi)
    assert xoi.reserved == 0
    for user in (owner, accountant):
        (mail,) = mails_to(user.email)
        assert "credit limit" in mail.subject
        assert "over your credit limit by 200.000 ₫" in mail.body_text
    assert mails_to(buyer.email) == []
    assert outcomes(standing) == {WEDNESDAY: "over_credit"}


def test_an_overdue_invoice_holds_the_standing_order_until_paid(partner, location, xoi, clock):
    english(owner_of(partner))
    standing = make_standing(partner, location, (xoi, 10))
    run(MONDAY, days=2)  # Wednesday 2 Dec, due on the 17th (net 15)

    clock.move_to(at(date(2026, 12, 20), 1))
    run(date(2026, 12, 20), days=2)  # Monday 21 Dec

    assert outcomes(standing)[date(2026, 12, 21)] == "on_hold"
    (mail,) = [m for m in mails_to(owner_of(partner).email) if "overdue" in m.subject]
    assert "overdue" in mail.body_text
    assert set(ordered(standing)) == {WEDNESDAY}


def test_a_failure_is_recorded_and_the_other_standing_orders_are_still_ordered(
    partner, location, xoi, tea, monkeypatch
):
    broken = make_standing(partner, location, (xoi, 10), name="Broken")
    fine = make_standing(partner, location, (tea, 1), name="Fine")
    place = ordering.place_partner_order

    def flaky(partner, request, **kwargs):
        if request.quantities[0][0] == xoi.id:
            raise RuntimeError("the printer is on fire")
        return place(partner, request, **kwargs)

    monkeypatch.setattr(ordering, "place_partner_order", flaky)

    summary = run(days=2)

    assert summary.outcomes == {"failed": 1, "placed": 1}
    assert outcomes(broken) == {WEDNESDAY: "failed"}
    assert set(ordered(fine)) == {WEDNESDAY}
    assert run(days=2).total == 0  # a failed date is not tried again by itself


def test_a_suspended_partner_or_a_closed_location_is_left_out(partner, location, xoi):
    standing = make_standing(partner, location, (xoi, 10))
    location.active = False
    db.session.commit()
    assert run(days=7).total == 0
    location.active = True
    partner.status = "suspended"
    db.session.commit()
    assert run(days=7).total == 0
    assert outcomes(standing) == {}


def test_stock_reserved_for_standing_orders_is_what_they_ordered(partner, location, xoi):
    make_standing(partner, location, (xoi, 20))

    run(days=7)

    db.session.refresh(xoi)
    assert xoi.reserved == 60


# --- Setting one up -----------------------------------------------------------------------------


def test_a_prepaid_partner_cannot_have_standing_orders(app, xoi):
    prepaid = make_partner("Quán Phở Lý", payment_terms="prepaid")
    message = refused(lambda: make_standing(prepaid, prepaid.locations[0], (xoi, 10)))
    assert "buy on account" in message


def test_weekdays_must_be_days_the_location_receives(partner, location, xoi):
    message = refused(lambda: make_standing(partner, location, (xoi, 10), weekdays=[5, 6]))
    assert message.endswith("does not receive deliveries on Sunday.")
    assert "weekday" in refused(lambda: make_standing(partner, location, (xoi, 10), weekdays=[]))


def test_the_window_must_be_within_the_hours_of_every_day(partner, xoi):
    late_saturday = make_location(partner, hours={0: (360, 660), 5: (540, 660)})
    message = refused(lambda: make_standing(partner, late_saturday, (xoi, 10), weekdays=[0, 5], window=EARLY))
    assert "from 09:00 to 11:00 on Saturday" in message
    make_standing(partner, late_saturday, (xoi, 10), weekdays=[0, 5], window=Window(540, 660))


def test_lines_keep_the_quantity_rules_and_name_known_skus(partner, location, xoi):
    assert "steps of 5" in refused(lambda: make_standing(partner, location, (xoi, 12)))
    assert "minimum for partners is 5" in refused(lambda: make_standing(partner, location, (xoi, 4)))
    message = refused(
        lambda: standing_services.create_standing_order(
            partner,
            owner_of(partner),
            location.id,
            StandingOrderDetails("X", [("NO-SUCH-SKU", 5)], MON_WED_FRI, TUESDAY, window=EARLY),
        )
    )
    assert "NO-SUCH-SKU" in message


def test_the_first_date_must_be_after_today_and_the_last_not_before_it(partner, location, xoi):
    assert "after today" in refused(lambda: make_standing(partner, location, (xoi, 10), start=MONDAY))
    assert "before the first" in refused(lambda: make_standing(partner, location, (xoi, 10), end=date(2026, 11, 30)))


def test_a_buyer_limited_to_another_location_cannot_use_this_one(partner, location, xoi):
    other = make_location(partner, "Chi nhánh Ba Đình")
    limited = add_member(partner, "buyer", locations=[other])
    standing = make_standing(partner, location, (xoi, 10))

    refused(lambda: make_standing(partner, location, (xoi, 10), user=limited), NotFound)
    refused(lambda: standing_services.pause_standing_order(partner, limited, standing.id), NotFound)
    make_standing(partner, other, (xoi, 10), user=limited)


def test_an_accountant_cannot_manage_standing_orders(partner, location, xoi):
    accountant = add_member(partner, "accountant")
    standing = make_standing(partner, location, (xoi, 10))
    refused(lambda: standing_services.pause_standing_order(partner, accountant, standing.id), Forbidden)


def test_another_partners_standing_order_is_not_found(partner, location, xoi):
    standing = make_standing(partner, location, (xoi, 10))
    other = make_partner("Nhà hàng Khác", payment_terms="net7", credit_limit_vnd=1_000_000)
    refused(lambda: standing_services.skip_date(other, owner_of(other), standing.id, FRIDAY), NotFound)


def test_only_a_future_delivery_date_can_be_skipped(partner, location, xoi):
    standing = make_standing(partner, location, (xoi, 10))
    owner = owner_of(partner)
    assert "after today" in refused(lambda: standing_services.skip_date(partner, owner, standing.id, MONDAY))
    assert "not a delivery date" in refused(lambda: standing_services.skip_date(partner, owner, standing.id, TUESDAY))
    standing_services.skip_date(partner, owner, standing.id, FRIDAY)
    db.session.commit()
    refused(lambda: standing_services.skip_date(partner, owner, standing.id, FRIDAY), ConflictError)


def test_a_date_already_ordered_can_be_neither_skipped_nor_changed(partner, location, xoi):
    standing = make_standing(partner, location, (xoi, 10))
    owner = owner_of(partner)
    run(days=2)  # Wednesday is ordered

    message = refused(lambda: standing_services.skip_date(partner, owner, standing.id, WEDNESDAY), ConflictError)
    assert "already made" in message
    message = refused(
        lambda: standing_services.change_lines_from(partner, owner, standing.id, WEDNESDAY, [(xoi.sku, 5)])
    )
    assert "Thursday, December 3, 2026" in message


def test_lines_cannot_change_from_today_or_earlier(partner, location, xoi):
    standing = make_standing(partner, location, (xoi, 10))
    owner = owner_of(partner)
    message = refused(lambda: standing_services.change_lines_from(partner, owner, standing.id, MONDAY, [(xoi.sku, 5)]))
    assert "Tuesday, December 1, 2026" in message


def test_ending_a_standing_order_stops_it_after_that_date(partner, location, xoi):
    standing = make_standing(partner, location, (xoi, 10))
    owner = owner_of(partner)
    standing_services.end_standing_order(partner, owner, standing.id, FRIDAY)
    db.session.commit()

    run(days=14)

    assert set(ordered(standing)) == {WEDNESDAY, FRIDAY}


def test_ending_one_that_has_not_started_removes_it(partner, location, xoi):
    standing = make_standing(partner, location, (xoi, 10), start=NEXT_MONDAY)
    standing_id = standing.id
    assert standing_services.end_standing_order(partner, owner_of(partner), standing_id, MONDAY) is None
    db.session.commit()
    assert db.session.get(StandingOrder, standing_id) is None


def test_the_page_calendar_says_what_each_date_will_do(partner, location, xoi):
    standing = make_standing(partner, location, (xoi, 10))
    owner = owner_of(partner)
    standing_services.skip_date(partner, owner, standing.id, FRIDAY)
    db.session.commit()
    run(days=2)

    days = {d.day: d.state for d in standing_services.upcoming(standing, MONDAY, days=7)}

    assert days == {WEDNESDAY: "ordered", FRIDAY: "skipped", NEXT_MONDAY: "will_order"}
    assert MONDAY + timedelta(days=7) == NEXT_MONDAY


def test_the_command_runs_the_standing_orders_and_prints_what_it_did(partner, location, xoi, runner):
    standing = make_standing(partner, location, (xoi, 10))

    first = runner.invoke(args=["shop", "run-standing-orders", "--days", "7"])
    second = runner.invoke(args=["shop", "run-standing-orders", "--days", "7"])

    assert first.exit_code == 0, first.output
    assert "3 dates run (placed 3," in first.output
    assert "0 dates run" in second.output
    db.session.expire_all()
    assert set(ordered(standing)) == {WEDNESDAY, FRIDAY, NEXT_MONDAY}
