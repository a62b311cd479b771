"""Absolute links to the shop, built from SHOP_BASE_URL and never from the request's Host.

A link that leaves the page (mail, Stripe's return addresses, canonical and Open Graph URLs,
JSON-LD, the sitemap) must point at the shop whatever Host header a request carried: otherwise
`Host: evil.example` on "forgot password" would mail a reset link to evil.example.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def base_url() -> str:
    """The shop's address without a trailing slash, e.g. https://cho-ocop.vn."""
    return current_app.config["SHOP_BASE_URL"].rstrip("/")


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint` (values as for url_for; extra ones become the query) on
    SHOP_BASE_URL. Works inside and outside a request."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def host_of_base_url() -> str:
    """The host name (without port) of SHOP_BASE_URL, for TRUSTED_HOSTS."""
    return urlsplit(base_url()).hostname or ""
