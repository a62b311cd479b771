"""Whole catalog pages cached as anonymous visitors see them.

Catalog pages are the same for every anonymous visitor in one language but for the CSRF token
of the header's forms, so they are rendered once with a placeholder token and served with the
visitor's own token swapped in. Logged-in visitors, pending flash messages and non-200 answers
always get a fresh page, and so do guests who have a cart (the header shows its count).
Entries live PAGE_CACHE_SECONDS (0 turns the cache off); prices and stock are always checked
again on the server when an order is placed.

The key is the path and the query string each view declares canonical (its known parameters, in
one order, without defaults): `?utm_source=…`, repeated or reordered parameters and unknown
values all land on one entry, so junk query strings cannot fill the cache, and the page is
rendered as for the canonical URL (links with `next=` use it too). Nothing in a page comes from
the request's Host: absolute links are built on SHOP_BASE_URL."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from flask import current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import text

from shop.extensions import cache, db

TOKEN_PLACEHOLDER = "__csrf_token_placeholder__"


def form_token() -> str:
    """The CSRF token for a form; the placeholder while a page is rendered for the cache."""
    return TOKEN_PLACEHOLDER if g.get("rendering_for_cache") else generate_csrf()


def kept_part(name: str, locale: str, caller) -> Markup:
    """{% call kept_part(name, current_locale) %}…{% endcall %}: a part of the layout that is the
    same on every page in one language (words, the shop's name, links to fixed pages and files,
    nothing of the visitor, the request or the page), rendered once per language and kept by
    the process. While templates reload (development), rendered every time."""
    app = current_app._get_current_object()
    if app.jinja_env.auto_reload:
        return caller()
    held = app.extensions.setdefault("layout_parts", {})
    # Links carry the application's root (SCRIPT_NAME), which a server could set per request.
    key = (name, locale, request.script_root)
    html = held.get(key)
    if html is None:
        html = held[key] = str(caller())
    return Markup(html)  # noqa: S704 (rendered by the template, escaped there)


# How long a process trusts the catalog version it read last. A change made in another worker
# (or by a command) moves catalog_state's version (triggers, migration 0007), so its pages are
# served stale at most this long, whether the cache is in each worker's memory or in Redis.
VERSION_SECONDS = 1.0


def catalog_version() -> int:
    """catalog_state's version, read at most once per VERSION_SECONDS by this process (a cache
    hit otherwise reads nothing from the database). Part of every page's cache key."""
    held = current_app.extensions.get("page_cache_version")
    now = time.monotonic()  # an interval, not the shop's date: shop.clock is not involved
    if held is None or now - held[1] >= VERSION_SECONDS:
        version = db.session.execute(text("SELECT version FROM catalog_state WHERE id = 1")).scalar() or 0
        held = current_app.extensions["page_cache_version"] = (version, now)
    return held[0]


def no_query(args) -> dict:
    """For pages that take no query parameters."""
    return {}


def canonical_path(query: dict) -> str:
    """This request's path with `query` (already canonical) as its query string."""
    encoded = urlencode(query, doseq=True)
    return f"{request.path}?{encoded}" if encoded else request.path


def cached_for_anonymous(canonical_query: Callable[[object], dict] = no_query):
    """Cache the view's page for anonymous visitors. `canonical_query(request.args)` returns the
    parameters the page depends on, in their canonical order; everything else is ignored."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            timeout = current_app.config["PAGE_CACHE_SECONDS"]
            # A guest with a cart sees its count in the header: their pages are their own.
            if timeout <= 0 or current_user.is_authenticated or session.get("_flashes") or session.get("cart_key"):
                return view(*args, **kwargs)
            path = canonical_path(canonical_query(request.args))
            key = f"page:{catalog_version()}:{get_locale()}:{path}"
            return _cached_page(key, path, timeout, lambda: view(*args, **kwargs))

        return wrapped

    return decorator


def _cached_page(key: str, path: str, timeout: int, render):
    # Pages are kept and patched as bytes: decoding and encoding some 40 KB of Vietnamese
    # text twice more cost a tenth of a built page.
    body = cache.get(key)
    if body is None:
        g.rendering_for_cache, g.canonical_path = True, path
        try:
            response = make_response(render())
        finally:
            g.rendering_for_cache = False
        if response.status_code != 200:
            return _with_token(response)
        body = response.get_data()
        cache.set(key, body, timeout=timeout)
    return _with_token(make_response(body))


_PLACEHOLDER = TOKEN_PLACEHOLDER.encode()


def _with_token(response):
    if response.mimetype == "text/html" and not response.direct_passthrough:
        body = response.get_data()
        if _PLACEHOLDER in body:
            response.set_data(body.replace(_PLACEHOLDER, generate_csrf().encode()))
    return response
