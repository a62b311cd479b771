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
    return _adapter().build(endpoint, values, force_external=True)


def _adapter():
    """The URL map bound to SHOP_BASE_URL, made once per app and address (a page asks for a few
    links: binding the map each time cost more than building the link)."""
    app = current_app._get_current_object()
    base = base_url()
    held = app.extensions.get("external_url_adapter")
    if held is None or held[0] != base:
        parts = urlsplit(base)
        adapter = app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https")
        held = app.extensions["external_url_adapter"] = (base, adapter)
    return held[1]


def host_of_base_url() -> str:
    """The host name (without port) of SHOP_BASE_URL, for TRUSTED_HOSTS."""
    return urlsplit(base_url()).hostname or ""
