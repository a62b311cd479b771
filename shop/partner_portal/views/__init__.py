"""The restaurant partners' blueprint (/partner/). Each area is a module here that adds its
routes to `bp`, its entry to `partner_nav` (for the roles it serves) and, if the dashboard
should show it, a panel."""

from __future__ import annotations

from flask import Blueprint, abort, g, has_request_context, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop.navigation import Nav, Panels
from shop.partner_portal.access import current_membership, partner_required, switch_to
from shop.web import no_store

bp = Blueprint("partners", __name__, url_prefix="/partner")
partner_nav = Nav()
dashboard_panels = Panels()

partner_nav.add(0, "partners.dashboard", _l("Overview"))


@bp.app_context_processor
def _partner_context():
    # Also asked when mail is rendered outside any request.
    if not has_request_context() or request.blueprint != "partners":
        return {}
    membership = g.get("membership") or current_membership()
    return {"partner_nav": partner_nav.for_membership(membership), "partner_membership": membership}


@bp.route("/")
@partner_required
@no_store
def dashboard():
    return render_template(
        "partner_portal/dashboard.html",
        panels=dashboard_panels.render_list(g.partner, g.membership),
        memberships=sorted(current_user.partner_memberships, key=lambda m: (m.partner.name, m.partner_id)),
    )


@bp.route("/switch", methods=["POST"])
@partner_required(approved=False)
def switch():
    """Act for another partner the user is a member of (the choice lasts the session)."""
    try:
        partner_id = int(request.form.get("partner_id", ""))
    except ValueError:
        abort(400)
    return switch_to(partner_id)


# The partner area's parts (each adds its routes, menu entry and dashboard panel), imported here,
# below, once `bp` exists: onboarding, members, locations and invoices; ordering (the quick order
# grid, review and place), order_upload (CSV) and orders (the list, one order, order again) for
# owners and buyers; standing (standing orders, owners and buyers); api_keys and webhooks (the
# owners' connections for their own systems).
from shop.partner_portal.views import (  # noqa: E402, F401
    api_keys,
    invoices,
    locations,
    members,
    onboarding,
    order_upload,
    ordering,
    orders,
    standing,
    webhooks,
)
