"""OCOP storefront: create_app() builds the Flask app."""

from __future__ import annotations

import os

from flask import Flask, g, has_request_context, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from shop import config as config_module
from shop.extensions import babel, cache, csrf, db, include_name, limiter, login_manager, migrate

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config` overrides what the environment says (tests use it)."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("SHOP_INSTANCE_PATH") or os.path.join(ROOT, "instance"),
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    from shop.web import TemplateEnvironment

    app.jinja_environment = TemplateEnvironment  # before anything makes app.jinja_env
    app.json.ensure_ascii = False  # JSON answers in UTF-8: "Xôi", not "X\u00f4i"
    env_name = (config or {}).get("SHOP_ENV") or os.environ.get("SHOP_ENV", "production")
    app.config.update(config_module.from_environment(env_name, app.instance_path))
    app.config.update(config or {})
    config_module.check_base_url(app.config)
    if app.config["SHOP_ENV"] == "production" and app.config.get("TRUSTED_HOSTS") is None:
        # Requests for any other host get 400, so a forged Host header never reaches a page.
        app.config["TRUSTED_HOSTS"] = config_module.trusted_hosts(app.config)
    os.makedirs(app.instance_path, exist_ok=True)

    app.wsgi_app = _SecureCookiesOverHttps(app.wsgi_app)
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)

    # Ids in URLs are the database's 32-bit integers: a larger number matches no route (404)
    # instead of overflowing the driver (a 500) in whichever view would have looked it up.
    app.url_map.converters["int"] = _DatabaseId
    _init_extensions(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_security_headers(app)
    _refuse_nul_bytes(app)

    from shop.errors import register_error_handlers

    register_error_handlers(app)

    from shop.cli import shop_cli

    app.cli.add_command(shop_cli)
    return app


def _init_extensions(app: Flask) -> None:
    from shop import models  # noqa: F401  (registers every model with the metadata)
    from shop.i18n import install_template_gettext, select_locale

    db.init_app(app)
    migrate.init_app(
        app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True, include_name=include_name
    )
    csrf.init_app(app)
    babel.init_app(
        app, locale_selector=select_locale, default_translation_directories=os.path.join(ROOT, "translations")
    )
    install_template_gettext(app)
    limiter.init_app(app)
    cache.init_app(app)
    from shop.mail import services as mail

    mail.init_app(app)  # after db: mail is sent at the end of each request/command, after its commit

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to see this page.")

    @login_manager.user_loader
    def load_user(user_id: str):
        """The user of a live login session ("<user id>:<token>"); anything else is nobody, and
        the stale id and remember cookie are dropped from this browser. Writes no row."""
        from flask import current_app, session

        from shop.accounts.services import user_for_session_id

        user = user_for_session_id(user_id)
        if user is None:
            session.pop("_user_id", None)
            if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
                session["_remember"] = "clear"
        return user


def _register_blueprints(app: Flask) -> None:
    from shop.accounts.views import bp as accounts_bp
    from shop.accounts.views import lang_bp
    from shop.admin.views import bp as admin_bp
    from shop.cart.views import bp as cart_bp
    from shop.catalog.views import bp as catalog_bp
    from shop.checkout.views import bp as checkout_bp
    from shop.main.views import bp as main_bp
    from shop.orders.views import bp as orders_bp
    from shop.partner_portal.views import bp as partners_bp
    from shop.payments.views import bp as payments_bp
    from shop.portal.views import bp as producers_bp

    for bp in (
        main_bp,
        accounts_bp,
        lang_bp,
        catalog_bp,
        cart_bp,
        checkout_bp,
        orders_bp,
        payments_bp,
        producers_bp,
        partners_bp,
        admin_bp,
    ):
        app.register_blueprint(bp)

    from shop import api

    api.init_app(app)
    from shop.integrations import webhooks

    webhooks.init_app(app)  # the domain's signals record webhook events (sent by `flask shop send-webhooks`)


def _register_template_helpers(app: Flask) -> None:
    from shop import geo
    from shop.cart.models import Cart
    from shop.catalog.groups import group_name, subgroup_name
    from shop.fulfilment.services import amount_to_collect, amount_to_refund
    from shop.money import format_vnd
    from shop.orders.services import DELIVERY_LABELS, STATUS_LABELS, delivery_when
    from shop.organisations import status_label
    from shop.page_cache import form_token, kept_part
    from shop.partners.models import role_label as partner_role_label
    from shop.partners.models import terms_label
    from shop.pricing import format_rate as vat_rate
    from shop.producers.models import kind_label
    from shop.urls import external_url
    from shop.web import current_path

    app.add_template_filter(format_vnd, "vnd")
    app.add_template_filter(isotime, "isotime")
    helpers = {
        "status_label": status_label,
        "form_token": form_token,
        "kept_part": kept_part,
        "max_line_quantity": Cart.MAX_QUANTITY,
        # Links that leave the page (canonical, Open Graph, JSON-LD) come from SHOP_BASE_URL.
        "external_url": external_url,
        # A global as well, so that imported macros (which get no context) can use it.
        "current_path": current_path,
        "order_status_labels": STATUS_LABELS,
        "delivery_labels": DELIVERY_LABELS,
        # A partner's order: its delivery date and window, in the reader's language.
        "delivery_when": delivery_when,
        "provinces": geo.provinces,
        "province_name": geo.province_name,
        "ward_name": geo.ward_name,
        "group_name": group_name,
        "subgroup_name": subgroup_name,
        "producer_kind": kind_label,
        "partner_role_label": partner_role_label,
        "terms_label": terms_label,
        "vat_rate": vat_rate,
        # An order's amounts once producers cancelled parts of it (what to collect, to refund).
        "amount_to_collect": amount_to_collect,
        "amount_to_refund": amount_to_refund,
    }
    for name, helper in helpers.items():
        app.add_template_global(helper, name)
    _register_layout_context(app)


def _register_layout_context(app: Flask) -> None:
    from flask_babel import get_locale

    from shop.cart.services import item_count_for
    from shop.cart.visitor import visitor
    from shop.urls import base_url
    from shop.web import current_path

    @app.context_processor
    def layout_context():
        # Cached per request: the layout asks for these once per page.
        if "cart_count" not in g:
            # Mail rendered by a command has no visitor (and no cart).
            g.cart_count = item_count_for(*visitor()) if has_request_context() else 0
        return {
            "cart_count": g.cart_count,
            "current_locale": str(get_locale()),
            "current_path": current_path,
            "shop_name": app.config["SHOP_NAME"],
            "shop_base_url": base_url(),
        }


def _browsing_without_limits() -> bool:
    """The catalog's pages and the home page carry no rate limit, so the limiter skips its
    bookkeeping for them (working out which limits apply cost more than a tenth of a built
    listing). A rate limit on one of them would need this filter changed."""
    return request.method in ("GET", "HEAD") and (request.blueprint == "catalog" or request.endpoint == "main.index")


# The limiter is one object for every app this process makes: its filter is registered once.
limiter.request_filter(_browsing_without_limits)


def _refuse_nul_bytes(app: Flask) -> None:
    """No link contains a NUL byte, and PostgreSQL refuses to store or even compare one: a URL
    carrying one in its path or query is answered 400 before any view runs. (Forms check their
    own fields, and give the message on the same page.)"""

    @app.before_request
    def refuse():
        from shop.errors import error_response

        values = [request.path, *request.args.keys(), *request.args.values()]
        if any("\x00" in value for value in values):
            return error_response(400, "bad_characters")


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        # Each header unless the view set its own. (Headers.setdefault raises and catches an
        # exception for every header missing, which is every one on most responses.)
        headers = response.headers
        present = {name.lower() for name, _ in headers.items()}
        defaults = list(SECURITY_HEADERS)
        if request.is_secure:
            defaults.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
        # The API takes no cookies: it must not even look at the login session.
        if not request.path.startswith("/api/") and current_user and current_user.is_authenticated:
            # Pages with personal data must not be kept by shared caches.
            defaults.append(("Cache-Control", "private, no-store"))
        for name, value in defaults:
            if name.lower() not in present:
                headers.add(name, value)
        return response


def isotime(moment) -> str:
    """A moment for <time datetime>: UTC, to the second (SQLite hands back naive UTC datetimes)."""
    from datetime import UTC

    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class _DatabaseId(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


class _SecureCookiesOverHttps:
    """Marks every cookie Secure when the request came over HTTPS.

    Done at the WSGI edge because the session and remember-me cookies are written after the
    app's after_request hooks; inside ProxyFix, so X-Forwarded-Proto counts when proxies are trusted.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def secure_start_response(status, headers, exc_info=None):
            headers = [
                (name, value + "; Secure")
                if name.lower() == "set-cookie" and "; secure" not in value.lower()
                else (name, value)
                for name, value in headers
            ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, secure_start_response)
