"""What the OpenAPI description says beyond the endpoints: how to authenticate, the error shape,
paging, idempotency, rate limits and webhooks. The endpoints describe themselves (their blueprint,
schemas and docstrings)."""

from __future__ import annotations

DESCRIPTION = """
The OCOP shop's API for programs: restaurant partners order from their purchasing software,
producers keep stock and shipments in step with their own systems.

**Authentication.** Send `Authorization: Bearer <key>`. An owner makes keys on the producer's
or partner's *API keys* page; each key acts for one organisation in one role and is shown only
once. The public catalog needs no key. Cookies are not accepted.

**Money** is always a whole number of Vietnamese đồng (`*_vnd`; VND has no minor unit).
Times are ISO 8601 in UTC; dates are Vietnam's calendar days.

**Errors** always have the shape `{"error": {"code": "...", "message": "...", "details": [...]}}`
with the status 400 (malformed request), 401 (no or unknown key), 403 (the key's role may not do
this), 404 (no such object, or not yours), 409 (a conflict: stock changed, idempotency key
reused with another body), 422 (the request is well formed but breaks a rule) or 429 (too many
requests; wait `Retry-After` seconds).

**Paging.** Lists return `{"data": [...], "next_cursor": "..."}`; pass `cursor` to get the
next page, until `next_cursor` is null.

**Idempotency.** `POST /api/v1/orders` needs an `Idempotency-Key` header (any unique string up to
255 characters): the same key with the same body returns the same order; with another body, 409.

**Rate limits.** Per key (per address without a key); over it, 429 with `Retry-After`.

**Webhooks.** See the `Webhooks` section: each event is POSTed as JSON to the endpoints the
owner registered, signed with HMAC-SHA256.
"""

SPEC_OPTIONS = {
    "info": {"description": DESCRIPTION.strip()},
    "servers": [{"url": "/"}],
}


def describe_security(spec) -> None:
    """The bearer key, referred to by every endpoint that needs one."""
    spec.components.security_scheme(
        "apiKey", {"type": "http", "scheme": "bearer", "description": "An API key made on your API keys page."}
    )
