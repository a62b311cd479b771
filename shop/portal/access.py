"""Who may act for which producer. Every portal view names the producer it acts for through
`producer_required`, and every object a URL names by id is looked up through `own_or_404`, so
another producer's id is a 404 (never a hint that it exists)."""

from __future__ import annotations

from functools import wraps

from flask import abort, g, redirect, session, url_for
from flask_login import current_user

from shop.extensions import db, login_manager
from shop.organisations import membership_in_use

# session key: the producer a member of several chose to act for.
CURRENT_PRODUCER = "producer_id"
# The portal is open to members of producers an admin approved; a suspended producer still
# fulfils what was ordered and sees its statements (its products are out of the catalog).
PORTAL_STATUSES = frozenset({"active", "suspended"})


def current_membership():
    """The membership the user acts in now: the producer chosen in this session, else the first
    by name. None for a user who acts for no producer."""
    memberships = current_user.producer_memberships if current_user.is_authenticated else []
    return membership_in_use(memberships, session.get(CURRENT_PRODUCER), org_of=lambda m: m.producer)


def producer_required(view=None, *, owner: bool = False, approved: bool = True):
    """Anonymous visitors go to the login page; users who act for no producer get 403; staff
    get 403 where `owner` is required. With `approved`, a producer not (yet) approved is sent to
    its application's page. Sets g.membership and g.producer."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            membership = current_membership()
            if membership is None:
                abort(403)
            if owner and membership.role != "owner":
                abort(403)
            g.membership, g.producer = membership, membership.producer
            if approved and g.producer.status not in PORTAL_STATUSES:
                return redirect(url_for("producers.application"))
            return view(*args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


def own_or_404(model, object_id, *, producer_of=None):
    """The `model` row with `object_id` if it belongs to the current producer, else 404.
    `producer_of(obj)` gives the owner's id for models without a producer_id column (a variant:
    `lambda v: v.product.producer_id`)."""
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    owner_id = producer_of(obj) if producer_of else obj.producer_id
    if owner_id != g.producer.id:
        abort(404)
    return obj
