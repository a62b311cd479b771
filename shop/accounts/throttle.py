"""How often someone may try: a growing wait after failed log-ins, and limits per address on the
forms that send mail. Counted in the rate limiter's storage (Redis when REDIS_URL is set), so
every worker and machine sees the same counts.

Failed log-ins are counted per (account, address) and per address, never per account alone: a
stranger who types wrong passwords for someone else's email slows down only their own address,
and the owner, from anywhere else, logs in as usual. After LOGIN_FREE_FAILURES failures for one
account from one address (LOGIN_FREE_FAILURES_PER_IP for all accounts together), each further
attempt must wait 2, 4, 8 … seconds, at most LOGIN_MAX_DELAY; counts are forgotten
LOGIN_FAILURE_WINDOW seconds after their first failure, and a successful log-in clears its
(account, address) count.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
import unicodedata

from flask import current_app
from limits import parse

from shop.errors import RateLimited, ValidationError
from shop.extensions import limiter

# 2 ** 30 seconds is decades: enough to stop the exponent growing without bound.
_MAX_EXPONENT = 30


def _enabled() -> bool:
    return bool(current_app.config["RATELIMIT_ENABLED"])


def address_key(ip: str | None) -> str:
    """Whom a limit counts: the IPv4 address, or the /64 network of an IPv6 address (one home or
    phone gets a whole /64, so counting single IPv6 addresses would count nothing)."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return "unknown"
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _account_key(email: str | None) -> str:
    from shop.accounts.services import normalize_email

    try:
        canonical = normalize_email(email or "")
    except ValidationError:
        # Not an address, so no account: still counted, folded the same way.
        canonical = unicodedata.normalize("NFKC", email or "").strip().casefold()
    # Hashed: the limiter's storage needs no one's address, and the key stays short.
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _counters(email: str | None, ip: str | None) -> list[tuple[str, int]]:
    where = address_key(ip)
    cfg = current_app.config
    return [
        (f"login:{where}:{_account_key(email)}", cfg["LOGIN_FREE_FAILURES"]),
        (f"login:{where}", cfg["LOGIN_FREE_FAILURES_PER_IP"]),
    ]


def _remaining(key: str) -> float:
    storage = limiter.storage
    if storage.get(key) <= 0:
        return 0
    # The limits library stamps its windows with time.time(), so the wait is measured on that clock.
    return max(storage.get_expiry(key) - time.time(), 0)


def login_wait(email: str | None, ip: str | None) -> int:
    """Whole seconds this address must still wait before trying to log in to `email` (0: now)."""
    if not _enabled():
        return 0
    wait = max(_remaining(f"{key}:wait") for key, _ in _counters(email, ip))
    return math.ceil(wait)


def record_failed_login(email: str | None, ip: str | None) -> None:
    """Count a failed log-in; past the free failures, start the next wait (twice the last one)."""
    if not _enabled():
        return
    storage = limiter.storage
    cfg = current_app.config
    for key, free in _counters(email, ip):
        failures = storage.incr(f"{key}:failures", cfg["LOGIN_FAILURE_WINDOW"])
        if failures >= free:
            delay = min(2 ** min(failures - free + 1, _MAX_EXPONENT), cfg["LOGIN_MAX_DELAY"])
            storage.clear(f"{key}:wait")
            storage.incr(f"{key}:wait", max(int(delay), 1))


def forget_failed_logins(email: str | None, ip: str | None) -> None:
    """After a successful log-in: this account's count from this address starts again. (The
    address's own count stays: logging in to one's own account must not wipe out the failures
    against everyone else's.)"""
    if not _enabled():
        return
    key, _ = _counters(email, ip)[0]
    limiter.storage.clear(f"{key}:failures")
    limiter.storage.clear(f"{key}:wait")


def limit(scope: str, rate: str, ip: str | None) -> None:
    """Count one use of `scope` (e.g. "register") from this address. Raises RateLimited once
    `rate` (e.g. "10 per hour") is used up."""
    if not _enabled():
        return
    item = parse(rate)
    strategy = limiter.limiter
    where = address_key(ip)
    if not strategy.hit(item, scope, where):
        reset_at = strategy.get_window_stats(item, scope, where).reset_time
        raise RateLimited(retry_after=reset_at - time.time())
