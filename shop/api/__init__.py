"""The JSON API, /api/v1: the same services as the pages, for programs. flask-smorest keeps each
endpoint's schemas, validation and its OpenAPI description in one place (`/api/v1/openapi.json`,
shown to people at `/api/v1/docs`). Keys: `shop/integrations/keys.py`; access rules: `auth.py`;
the one error shape: `errors.py`."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

API_TITLE = "OCOP Shop API"
API_VERSION = "v1"
PREFIX = "/api/v1"


class ShopApi(Api):
    """flask-smorest's Api, except that its error handler is not installed for the whole app (the
    shop's pages keep their own error pages): the API's blueprints handle their errors in
    `errors.py`."""

    # Every documented error response has the one shape the API answers with.
    from shop.api.schemas import ErrorSchema as ERROR_SCHEMA

    def _register_error_handlers(self):
        pass


def spec_of(app: Flask) -> dict:
    """The app's OpenAPI description, as a dict."""
    return app.extensions["shop_api"].spec.to_dict()


def init_app(app: Flask) -> None:
    from shop.api import auth, errors
    from shop.api.spec import SPEC_OPTIONS, describe_security, describe_webhooks
    from shop.api.views import blueprints
    from shop.extensions import csrf

    app.config.setdefault("API_TITLE", API_TITLE)
    app.config.setdefault("API_VERSION", API_VERSION)
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", SPEC_OPTIONS)
    api = ShopApi(app)  # one per app: each has its own description
    app.extensions["shop_api"] = api
    describe_security(api.spec)
    describe_webhooks(api.spec)
    for bp in blueprints():
        if not getattr(bp, "shop_ready", False):  # blueprints are set up once, then registered per app
            auth.protect(bp)
            errors.install(bp)
            bp.shop_ready = True
        csrf.exempt(bp)
        api.register_blueprint(bp, url_prefix=PREFIX)
    from shop.api import docs

    app.register_blueprint(docs.bp, url_prefix=PREFIX)  # /api/v1/docs: a page for people
