"""An order as `sku,quantity` lines: read whatever the spreadsheet wrote, refuse a file that is
too large, too long or not UTF-8 as a whole, and check every row before anything is ordered."""

from __future__ import annotations

import io
import time
from datetime import date

import pytest
from flask_babel import force_locale

from shop.csvfiles import FileRefused
from shop.wholesale.csv_orders import check_rows, parse_quantity, parse_rows

TUESDAY = date(2026, 12, 1)


def problems(row) -> list[str]:
    with force_locale("en"):
        return [str(p) for p in row.problems]


def refusal(source) -> str:
    with force_locale("en"), pytest.raises(FileRefused) as caught:
        parse_rows(source)
    with force_locale("en"):
        return str(caught.value.message)


@pytest.mark.parametrize(
    "text",
    [
        "sku,quantity\nXOI-1,10\nTRA-2,3\n",
        "XOI-1,10\nTRA-2,3\n",
        "sku;quantity\r\nXOI-1;10\r\nTRA-2;3\r\n",
        "XOI-1\t10\nTRA-2\t3\n",
        "sep=;\nsku;qty\nXOI-1;10\n\nTRA-2;3\n",
    ],
)
def test_comma_semicolon_and_tab_files_with_or_without_a_header_read_the_same(app, text):
    rows = parse_rows(text.encode())
    assert [(row.sku, row.quantity) for row in rows] == [("XOI-1", 10), ("TRA-2", 3)]
    assert all(row.ok for row in rows)


def test_a_file_with_excels_byte_order_mark_reads_its_first_sku(app):
    rows = parse_rows(io.BytesIO("\ufeffXOI-1,10\n".encode()))
    assert [(row.sku, row.quantity) for row in rows] == [("XOI-1", 10)]


def test_a_file_in_another_encoding_is_refused_as_a_whole(app):
    assert "not UTF-8" in refusal("Xôi-1,10\n".encode("cp1258"))


def test_an_empty_file_is_refused(app):
    assert "empty" in refusal(b"\n\n")


def test_500_rows_are_read_and_501_refused(app):
    body = "".join(f"SKU-{n},5\n" for n in range(500))
    assert len(parse_rows(("sku,quantity\n" + body).encode())) == 500
    assert "more than 500 rows" in refusal((body + "SKU-X,5\n").encode())


def test_10000_rows_are_refused_without_reading_them_all(app):
    body = "".join(f"SKU-{n},5\n" for n in range(10_000)).encode()
    started = time.perf_counter()
    assert "more than 500 rows" in refusal(body)
    assert time.perf_counter() - started < 0.5


def test_a_file_over_a_megabyte_is_refused_before_it_is_read(app):
    assert "too large" in refusal(b"X" * (1024 * 1024 + 1))


def test_bad_numbers_are_named_on_their_row(app):
    rows = parse_rows(b"A,ten\nB,-5\nC,1.5\nD,\nE,0\nF,1.000\nG,99999999999\n")
    with force_locale("en"):
        said = {row.sku: problems(row) for row in rows}
    assert said["A"] == ["“ten” is not a whole number."]
    assert said["B"] == ["Enter a quantity of at least 1."]
    assert said["C"] == ["“1.5” is not a whole number."]
    assert said["D"] == ["The quantity is empty."]
    assert said["E"] == ["Enter a quantity of at least 1."]
    assert said["F"] == [] and rows[5].quantity == 1000
    assert said["G"] == ["Enter at most 100000."]


def test_a_sku_on_two_rows_names_the_other_row_on_each(app):
    rows = parse_rows(b"sku,quantity\nXOI-1,10\nTRA-2,3\nxoi-1,5\n")
    assert problems(rows[0]) == ["The SKU XOI-1 is also on line 4."]
    assert problems(rows[2]) == ["The SKU xoi-1 is also on line 2."]
    assert rows[1].ok


def test_quantities_typed_in_the_grid_are_read_like_the_files(app):
    assert parse_quantity(" 20 ") == (20, None)
    assert parse_quantity("2,000")[0] == 2000
    assert parse_quantity("abc")[0] is None


def test_rows_are_checked_against_the_catalog_rules_and_stock(app, partner, xoi, tea):
    text = f"sku,quantity\n{xoi.sku},12\n{tea.sku},60\nKHONG-CO,1\n{xoi.sku.lower()}x,5\n"
    preview = check_rows(partner, parse_rows(text.encode()), day=TUESDAY)
    by_line = {row.line: problems(row) for row in preview.rows}
    assert by_line[2] == ["Order in steps of 5: 10 or 15."]
    assert by_line[3] == ["Only 50 available."]
    assert by_line[4] == ["No product for sale has the SKU KHONG-CO."]
    assert by_line[5] == [f"No product for sale has the SKU {xoi.sku.lower()}x."]
    assert preview.items() == []


def test_rows_that_pass_are_priced_for_the_partner_and_nothing_is_ordered(app, partner, xoi, tea):
    from sqlalchemy import func, select

    from shop.extensions import db
    from shop.orders.models import Order

    preview = check_rows(partner, parse_rows(f"{xoi.sku},10\n{tea.sku},2\n".encode()), day=TUESDAY)
    assert preview.items() == [(xoi.id, 10), (tea.id, 2)]
    assert [row.quote.unit_price_vnd for row in preview.rows] == [25_000, 200_000]
    assert preview.subtotal_vnd == 10 * 25_000 + 2 * 200_000
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
