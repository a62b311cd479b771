"""Statement months and Vietnam-time days, in Python and in SQL.

A statement month is a calendar month in Vietnam time (`shop.clock.VN`): a delivery at 23:30 on
31 October in Hà Nội (16:30 UTC) belongs to October. The database keeps UTC instants, so a month
is queried as the half-open range of UTC instants [start, end) of its local midnights, which the
(producer_id, delivered_at) index answers; `local_day` and `local_month` turn an instant column
into its Vietnam day or month in SQL (for GROUP BY) on SQLite and PostgreSQL alike."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from babel.dates import format_skeleton
from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from shop import clock
from shop.errors import NotFound

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month in Vietnam time, named like "2026-11"."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str | None) -> Period:
        """The month named `text` ("2026-11"). Raises NotFound for anything else (a URL names it)."""
        match = _PERIOD.match(text or "")
        if not match or not 2000 <= int(match.group(1)) <= 2999:
            raise NotFound()
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @classmethod
    def current(cls) -> Period:
        """This month in Vietnam (shop.clock)."""
        return cls.containing(clock.today())

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return self.key

    def label(self, locale: str = "vi") -> str:
        """The month in words: "tháng 11 năm 2026", "November 2026"."""
        return format_skeleton("yMMMM", self.first_day, locale=locale)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Period:
        return Period(self.year - (self.month == 1), 12 if self.month == 1 else self.month - 1)

    @property
    def start(self) -> datetime:
        """The first instant of the month (local midnight of the 1st), in UTC."""
        return local_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """The first instant after the month, in UTC."""
        return local_midnight(self.next().first_day)

    @property
    def is_open(self) -> bool:
        """The month has not ended yet: its statement can still grow."""
        return self >= Period.current()


def local_midnight(day: date) -> datetime:
    """The instant a Vietnam day starts, as aware UTC (what the database compares)."""
    return datetime.combine(day, time(0), tzinfo=clock.VN).astimezone(UTC)


# Vietnam keeps UTC+7 all year (no daylight saving since 1975), so SQLite can shift by a fixed
# offset; PostgreSQL is given the zone's name.
_OFFSET_HOURS = int(datetime(2026, 1, 1, tzinfo=clock.VN).utcoffset().total_seconds() // 3600)


class local_day(FunctionElement):  # noqa: N801 (an SQL function's name)
    """The Vietnam day of a UTC instant column, as text "2026-11-30"."""

    type = String()
    inherit_cache = True


class local_month(FunctionElement):  # noqa: N801
    """The Vietnam month of a UTC instant column, as text "2026-11"."""

    type = String()
    inherit_cache = True


@compiles(local_day, "sqlite")
def _local_day_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '{_OFFSET_HOURS:+d} hours')"


@compiles(local_month, "sqlite")
def _local_month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)}, '{_OFFSET_HOURS:+d} hours')"


@compiles(local_day, "postgresql")
def _local_day_pg(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)} AT TIME ZONE '{clock.VN.key}', 'YYYY-MM-DD')"


@compiles(local_month, "postgresql")
def _local_month_pg(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)} AT TIME ZONE '{clock.VN.key}', 'YYYY-MM')"
