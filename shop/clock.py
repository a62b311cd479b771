"""The one source of "now" and "today".

Everything in `shop/` that needs the time asks here, so tests can set it (time-machine moves
`datetime.now()` inside the test process) and servers a test starts in another process can be
given the test's clock: with SHOP_ENV=testing, `SHOP_TEST_CLOCK` (an ISO 8601 instant) makes this
process's clock start at that instant when it starts, and run on from there. Outside tests the
variable is ignored.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

# The business is Vietnamese: cut-offs, "today's" orders and certificate expiry are local days.
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _offset_from_environment() -> timedelta:
    raw = os.environ.get("SHOP_TEST_CLOCK")
    if not raw or os.environ.get("SHOP_ENV") != "testing":
        return timedelta(0)
    start = datetime.fromisoformat(raw)
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return start - datetime.now(UTC)


_OFFSET = _offset_from_environment()


def now() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(UTC) + _OFFSET


def local_now() -> datetime:
    """The current instant in Vietnam time."""
    return now().astimezone(VN)


def today() -> date:
    """Today's date in Vietnam (the day certificates lapse on, the day of an order)."""
    return local_now().date()


def aware(moment: datetime) -> datetime:
    """A datetime read back from the database as aware UTC (SQLite hands back naive UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_minutes(minutes: int | None) -> str:
    """A time of day kept as minutes after midnight (receiving hours, delivery windows) as "06:00";
    "" for None."""
    if minutes is None:
        return ""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_window(start_minute: int | None, end_minute: int | None) -> str:
    """A window of the day as "06:00–08:00"; "" when either end is missing."""
    if start_minute is None or end_minute is None:
        return ""
    return f"{format_minutes(start_minute)}–{format_minutes(end_minute)}"
