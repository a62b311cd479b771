"""Who may act for which restaurant partner, and in which role. Every partner view names the
roles it serves through `partner_required`, and every object a URL names by id is looked up
through `own_or_404`, so another partner's id is a 404 (never a hint that it exists).

Roles: an owner may do everything (staff, locations, orders, invoices); a buyer orders (for all
locations or only some); an accountant sees invoices and statements. A buyer never sees
invoices and an accountant never orders: the views say which roles they serve."""

from __future__ import annotations

from functools import wraps

from flask import abort, g, redirect, session, url_for
from flask_login import current_user

from shop.extensions import db, login_manager
from shop.organisations import membership_in_use
from shop.partners.members import (  # noqa: F401 (which locations a member orders for is its rule; views ask here)
    ORDERING_ROLES,
    allowed_location_ids,
    may_order_for,
    ordering_locations,
)
from shop.partners.models import PartnerLocation

# session key: the partner a member of several chose to act for.
CURRENT_PARTNER = "partner_id"
# Roles by what they may do.
ORDERING = ORDERING_ROLES
ACCOUNTING = frozenset({"owner", "accountant"})
OWNER = frozenset({"owner"})
EVERYONE = frozenset({"owner", "buyer", "accountant"})


def current_membership():
    """The partner membership the user acts in now: the partner chosen in this session, else the
    first by name. None for a user who acts for no partner."""
    memberships = current_user.partner_memberships if current_user.is_authenticated else []
    return membership_in_use(memberships, session.get(CURRENT_PARTNER), org_of=lambda m: m.partner)


def partner_required(view=None, *, roles=EVERYONE, approved: bool = True):
    """Anonymous visitors go to the login page; users who act for no partner, or in a role not
    in `roles`, get 403. With `approved`, a partner not (yet) approved is sent to its
    application's page (an unapproved partner never sees partner prices). Sets g.membership and
    g.partner."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            membership = current_membership()
            if membership is None or membership.role not in roles:
                abort(403)
            g.membership, g.partner = membership, membership.partner
            if approved and g.partner.status != "active":
                return redirect(url_for("partners.application"))
            return view(*args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


def own_or_404(model, object_id, *, partner_of=None):
    """The `model` row with `object_id` if it belongs to the current partner, else 404.
    `partner_of(obj)` gives the owner's id for models without a partner_id column."""
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    owner_id = partner_of(obj) if partner_of else obj.partner_id
    if owner_id != g.partner.id:
        abort(404)
    return obj


def own_location_or_404(location_id, *, for_ordering: bool = False) -> PartnerLocation:
    """A location of the current partner (404 otherwise); with `for_ordering`, also one the
    member may order for and still active (404 otherwise: a buyer limited to other branches
    learns nothing about this one)."""
    location = own_or_404(PartnerLocation, location_id)
    if for_ordering and not (location.active and may_order_for(g.membership, location.id)):
        abort(404)
    return location


def switch_to(partner_id: int):
    if not any(m.partner_id == partner_id for m in current_user.partner_memberships):
        abort(404)
    session[CURRENT_PARTNER] = partner_id
    return redirect(url_for("partners.dashboard"))
