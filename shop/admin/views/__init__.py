"""The staff area's blueprint. Each area (orders, producers, certificates, payouts, the audit
log) is a module here that adds its routes to `bp` and its entry to `admin_nav`."""

from __future__ import annotations

from flask import Blueprint, has_request_context, render_template, request
from flask_babel import lazy_gettext as _l

from shop.admin import services
from shop.navigation import Nav
from shop.web import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_nav = Nav()
admin_nav.add(0, "admin.dashboard", _l("Overview"))


@bp.app_context_processor
def _admin_context():
    # Also asked when mail is rendered outside any request.
    if not has_request_context() or request.blueprint != "admin":
        return {}
    return {"admin_nav": admin_nav.for_membership(None)}


@bp.route("/")
@role_required("admin")
def dashboard():
    return render_template("admin/dashboard.html", **services.overview())


# The staff area's parts (each adds its routes and menu entry).
from shop.admin.views import audit, certificates, invoices, orders, partners, payouts, pricing, producers
