"""The producer portal's blueprint. Each area of the portal is a module here that adds its
routes to `bp`, its entry to `portal_nav` and, if the dashboard should show it, a panel."""

from __future__ import annotations

from flask import Blueprint, abort, g, has_request_context, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop.navigation import Nav, Panels
from shop.portal.access import CURRENT_PRODUCER, current_membership, producer_required
from shop.web import no_store

bp = Blueprint("producers", __name__, url_prefix="/producer")
portal_nav = Nav()
dashboard_panels = Panels()

portal_nav.add(0, "producers.dashboard", _l("Overview"))


@bp.app_context_processor
def _portal_context():
    # Also asked when mail is rendered outside any request.
    if not has_request_context() or request.blueprint != "producers":
        return {}
    membership = g.get("membership") or current_membership()
    return {"portal_nav": portal_nav.for_membership(membership), "portal_membership": membership}


@dashboard_panels.add(90)
def _organisation_panel(producer, membership):
    """Who the producer is, as the shop has it on record."""
    return "portal/_organisation_panel.html", {"org": producer, "membership": membership}


@bp.route("/")
@producer_required
@no_store
def dashboard():
    return render_template(
        "portal/dashboard.html",
        panels=dashboard_panels.render_list(g.producer, g.membership),
        memberships=sorted(current_user.producer_memberships, key=lambda m: (m.producer.name, m.producer_id)),
    )


@bp.route("/switch", methods=["POST"])
@producer_required(approved=False)
def switch():
    """Act for another producer the user is a member of (the choice lasts the session; the
    app-wide CSRF check covers this POST)."""
    try:
        producer_id = int(request.form.get("producer_id", ""))
    except ValueError:
        abort(400)
    if not any(m.producer_id == producer_id for m in current_user.producer_memberships):
        abort(404)
    session[CURRENT_PRODUCER] = producer_id
    return redirect(url_for("producers.dashboard"))


# The portal's areas (each adds its routes, menu entry and dashboard panel).
from shop.portal.views import (  # noqa: E402, F401
    api_keys,
    certificates,
    earnings,
    listings,
    onboarding,
    partner_pricing,
    sales,
    shipments,
    stock,
    webhooks,
)
