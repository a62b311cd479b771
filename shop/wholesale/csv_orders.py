"""A partner's order as `sku,quantity` rows, uploaded as a file or pasted: read (header
optional; comma, semicolon or tab; UTF-8 with or without BOM; at most MAX_LINES rows), every row
checked (unknown SKU, bad number, SKU twice, the quantity rules, stock) and previewed with the
partner's prices. Nothing is ordered from here: the rows that pass go into the order draft when
the buyer confirms, and the order is placed from the draft's review like any other.

`parse_rows` reads and checks the shape without the database; `check_rows` matches SKUs and
asks `ordering` for prices and problems."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from shop import csvfiles
from shop.catalog.models import Variant
from shop.csvfiles import FileRefused
from shop.partners.models import Partner
from shop.pricing import Quote
from shop.text import fold
from shop.wholesale.ordering import MAX_LINES, MAX_QUANTITY, line_problem, price_lines, variants_by_sku

# A file of MAX_LINES honest rows is a few kilobytes; anything near this is something else.
MAX_BYTES = 1024 * 1024
SKU_MAX = 40

_SKU_NAMES = {"sku", "ma sku", "ma", "ma hang", "item", "code"}
_QUANTITY_NAMES = {"quantity", "qty", "so luong", "sl", "amount"}
# Whole numbers, with thousands grouped the Vietnamese or English way ("1.000", "1,000").
_NUMBER = re.compile(r"\+?(\d+|\d{1,3}([.,]\d{3})+)")


@dataclass
class Row:
    """One row of the file: its line number, what it says, and what is wrong with it."""

    line: int
    sku: str
    quantity: int | None
    problems: list = field(default_factory=list)  # lazy strings
    variant: Variant | None = None
    quote: Quote | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Preview:
    """The rows checked and priced; `items` are the (variant id, quantity) of those that pass."""

    rows: list[Row]
    subtotal_vnd: int = 0

    @property
    def passing(self) -> list[Row]:
        return [row for row in self.rows if row.ok]

    @property
    def failing(self) -> list[Row]:
        return [row for row in self.rows if not row.ok]

    def items(self) -> list[tuple[int, int]]:
        return [(row.variant.id, row.quantity) for row in self.passing]


def _is_header(cells: list[str]) -> bool:
    names = [fold(cell.strip().strip("\ufeff")).replace("_", " ") for cell in cells[:2]]
    return bool(names) and (names[0] in _SKU_NAMES or (len(names) > 1 and names[1] in _QUANTITY_NAMES))


def _columns(header: list[str] | None) -> tuple[int, int]:
    """The SKU's and the quantity's column (named in the header, else the first two)."""
    if not header:
        return 0, 1
    names = [fold(cell).replace("_", " ") for cell in header]
    sku = next((i for i, name in enumerate(names) if name in _SKU_NAMES), 0)
    quantity = next((i for i, name in enumerate(names) if name in _QUANTITY_NAMES), 1 if sku == 0 else 0)
    return sku, quantity


def parse_quantity(raw: str) -> tuple[int | None, object | None]:
    """(quantity, None) or (None, why it is not one) for what a cell or an input says."""
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None, _l("The quantity is empty.")
    if text.startswith("-") and _NUMBER.fullmatch(text[1:]):
        return None, _l("Enter a quantity of at least 1.")
    if not _NUMBER.fullmatch(text):
        return None, _l("“%(value)s” is not a whole number.", value=raw.strip()[:20])
    digits = text.lstrip("+").replace(".", "").replace(",", "")
    if len(digits) > 9 or int(digits) > MAX_QUANTITY:
        return None, _l("Enter at most %(n)s.", n=MAX_QUANTITY)
    quantity = int(digits)
    if quantity < 1:
        return None, _l("Enter a quantity of at least 1.")
    return quantity, None


def parse_rows(source) -> list[Row]:
    """The rows of an order file or pasted text (bytes, a binary stream or str), each with the
    problems its shape shows: empty or too long SKU, bad quantity, a SKU also on another row
    (named). Raises FileRefused for the whole file: over MAX_BYTES, not UTF-8, empty, more than
    MAX_LINES rows (found without reading further)."""
    table = csvfiles.read_table(source, max_rows=MAX_LINES, max_bytes=MAX_BYTES, is_header=_is_header)
    sku_column, quantity_column = _columns(table.header)
    rows = []
    lines_by_sku: dict[str, list[int]] = defaultdict(list)
    for line, cells in table.rows:
        sku = (cells[sku_column] if sku_column < len(cells) else "").strip()
        if sku[:2] in ("'=", "'+", "'-", "'@"):
            sku = sku[1:]  # as a spreadsheet kept it from becoming a formula
        raw_quantity = cells[quantity_column] if quantity_column < len(cells) else ""
        quantity, problem = parse_quantity(raw_quantity)
        row = Row(line, sku[:60], quantity)
        if not sku:
            row.problems.append(_l("The SKU is empty."))
        elif len(sku) > SKU_MAX:
            row.problems.append(_l("No product for sale has the SKU %(sku)s.", sku=sku[:60]))
        else:
            lines_by_sku[sku.lower()].append(line)
        if problem is not None:
            row.problems.append(problem)
        rows.append(row)
    for row in rows:
        others = [n for n in lines_by_sku.get(row.sku.lower(), ()) if n != row.line]
        if others:
            row.problems.append(
                _l("The SKU %(sku)s is also on line %(lines)s.", sku=row.sku, lines=", ".join(map(str, others)))
            )
    return rows


def check_rows(partner: Partner, rows: list[Row], *, day: date) -> Preview:
    """Match the rows' SKUs with the variants for sale and check each quantity as an order
    line (quantity rules, stock), with the partner's price on `day`. Writes nothing."""
    variants = variants_by_sku(row.sku for row in rows if row.sku)
    for row in rows:
        variant = variants.get(row.sku.lower()) if row.sku and len(row.sku) <= SKU_MAX else None
        if row.sku and len(row.sku) <= SKU_MAX and variant is None:
            row.problems.insert(0, _l("No product for sale has the SKU %(sku)s.", sku=row.sku))
        row.variant = variant
        if variant is not None and row.quantity is not None:
            problem = line_problem(variant, row.quantity)
            if problem is not None:
                row.problems.append(problem)
    preview = Preview(rows)
    priced = [row for row in rows if row.variant is not None and row.quantity is not None]
    basket = price_lines(partner, [(row.variant.id, row.quantity) for row in priced], day=day)
    quotes = {line.variant.id: line.quote for line in basket.lines}
    for row in priced:
        # A SKU twice is a problem of its own; its quote is for the sum and is not shown.
        row.quote = quotes.get(row.variant.id) if row.ok else None
    preview.subtotal_vnd = sum(row.quote.total_vnd for row in preview.passing if row.quote)
    return preview


def preview_order_file(partner: Partner, source, *, day: date) -> Preview:
    """parse_rows then check_rows. Raises FileRefused."""
    return check_rows(partner, parse_rows(source), day=day)


__all__ = ["MAX_BYTES", "FileRefused", "Preview", "Row", "check_rows", "parse_quantity", "parse_rows"]
