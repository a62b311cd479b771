"""One error shape for the whole API: `{"error": {"code", "message", "details": [...]}}`, with the
status that says what went wrong, never an HTML page and never a 500 for bad input."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from shop.errors import RateLimited, ShopError, ValidationError
from shop.extensions import db

# Business rules the request broke: well-formed, but not acceptable (HTTP 422 in an API; the
# pages answer 400 with the form shown again).
_UNPROCESSABLE = 422


def error_body(status: int, code: str, message, details: list | None = None, headers: dict | None = None):
    response = jsonify(error={"code": code, "message": str(message), "details": details or []})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten(messages, prefix: str = "") -> list[dict]:
    """webargs' nested messages ({"json": {"lines": {0: {"quantity": [...]}}}}) as a flat list."""
    details = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key) if not prefix else f"{prefix}.{key}"
            details.extend(_flatten(value, name))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        details.extend({"field": prefix or None, "message": m} for m in messages)
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            details.extend(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        details.append({"field": prefix or None, "message": str(messages)})
    return details


def _strip_location(details: list[dict]) -> list[dict]:
    # "json.lines.0.quantity" -> "lines.0.quantity"; "query.limit" -> "limit"
    for detail in details:
        field = detail.get("field") or ""
        head, _, rest = field.partition(".")
        if head in ("json", "query", "headers", "path", "form") and rest:
            detail["field"] = rest
        elif head in ("json", "query", "headers", "path", "form"):
            detail["field"] = None
    return details


def handle_shop_error(exc: ShopError):
    status = _UNPROCESSABLE if isinstance(exc, ValidationError) else exc.status
    details = [{"field": exc.field, "message": str(exc.message)}] if exc.field else []
    details.extend(getattr(exc, "details", None) or [])
    return error_body(status, exc.code, exc.message, details, exc.headers)


def handle_http(exc: HTTPException):
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    if status == 429:
        from shop.errors import _retry_after_of_limiter

        return handle_shop_error(RateLimited(retry_after=_retry_after_of_limiter()))
    if status in (400, 422) and "messages" in data:
        details = _strip_location(_flatten(data["messages"]))
        if status == 400 or any(d["message"] == "Invalid JSON body." for d in details):
            return error_body(400, "malformed", _l("The request body is not valid JSON."), details)
        return error_body(422, "invalid", _l("The request is not valid."), details)
    code = exc.name.lower().replace(" ", "_") if exc.name else "error"
    message = data.get("message") or exc.description or exc.name
    return error_body(status, code, message, [], data.get("headers"))


def handle_unexpected(exc: Exception):
    current_app.logger.exception("Unhandled API error on %s %s", request.method, request.path)
    db.session.rollback()
    return error_body(500, "internal_error", _l("An unexpected error happened on our side. It has been logged."))


def install(bp) -> None:
    """The API's error handlers on one of its blueprints."""
    bp.register_error_handler(ShopError, handle_shop_error)
    bp.register_error_handler(HTTPException, handle_http)
    bp.register_error_handler(Exception, handle_unexpected)
