"""The sales dashboard: which orders count, the 7/30/90-day windows in Vietnam days, top products,
the daily series and its chart with the same figures in a table, stock alerts and shipments
waiting, the dashboard's panel, who may see it, and the statements it costs."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import event

from shop.extensions import db
from shop.portal import sales
from tests.portal.conftest import a_member
from tests.settlements.conftest import a_shipment, an_item, an_order, vn
from tests.support.builders import a_user

# The tests' clock: Monday 30 November 2026, 09:00 in Hà Nội. The last 7 days are 24–30 November.


@pytest.fixture(autouse=True)
def _app(app):
    return app


@pytest.fixture
def xoi(producer):
    return an_item(producer, "Xôi gấc", 50_000, name_en="Gac sticky rice")


@pytest.fixture
def tea(producer):
    return an_item(producer, "Chè sen", 450_000)


@pytest.mark.both_databases
def test_only_confirmed_processing_shipped_and_delivered_orders_count(producer, xoi):
    for status in ("confirmed", "processing", "shipped", "delivered"):
        an_order((xoi, 1), status=status, placed=vn(2026, 11, 29))
    for status in ("pending_payment", "cancelled", "refunded"):
        an_order((xoi, 7), status=status, placed=vn(2026, 11, 29))
    db.session.commit()

    assert sales.summary(producer.id)[7] == sales.Figures(revenue_vnd=200_000, orders=4, units=4)


@pytest.mark.both_databases
def test_another_producers_lines_and_a_cancelled_shipment_never_count(producer, other_producer, xoi):
    peach = an_item(other_producer, "Đào Nhật Tân", 1_000_000)
    shared = an_order((xoi, 2), (peach, 1), placed=vn(2026, 11, 28))
    a_shipment(shared, producer, status="open")
    a_shipment(shared, other_producer, status="open")
    dropped = an_order((xoi, 5), (peach, 1), placed=vn(2026, 11, 28))
    a_shipment(dropped, producer, status="cancelled", delivered_at=vn(2026, 11, 28))
    a_shipment(dropped, other_producer, status="open")
    db.session.commit()

    mine = sales.summary(producer.id)
    theirs = sales.summary(other_producer.id)

    assert mine[7] == sales.Figures(100_000, 1, 2)
    assert theirs[7] == sales.Figures(2_000_000, 2, 2)
    assert [p.name for p in sales.top_products(producer.id, 7)] == ["Xôi gấc"]


@pytest.mark.both_databases
def test_the_windows_are_vietnam_days_counting_today(producer, xoi):
    an_order((xoi, 1), placed=vn(2026, 11, 24, 0, 5))  # first minute of the 7 days
    an_order((xoi, 2), placed=vn(2026, 11, 23, 23, 55))  # the day before: 30 days only
    an_order((xoi, 4), placed=vn(2026, 10, 31, 23, 59))  # the 30 days start on 1 November
    an_order((xoi, 8), placed=vn(2026, 9, 2, 0, 0))  # 2 September: the first of the 90 days
    an_order((xoi, 16), placed=vn(2026, 9, 1, 23, 59))  # outside every window
    db.session.commit()

    figures = sales.summary(producer.id)

    assert (figures[7].units, figures[30].units, figures[90].units) == (1, 3, 15)
    assert (figures[7].orders, figures[30].orders, figures[90].orders) == (1, 2, 4)
    assert figures[90].revenue_vnd == 15 * 50_000


@pytest.mark.both_databases
def test_the_daily_series_has_every_day_oldest_first_with_zeros(producer, xoi, tea):
    an_order((xoi, 2), placed=vn(2026, 11, 24, 0, 30))
    an_order((xoi, 1), (tea, 1), placed=vn(2026, 11, 30, 8, 0))
    an_order((tea, 1), placed=vn(2026, 11, 30, 8, 30))
    db.session.commit()

    series = sales.daily(producer.id, 7)

    assert [d.day for d in series] == [date(2026, 11, d) for d in range(24, 31)]
    assert [d.revenue_vnd for d in series] == [100_000, 0, 0, 0, 0, 0, 950_000]
    assert (series[-1].orders, series[-1].units) == (2, 3)


@pytest.mark.both_databases
def test_top_products_are_by_revenue(producer, xoi, tea):
    rice = an_item(producer, "Gạo nếp", 30_000)
    an_order((xoi, 10), (rice, 1), placed=vn(2026, 11, 29))  # 500,000 and 30,000
    an_order((tea, 2), placed=vn(2026, 11, 29))  # 900,000
    db.session.commit()

    top = sales.top_products(producer.id, 30, locale="en")

    assert [(p.name, p.units, p.revenue_vnd) for p in top] == [
        ("Chè sen", 2, 900_000),
        ("Gac sticky rice", 10, 500_000),
        ("Gạo nếp", 1, 30_000),
    ]


def test_stock_alerts_and_shipments_waiting_are_counted(producer, xoi, tea):
    xoi.variants[0].low_stock_threshold = 100  # on hand 100: at the threshold
    tea.variants[0].low_stock_threshold = 99
    for status in ("open", "packed", "shipped", "delivered", "cancelled"):
        a_shipment(an_order((xoi, 1), placed=vn(2026, 11, 29)), producer, status=status)
    unpaid = an_order((xoi, 1), status="pending_payment", placed=vn(2026, 11, 29))
    a_shipment(unpaid, producer, status="open")  # not to be sent until it is paid
    db.session.commit()

    assert sales.stock_alerts(producer.id) == 1
    assert sales.shipments_waiting(producer.id) == 2


def test_the_chart_is_scaled_to_a_round_top_with_bars_in_proportion(producer):
    series = [
        sales.Day(date(2026, 11, d), revenue_vnd=v)
        for d, v in zip(range(24, 31), [0, 450_000, 900_000, 0, 0, 0, 0], strict=True)
    ]

    chart = sales.bar_chart(series, locale="vi")

    assert chart.max_vnd == 1_000_000
    assert chart.view_box == "0 0 360 200"
    heights = [b.height for b in chart.bars]
    assert heights[0] == 0
    assert heights[2] == pytest.approx(2 * heights[1], abs=0.02)
    assert heights[2] == pytest.approx(0.9 * (chart.plot_bottom - chart.plot_top), abs=0.02)
    assert [t.label for t in chart.ticks][-1] == "1\xa0Tr"
    assert all(chart.plot_left <= b.x and b.x + b.width <= chart.plot_right + 0.01 for b in chart.bars)


def _numbers(cell: str) -> int:
    return int(re.sub(r"\D", "", cell))


def test_the_page_has_an_accessible_chart_and_a_table_with_the_same_figures(client, as_member, owner, producer, xoi):
    an_order((xoi, 3), placed=vn(2026, 11, 25, 10))
    an_order((xoi, 1), placed=vn(2026, 11, 30, 7))
    as_member(owner)

    page = client.get("/producer/sales?days=7").get_data(as_text=True)

    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and 'viewBox="0 0 360 200"' in svg
    assert 'aria-labelledby="sales-chart-title sales-chart-desc"' in svg
    assert '<title id="sales-chart-title">' in svg and '<desc id="sales-chart-desc">' in svg
    bars = re.findall(r'<rect class="chart-bar"[^>]*height="([\d.]+)"', svg)
    assert len(bars) == 2
    table = re.search(r'<table id="sales-daily-table">.*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr><th scope=\"row\"><time datetime=\"([\d-]+)\">.*?</time></th>(.*?)</tr>", table, re.S)
    figures = {day: [_numbers(c) for c in re.findall(r'<td class="num">(.*?)</td>', cells)] for day, cells in rows}
    assert len(figures) == 7
    series = {d.day.isoformat(): [d.revenue_vnd, d.orders, d.units] for d in sales.daily(producer.id, 7)}
    assert figures == series
    assert figures["2026-11-25"] == [150_000, 1, 3]
    assert figures["2026-11-30"] == [50_000, 1, 1]
    assert 'href="/producer/sales?days=7" aria-current="page"' in page
    assert 'href="/producer/sales?days=90"' in page


@pytest.mark.parametrize(("asked", "shown"), [("30", 30), ("90", 90), ("12", 30), ("x", 30), ("", 30)])
def test_the_period_switch_offers_7_30_or_90_days(client, as_member, owner, asked, shown):
    as_member(owner)
    page = client.get(f"/producer/sales?days={asked}").get_data(as_text=True)
    table = re.search(r'<table id="sales-daily-table">.*?</table>', page, re.S).group(0)
    assert table.count("<time ") == shown


def test_the_dashboard_panel_shows_the_last_7_days_and_links_to_sales(client, as_member, owner, producer, xoi):
    an_order((xoi, 3), placed=vn(2026, 11, 28))
    an_order((xoi, 5), placed=vn(2026, 11, 1))  # within 30 days, not 7
    as_member(owner)

    page = client.get("/producer/").get_data(as_text=True)

    panel = re.search(r'<section class="panel card sales-panel".*?</section>', page, re.S).group(0)
    assert "150.000 ₫" in panel
    assert re.search(r"<dd>3</dd>", panel)
    assert 'href="/producer/sales"' in panel


def test_staff_see_sales_too(client, as_member, staff):
    as_member(staff)
    assert client.get("/producer/sales").status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/producer/sales")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_a_shopper_is_refused(client, as_member):
    as_member(a_user())
    assert client.get("/producer/sales").status_code == 403


def test_another_producers_sales_never_show(client, as_member, producer, other_producer, xoi):
    peach = an_item(other_producer, "Đào Nhật Tân", 1_000_000)
    an_order((peach, 2), placed=vn(2026, 11, 29))
    as_member(a_member(producer))
    page = client.get("/producer/sales?days=7").get_data(as_text=True)
    assert "Đào Nhật Tân" not in page
    assert "2.000.000" not in page


def test_the_dashboard_costs_the_same_few_statements_however_many_orders(producer, xoi, tea):
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    def measure():
        seen.clear()
        db.session.expire_all()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            sales.dashboard(producer.id, 90)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    an_order((xoi, 1), placed=vn(2026, 11, 29))
    db.session.commit()
    few = measure()
    for n in range(40):
        an_order((xoi, 1 + n % 4), (tea, 1), placed=vn(2026, 9, 1 + n % 30))
    db.session.commit()
    assert measure() == few <= 6
