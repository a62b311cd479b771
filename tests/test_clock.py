"""The shop reads the time in one place, tests set it, and nothing depends on the machine's date."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

from shop import clock as shop_clock
from shop.extensions import limiter
from tests.conftest import NOW
from tests.support.servers import ROOT

PRINT_NOW = "from shop import clock; print(clock.now().isoformat())"


def test_the_shop_runs_on_the_tests_clock(clock):
    assert abs(clock_now_minus(NOW)) < timedelta(seconds=30)
    assert shop_clock.today() == date(2026, 11, 30) and shop_clock.local_now().hour == 9
    clock.move_to(datetime(2027, 3, 31, 17, 30, tzinfo=UTC))  # 00:30 on 1 April in Hà Nội
    assert shop_clock.today() == date(2027, 4, 1)


def clock_now_minus(moment: datetime) -> timedelta:
    return shop_clock.now() - moment


def _now_in_a_new_process(**env: str) -> datetime:
    clean = {k: v for k, v in os.environ.items() if k not in ("SHOP_ENV", "SHOP_TEST_CLOCK")}
    out = subprocess.run(
        [sys.executable, "-c", PRINT_NOW], cwd=ROOT, env={**clean, **env}, check=True, capture_output=True, text=True
    )
    return datetime.fromisoformat(out.stdout.strip())


def test_a_server_started_by_a_test_gets_the_tests_clock():
    seen = _now_in_a_new_process(SHOP_ENV="testing", SHOP_TEST_CLOCK="2026-11-30T02:00:00+00:00")
    assert NOW <= seen < NOW + timedelta(seconds=30)


def test_outside_tests_the_clock_cannot_be_set_from_the_environment():
    seen = _now_in_a_new_process(SHOP_ENV="production", SHOP_TEST_CLOCK="2001-01-01T00:00:00+00:00")
    assert seen.year != 2001


def test_rate_limit_bookkeeping_never_keeps_a_process_from_exiting(app):
    """limits' in-process storage cleans up in timer threads; a non-daemon one blocks the exit of a
    command or a test run (for ever, on a machine whose clock was moved)."""
    limiter.storage.incr("test-key", 60)
    assert limiter.storage.timer.daemon
