"""Reading a CSV that a person made in a spreadsheet: UTF-8 with or without Excel's BOM, comma,
semicolon or tab between cells (taken from the first line; Excel's "sep=;" line honoured), blank
lines skipped, and a file too large or with too many rows refused as a whole before it is read
to the end. The producers' stock upload and the partners' order upload both read files so;
what the columns mean is theirs."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask_babel import format_number
from flask_babel import lazy_gettext as _l

from shop.errors import ValidationError

DELIMITERS = ",;\t"


class FileRefused(ValidationError):
    """The file as a whole cannot be read (size, encoding, rows): one message, no preview."""

    code = "file_refused"


@dataclass
class Table:
    """The non-blank rows of a CSV: the header (when the caller said the first row is one) and
    [(line number, cells)]."""

    delimiter: str
    header: list[str] | None
    rows: list[tuple[int, list[str]]]


def size_of(stream) -> int:
    """The size of a seekable binary stream in bytes (0 when it cannot tell)."""
    try:
        here = stream.tell()
        size = stream.seek(0, io.SEEK_END)
        stream.seek(here)
        return size
    except (AttributeError, OSError):
        return 0


def too_large(max_rows: int) -> FileRefused:
    return FileRefused(_l("The file is too large. Upload at most %(max)s rows.", max=format_number(max_rows)))


def too_many_rows(max_rows: int) -> FileRefused:
    return FileRefused(
        _l(
            "The file has more than %(max)s rows. Split it into files of at most %(max)s rows.",
            max=format_number(max_rows),
        )
    )


def read_table(
    source,
    *,
    max_rows: int,
    max_bytes: int,
    is_header: Callable[[list[str]], bool] | bool = True,
    check_header: Callable[[list[str]], None] | None = None,
) -> Table:
    """Read `source` (a binary stream, bytes, or text already decoded) as CSV. `is_header`
    says whether the first row names the columns (True, False, or a function of its cells);
    `check_header(header)` may refuse it before any other row is read. Stops at the row after
    `max_rows` data rows, so a file of 10,000 rows is refused without reading it all.
    Raises FileRefused: larger than `max_bytes`, not UTF-8, empty, too many rows, not CSV."""
    if isinstance(source, str):
        if len(source.encode("utf-8")) > max_bytes:
            raise too_large(max_rows)
        text = io.StringIO(source.lstrip("\ufeff"), newline="")
        detach = None
    else:
        if isinstance(source, bytes | bytearray):
            source = io.BytesIO(source)
        if size_of(source) > max_bytes:
            raise too_large(max_rows)
        text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
        detach = text.detach  # the stream belongs to the caller
    try:
        return _read(text, max_rows=max_rows, is_header=is_header, check_header=check_header)
    except UnicodeDecodeError as exc:
        raise FileRefused(
            _l("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (Comma delimited)” and upload it again.")
        ) from exc
    except csv.Error as exc:
        raise FileRefused(_l("The file could not be read as CSV (%(problem)s).", problem=str(exc))) from exc
    finally:
        if detach is not None:
            detach()


def _read(text, *, max_rows: int, is_header, check_header) -> Table:
    first = text.readline()
    delimiter = None
    line_offset = 0
    if first.lower().startswith("sep=") and len(first.strip()) == 5:
        delimiter, first, line_offset = first.strip()[4], text.readline(), 1
    while first and not first.strip():
        first, line_offset = text.readline(), line_offset + 1
    if not first.strip():
        raise FileRefused(_l("The file is empty."))
    if delimiter is None:
        delimiter = max(DELIMITERS, key=first.count)
    reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
    rows = _rows(reader, line_offset)
    header = None
    first_line, first_cells = next(rows)
    if is_header(first_cells) if callable(is_header) else is_header:
        header = [cell.strip().strip("\ufeff") for cell in first_cells]
        if check_header is not None:
            check_header(header)
        data: list[tuple[int, list[str]]] = []
    else:
        data = [(first_line, first_cells)]
    for line, cells in rows:
        if len(data) == max_rows:
            raise too_many_rows(max_rows)
        data.append((line, cells))
    return Table(delimiter, header, data)


def _rows(reader, line_offset: int) -> Iterator[tuple[int, list[str]]]:
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield reader.line_num + line_offset, cells
