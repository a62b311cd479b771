"""Domain errors and the HTML/JSON error pages."""

from __future__ import annotations

import math
import time

from flask import Flask, jsonify, make_response, render_template, request
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class ShopError(Exception):
    """A business rule said no. `message` is shown to the user; `code` is for JSON clients."""

    status = 400
    code = "shop_error"

    def __init__(self, message=None, *, field: str | None = None):
        # Messages stay lazy: they are translated when shown, in the reader's language.
        self.message = message or self.default_message
        super().__init__(self.message)
        self.field = field

    default_message = _l("The request could not be completed.")

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers that go with the answer (none, unless a subclass says so)."""
        return {}


class ValidationError(ShopError):
    code = "invalid"


class ConflictError(ShopError):
    status = 409
    code = "conflict"


class NotFound(ShopError):
    status = 404
    code = "not_found"
    default_message = _l("Not found.")


class Forbidden(ShopError):
    status = 403
    code = "forbidden"
    default_message = _l("You are not allowed to do that.")


class RateLimited(ShopError):
    """Too many tries: answered 429 with Retry-After (whole seconds, at least 1)."""

    status = 429
    code = "rate_limited"
    default_message = _l("Too many attempts. Please wait a little and try again.")

    def __init__(self, message=None, *, retry_after: float, field: str | None = None):
        super().__init__(message, field=field)
        self.retry_after = max(1, math.ceil(retry_after))

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def wants_json() -> bool:
    """Whether this request's answer, error or not, should be JSON rather than a page."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


_TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("Request too large"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}

_MESSAGES = {
    400: _l("The request could not be understood. Please go back and try again."),
    403: _l("You do not have access to this page."),
    404: _l("We could not find the page you were looking for."),
    405: _l("This address does not accept that kind of request."),
    413: _l("What you sent is too large."),
    429: _l("Too many attempts. Please wait a little and try again."),
    500: _l("An unexpected error happened on our side. It has been logged; please try again."),
}


def error_response(status: int, code: str, message=None, headers: dict[str, str] | None = None):
    message = message or _MESSAGES.get(status, _MESSAGES[500])
    if wants_json():
        return jsonify(error={"code": code, "message": str(message), "details": []}), status, headers or {}
    title = _TITLES.get(status, _TITLES[500])
    if request_ctx.url_adapter is None:
        # A host the shop does not serve (TRUSTED_HOSTS): no page can link anywhere, so plain text.
        return (
            f"{status} {title}: {message}\n",
            status,
            {"Content-Type": "text/plain; charset=utf-8", **(headers or {})},
        )
    return render_template("errors/error.html", status=status, title=title, message=message), status, headers or {}


def _retry_after_of_limiter() -> float:
    """Seconds until Flask-Limiter's breached limit lets this client in again."""
    from shop.extensions import limiter

    limit = limiter.current_limit
    # reset_at is stamped by the limits library with time.time(): measure on the same clock.
    return limit.reset_at - time.time() if limit is not None else 60


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ShopError)
    def handle_shop_error(exc: ShopError):
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.errorhandler(CSRFError)
    def handle_csrf(exc: CSRFError):
        view = app.view_functions.get(request.endpoint or "")
        if getattr(view, "renders_form_errors", False) and not wants_json():
            # The form's own CSRF check fails the same way, so the page is shown again with the
            # message next to the form, in the user's language. Whatever the view raises on the
            # way (a login redirect, a rate limit) gets its own answer: an exception raised inside
            # an error handler would otherwise be a 500.
            try:
                response = make_response(view(**(request.view_args or {})))
            except ShopError as raised:
                return handle_shop_error(raised)
            except HTTPException as raised:
                return raised if raised.code is None else handle_http(raised)
            if response.status_code < 300:
                response.status_code = 400
            return response
        return error_response(
            400,
            "csrf",
            _l("Your form expired or was sent from another page. Please reload the page and try again."),
        )

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        status = exc.code or 500
        if status == 429:  # a Flask-Limiter decorator: the same answer as every other limit
            return handle_shop_error(RateLimited(retry_after=_retry_after_of_limiter()))
        return error_response(status, exc.name.lower().replace(" ", "_"))

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        from shop.extensions import db

        db.session.rollback()
        return error_response(500, "internal_error")
