"""Configuration read from the environment.

Every variable is listed, with its default and meaning, in the README's configuration table.
"""

from __future__ import annotations

import os
from datetime import timedelta
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    """The app cannot start with the configuration it was given."""


def _bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _basis_points(name: str, default: int) -> int:
    """A rate in basis points: a whole number from 0 (0 %) to 10000 (100 %)."""
    value = _int(name, default)
    if not 0 <= value <= 10000:
        raise ConfigError(f"{name} must be between 0 and 10000 basis points (1000 = 10 %), not {value}")
    return value


def _clock(name: str, default: str) -> str:
    raw = (os.environ.get(name) or default).strip()
    hours, sep, minutes = raw.partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise ConfigError(f"{name} must be a time of day like 14:00, not {raw!r}")
    return f"{int(hours):02d}:{int(minutes):02d}"


def check_base_url(config: dict) -> None:
    """SHOP_BASE_URL must be an absolute http(s) address: every link that leaves a page is built on it."""
    parts = urlsplit(config["SHOP_BASE_URL"])
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"SHOP_BASE_URL must be the shop's address, like https://cho-ocop.vn, not {config['SHOP_BASE_URL']!r}"
        )


def trusted_hosts(config: dict) -> list[str]:
    """The host of SHOP_BASE_URL and the SHOP_ALLOWED_HOSTS list: the only Host headers served in production."""
    hosts = [urlsplit(config["SHOP_BASE_URL"]).hostname, *config["SHOP_ALLOWED_HOSTS"]]
    return list(dict.fromkeys(h for h in hosts if h))


def _limit(name: str, default: str) -> str:
    """A rate limit like "10 per hour", checked now rather than at the first request."""
    from limits import parse

    raw = (os.environ.get(name) or default).strip()
    try:
        parse(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a rate like '10 per hour', not {raw!r}") from exc
    return raw


def _secret_key(env_name: str, instance_path: str) -> str:
    """SECRET_KEY, else the key in <instance>/secret_key (made once by `make run`), so that the
    served app and every `flask shop …` command sign with the same key."""
    secret = os.environ.get("SECRET_KEY", "")
    if secret:
        return secret
    try:
        with open(os.path.join(instance_path, "secret_key"), encoding="utf-8") as fh:
            secret = fh.read().strip()
    except FileNotFoundError:
        secret = ""
    if secret:
        return secret
    if env_name == "production":
        raise ConfigError(
            "SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_hex(32))'), or put one in "
            f"{os.path.join(instance_path, 'secret_key')} (`make run` makes it for you)."
        )
    # Development and tests only: a fixed key, never used when SHOP_ENV=production.
    return f"insecure-{env_name}-key"


def from_environment(env_name: str, instance_path: str) -> dict:
    """Build the config mapping for SHOP_ENV=env_name (production, development or testing)."""
    if env_name not in {"production", "development", "testing"}:
        raise ConfigError(f"SHOP_ENV must be production, development or testing, not {env_name!r}")
    secret = _secret_key(env_name, instance_path)

    database_url = os.environ.get("DATABASE_URL") or ("sqlite:///" + os.path.join(instance_path, "shop.db"))
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]

    redis_url = os.environ.get("REDIS_URL", "")
    return {
        "SHOP_ENV": env_name,
        "TESTING": env_name == "testing",
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # No pre-ping on every checkout: connections idle for a while are pinged instead, and GET
        # requests read in autocommit (see the round trips in shop/extensions.py).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 3600},
        "SHOP_NAME": os.environ.get("SHOP_NAME", "Chợ OCOP"),
        # Sessions live in the signed cookie, so any worker or machine can serve any request.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_DURATION": timedelta(days=_int("REMEMBER_DAYS", 30)),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "WTF_CSRF_ENABLED": _bool("WTF_CSRF_ENABLED", True),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("SHOP_TIMEZONE", "Asia/Ho_Chi_Minh"),
        "LANGUAGES": ("vi", "en"),
        "RATELIMIT_STORAGE_URI": redis_url or "daemon-memory://",
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Failed log-ins: a growing wait per (account, address) and per address, never a lock
        # that a stranger could put on someone else's account (see shop/accounts/throttle.py).
        "LOGIN_FREE_FAILURES": _int("LOGIN_FREE_FAILURES", 5),
        "LOGIN_FREE_FAILURES_PER_IP": _int("LOGIN_FREE_FAILURES_PER_IP", 20),
        "LOGIN_MAX_DELAY": _int("LOGIN_MAX_DELAY", 900),
        "LOGIN_FAILURE_WINDOW": _int("LOGIN_FAILURE_WINDOW", 3600),
        "REGISTER_LIMIT_PER_IP": _limit("REGISTER_LIMIT_PER_IP", "10 per hour"),
        "RESET_LIMIT_PER_IP": _limit("RESET_LIMIT_PER_IP", "10 per hour"),
        "REDIS_URL": redis_url,
        # Catalog pages as anonymous visitors see them, shared by workers through Redis if set.
        "PAGE_CACHE_SECONDS": _int("PAGE_CACHE_SECONDS", 60),
        "CACHE_TYPE": "RedisCache" if redis_url else "shop.extensions.PageCache",
        "CACHE_REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "shop:",
        "CACHE_THRESHOLD": 2000,
        "PASSWORD_RESET_MAX_AGE": _int("PASSWORD_RESET_MAX_AGE", 3600),
        "SIGNUP_LINK_MAX_AGE": _int("SIGNUP_LINK_MAX_AGE", 24 * 3600),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL"),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 10),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Chợ OCOP <no-reply@localhost>"),
        "MAIL_OUTBOX_DIR": os.environ.get("MAIL_OUTBOX_DIR") or os.path.join(instance_path, "outbox"),
        # No address gets more than this many messages an hour, whoever asks (0: no limit).
        "MAIL_LIMIT_PER_RECIPIENT_PER_HOUR": _int("MAIL_LIMIT_PER_RECIPIENT_PER_HOUR", 10),
        # Checkout and payments (see the README's configuration table).
        "SAME_DAY_CUTOFF": _clock("SAME_DAY_CUTOFF", "14:00"),
        # Partners' orders for a date must be in by this time the day before (a producer may set
        # its own); how far ahead they may choose a date; days on the road to another province.
        "PARTNER_ORDER_CUTOFF": _clock("PARTNER_ORDER_CUTOFF", "16:00"),
        "PARTNER_ORDER_HORIZON_DAYS": _int("PARTNER_ORDER_HORIZON_DAYS", 28),
        "PARTNER_TRANSIT_DAYS": _int("PARTNER_TRANSIT_DAYS", 2),
        # `flask shop run-standing-orders` creates the orders for this many days ahead.
        "STANDING_ORDER_DAYS_AHEAD": _int("STANDING_ORDER_DAYS_AHEAD", 2),
        # The ways to pay offered, in this order (shop/payments/registry.py); one whose own
        # settings are missing below is left out.
        "PAYMENT_METHODS": os.environ.get("PAYMENT_METHODS", "cod,vietqr,stripe"),
        "ORDER_EXPIRY_MINUTES_VIETQR": _int("ORDER_EXPIRY_MINUTES_VIETQR", 24 * 60),
        "ORDER_EXPIRY_MINUTES_STRIPE": _int("ORDER_EXPIRY_MINUTES_STRIPE", 60),
        "VIETQR_BANK_BIN": os.environ.get("VIETQR_BANK_BIN", ""),
        "VIETQR_BANK_NAME": os.environ.get("VIETQR_BANK_NAME", ""),
        "VIETQR_ACCOUNT_NUMBER": os.environ.get("VIETQR_ACCOUNT_NUMBER", ""),
        "VIETQR_ACCOUNT_NAME": os.environ.get("VIETQR_ACCOUNT_NAME", ""),
        # The seller on partners' invoices and in the e-invoice export (shop/invoicing): the
        # shop's registered legal name, tax code (mã số thuế) and address. The defaults are the
        # demo's; set the real ones before issuing any invoice.
        "SHOP_LEGAL_NAME": os.environ.get("SHOP_LEGAL_NAME", "Công ty TNHH Chợ OCOP Tây Hồ (demo)"),
        "SHOP_TAX_CODE": os.environ.get("SHOP_TAX_CODE", "0108888888"),
        "SHOP_ADDRESS": os.environ.get("SHOP_ADDRESS", "12 Quảng An, Phường Tây Hồ, Thành phố Hà Nội"),
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        # Only for tests and local fakes: where the Stripe API is (the official one by default).
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", ""),
        "STRIPE_MAX_NETWORK_RETRIES": _int("STRIPE_MAX_NETWORK_RETRIES", 2),
        # What one visitor may order and hold (shop/checkout/limits.py and, for a way to pay,
        # shop/payments/methods/; 0 turns a limit off).
        "ORDER_LIMIT_PER_IP_PER_HOUR": _int("ORDER_LIMIT_PER_IP_PER_HOUR", 20),
        "ORDER_LIMIT_PER_PHONE_PER_HOUR": _int("ORDER_LIMIT_PER_PHONE_PER_HOUR", 3),
        "OPEN_COD_ORDERS_PER_CONTACT": _int("OPEN_COD_ORDERS_PER_CONTACT", 3),
        "COD_MAX_ORDER_VND": _int("COD_MAX_ORDER_VND", 5_000_000),
        "GUEST_MAX_LINE_QUANTITY": _int("GUEST_MAX_LINE_QUANTITY", 20),
        # Stripe takes at most 8 digits in the currency's smallest unit; VND has no smaller unit.
        "STRIPE_MAX_AMOUNT_VND": _int("STRIPE_MAX_AMOUNT_VND", 99_999_999),
        # How long the order link mailed to a shopper opens the order; and how often one address
        # may ask for a fresh link.
        "ORDER_LINK_DAYS": _int("ORDER_LINK_DAYS", 30),
        "ORDER_LINK_LIMIT_PER_IP": os.environ.get("ORDER_LINK_LIMIT_PER_IP", "10 per hour"),
        # The shop's commission on a producer's delivered lines, in basis points (1000 = 10 %),
        # for producers an admin has given no rate of their own (shop/settlements/services.py).
        "PRODUCER_COMMISSION_BP": _basis_points("PRODUCER_COMMISSION_BP", 1000),
        # Producers' uploads (product pictures under products/, served at /static/uploads/products/).
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or os.path.join(instance_path, "uploads"),
        "UPLOAD_MAX_BYTES": _int("UPLOAD_MAX_BYTES", 8 * 1024 * 1024),
        # Checked from a picture's header before it is decoded: a "decompression bomb" of a few
        # kilobytes can claim 40 megapixels (shop/catalog/images.py).
        "UPLOAD_MAX_PIXELS": _int("UPLOAD_MAX_PIXELS", 30_000_000),
        # The API (/api/v1): requests per key, and per address for the public catalog without one.
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "600 per minute"),
        "API_ANONYMOUS_RATE_LIMIT": os.environ.get("API_ANONYMOUS_RATE_LIMIT", "120 per minute"),
        # Webhooks (shop/integrations/webhooks.py): how long one try may take, how long a delivery
        # is retried before it is given up, and, for tests and local development only, hosts that
        # may be sent to over plain HTTP and on a private address (production: HTTPS, public).
        "WEBHOOK_TIMEOUT_SECONDS": _int("WEBHOOK_TIMEOUT_SECONDS", 10),
        "WEBHOOK_RETRY_HOURS": _int("WEBHOOK_RETRY_HOURS", 24),
        "WEBHOOK_INSECURE_HOSTS": [
            h.strip() for h in os.environ.get("WEBHOOK_INSECURE_HOSTS", "").split(",") if h.strip()
        ],
        # Every absolute link (mail, Stripe, canonical, sitemap) is built on this, never on the Host header.
        "SHOP_BASE_URL": os.environ.get("SHOP_BASE_URL", "http://127.0.0.1:5000"),
        # Further host names served in production besides SHOP_BASE_URL's (comma-separated).
        "SHOP_ALLOWED_HOSTS": [h.strip() for h in os.environ.get("SHOP_ALLOWED_HOSTS", "").split(",") if h.strip()],
    }
