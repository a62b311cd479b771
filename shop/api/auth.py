"""Who is calling: the key in `Authorization: Bearer <key>` (cookies are never looked at), how
often it may call (per key; per address without one), and what its role allows.

Every API blueprint runs `load_key` before its views; a view that needs a key says which roles
through `key_required`, and reads the organisation it acts for from `g`."""

from __future__ import annotations

import time
from functools import wraps

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from limits import parse

from shop.accounts.throttle import address_key
from shop.errors import Forbidden, RateLimited, ShopError
from shop.extensions import limiter
from shop.integrations import keys
from shop.integrations.models import ApiKey

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Unauthenticated(ShopError):
    status = 401
    code = "unauthenticated"
    default_message = _l("Send a valid API key as `Authorization: Bearer <key>`.")

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="ocop-api"'}


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def load_key() -> None:
    """Before every API view: find the key (a key that is sent must be valid, even where none is
    needed), then count the request against its limit."""
    g.api_key = None
    token = bearer_token()
    if token is not None or "Authorization" in request.headers:
        key = keys.authenticate(token)
        if key is None:
            raise Unauthenticated()
        g.api_key = key
        keys.record_use(key, writes=request.method in WRITE_METHODS)
    _count_request(g.api_key)


def _count_request(key: ApiKey | None) -> None:
    config = current_app.config
    if not config["RATELIMIT_ENABLED"]:
        return
    if key is not None:
        rate, scope, who = config["API_RATE_LIMIT"], "api-key", str(key.id)
    else:
        rate, scope, who = config["API_ANONYMOUS_RATE_LIMIT"], "api-anonymous", address_key(request.remote_addr)
    item = parse(rate)
    strategy = limiter.limiter
    if not strategy.hit(item, scope, who):
        reset_at, _ = strategy.get_window_stats(item, scope, who)
        wait = reset_at - time.time()
        raise RateLimited(
            _l("Too many requests. Wait %(seconds)s seconds and try again.", seconds=max(1, round(wait))),
            retry_after=wait,
        )


def protect(bp) -> None:
    bp.before_request(load_key)


def key_required(*roles: str):
    """The view needs a key in one of `roles`: 401 without one, 403 for a key in another role.
    Sets g.producer_id or g.partner_id (the other is None)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            key = g.get("api_key")
            if key is None:
                raise Unauthenticated()
            if key.role not in roles:
                raise Forbidden(_l("This key's role may not do that."))
            g.producer_id, g.partner_id = key.producer_id, key.partner_id
            return view(*args, **kwargs)

        return wrapped

    return decorator


def requires_key(bp, *roles: str):
    """`key_required(*roles)`, documented: the endpoint needs a bearer key in one of `roles`, and
    may answer 401 and 403."""
    from shop.api.schemas import error_responses

    def decorator(view):
        view = key_required(*roles)(view)
        # The roles as an extension: OpenAPI 3.0 gives a bearer scheme no scopes.
        view = bp.doc(security=[{"apiKey": []}], **{"x-key-roles": list(roles)})(view)
        return error_responses(bp, 401, 403)(view)

    return decorator


def current_key() -> ApiKey:
    return g.api_key
